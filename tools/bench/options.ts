/** `pnpm bench`'s command line: the commander program, its validation, and the jobs it implies. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { integer, list } from '../cli-parsers.js';
import { BENCH_BACKENDS, type BenchBackend, type BenchJob } from './job.js';
import { BENCH_MODEL_NAMES, getBenchModel } from './models.js';

/** Settings of one bench run, after parsing and validation. */
export interface BenchOptions {
  /** Bench models, in run order. Default: all. */
  models: string[];
  /** Backends to try, in run order; absent ones are reported as skipped. Default: all of {@link BENCH_BACKENDS}. */
  backends: BenchBackend[];
  /** Timed optimiser steps per (model, backend), except on the CPU backend. Default: the model's (lenet-bn 200, others 3). */
  steps: number | undefined;
  /** Untimed optimiser steps before the timed ones, except on the CPU backend. Default: the model's (lenet-bn 100, others 2). */
  warmup: number | undefined;
  /** Rounds of PyTorch and every backend, alternating; each one's median is reported. Default: the model's (lenet-bn 5, others 1). */
  rounds: number | undefined;
  /** Timed steps on the CPU backend (100-300x slower than WASM). Default 1. */
  cpuSteps: number;
  /** Warm-up steps on the CPU backend. Default 0. */
  cpuWarmup: number;
  /** Batch size on the CPU backend for every model; default: the model's own for lenet-bn and 16 for the others. */
  cpuBatchSize: number | undefined;
  /** Batch size for every model and backend (quick checks); default: each model's own. */
  batchSize: number | undefined;
  /** Split every step into micro-batches of this many images (gradient accumulation); default: whole batch. */
  microBatchSize: number | undefined;
  /** Give up on one (model, backend) measurement after this many seconds. Default 900. */
  timeoutSeconds: number;
  /** Seed of weights, images and labels. Default 1. */
  seed: number;
  /** Write the results to this JSON file (relative to the directory pnpm was started in). */
  json: string | undefined;
  /** Run the PyTorch reference (when Python has torch). Default true. */
  pytorch: boolean;
  /** Python interpreter for the PyTorch reference. Default `python3`. */
  python: string;
}

/** CPU-backend batch size of the bigger models when `--cpu-batch-size` is not given: one step of 128 would take hours. */
export const CPU_BATCH_SIZE_LARGE_MODELS = 2;

function models(value: string): string[] {
  const names = list(value);
  for (const name of names) {
    if (!BENCH_MODEL_NAMES.includes(name)) throw new InvalidArgumentError(`unknown model '${name}'; expected some of ${BENCH_MODEL_NAMES.join(', ')}`);
  }
  return names;
}

function backends(value: string): BenchBackend[] {
  const names = list(value).map((name) => name.toLowerCase());
  for (const name of names) {
    if (!(BENCH_BACKENDS as readonly string[]).includes(name)) {
      throw new InvalidArgumentError(`unknown backend '${name}'; expected some of ${BENCH_BACKENDS.join(', ')}`);
    }
  }
  return names as BenchBackend[];
}

/** The `bench` commander program (not yet parsed). */
export function createBenchCommand(): Command {
  return new Command('bench')
    .description(
      'Train each benchmark model for a fixed number of steps on every TensorFlow.js backend present (each in its own ' +
        'process) and on PyTorch when Python has torch; print images/s, peak memory and ratios.\n' +
        `Models: ${BENCH_MODEL_NAMES.join(', ')}. Backends: ${BENCH_BACKENDS.join(', ')} ` +
        '(node = tfjs-node, node-gpu = tfjs-node-gpu, wasm-x2 = WASM data-parallel over 2 worker threads).',
    )
    .addOption(new Option('--models <list>', 'models to train, comma-separated').argParser(models).default([...BENCH_MODEL_NAMES], 'all'))
    .addOption(
      new Option('--backends <list>', 'backends to try, comma-separated; absent ones are reported as skipped')
        .argParser(backends)
        .default([...BENCH_BACKENDS], 'all'),
    )
    .option('--steps <n>', 'timed optimiser steps per model and backend (default: lenet-bn 200, the others 3)', integer(1))
    .option('--warmup <n>', 'untimed steps before the timed ones (default: lenet-bn 100, the others 2)', integer(0))
    .option('--rounds <n>', 'measure PyTorch and every backend n times, alternating, and report medians (default: lenet-bn 5, the others 1)', integer(1))
    .option('--cpu-steps <n>', 'timed steps on the CPU backend', integer(1), 1)
    .option('--cpu-warmup <n>', 'warm-up steps on the CPU backend', integer(0), 0)
    .option('--cpu-batch-size <n>', `CPU-backend batch size for every model (default: lenet-bn's own, ${CPU_BATCH_SIZE_LARGE_MODELS} for the others)`, integer(1))
    .option('--batch-size <n>', "batch size for every model and backend (default: each model's own)", integer(1))
    .option('--micro-batch-size <n>', 'split each step into micro-batches of n images with gradient accumulation', integer(1))
    .option('--timeout <seconds>', 'give up on one model and backend after this long', integer(1), 900)
    .option('--seed <n>', 'seed of weights, images and labels', integer(0), 1)
    .option('--json <file>', 'also write [{ model, backend, batchSize, steps, imagesPerSecond, peakMemoryMB }] to this file')
    .option('--no-pytorch', 'skip the PyTorch reference')
    .option('--python <path>', 'Python interpreter for the PyTorch reference', 'python3');
}

/**
 * Parses bench arguments (without `node` and the script), e.g. `['--models', 'lenet-bn', '--steps', '2']`.
 * @throws commander's `CommanderError` (with `exitOverride`) or exits, as the program is configured.
 */
export function parseBenchOptions(argv: readonly string[], command: Command = createBenchCommand()): BenchOptions {
  command.parse([...argv], { from: 'user' });
  const o = command.opts<{
    models: string[];
    backends: BenchBackend[];
    steps?: number;
    warmup?: number;
    rounds?: number;
    cpuSteps: number;
    cpuWarmup: number;
    cpuBatchSize?: number;
    batchSize?: number;
    microBatchSize?: number;
    timeout: number;
    seed: number;
    json?: string;
    pytorch: boolean;
    python: string;
  }>();
  const options: BenchOptions = {
    models: [...new Set(o.models)],
    backends: [...new Set(o.backends)],
    steps: o.steps,
    warmup: o.warmup,
    rounds: o.rounds,
    cpuSteps: o.cpuSteps,
    cpuWarmup: o.cpuWarmup,
    cpuBatchSize: o.cpuBatchSize,
    batchSize: o.batchSize,
    microBatchSize: o.microBatchSize,
    timeoutSeconds: o.timeout,
    seed: o.seed,
    json: o.json,
    pytorch: o.pytorch,
    python: o.python,
  };
  for (const name of options.models) {
    const batch = options.batchSize ?? getBenchModel(name).batchSize;
    if (options.microBatchSize !== undefined && (options.microBatchSize >= batch || batch % options.microBatchSize !== 0)) {
      command.error(`error: --micro-batch-size ${options.microBatchSize} must divide ${name}'s batch size ${batch} and be smaller than it`);
    }
  }
  return options;
}

/** The batch size `model` trains with on `backend` under `options`. */
export function batchSizeFor(options: BenchOptions, model: string, backend: BenchBackend): number {
  const own = options.batchSize ?? getBenchModel(model).batchSize;
  if (backend !== 'cpu') return own;
  if (options.cpuBatchSize !== undefined) return options.cpuBatchSize;
  return model === 'lenet-bn' ? own : Math.min(own, CPU_BATCH_SIZE_LARGE_MODELS);
}

/** Timed steps of `model` off the CPU backend (and on PyTorch). */
export function stepsFor(options: BenchOptions, model: string): number {
  return options.steps ?? getBenchModel(model).steps;
}

/** Warm-up steps of `model` off the CPU backend (and on PyTorch). */
export function warmupFor(options: BenchOptions, model: string): number {
  return options.warmup ?? getBenchModel(model).warmup;
}

/** Rounds of `model`: PyTorch and every backend measured this many times, alternating. */
export function roundsFor(options: BenchOptions, model: string): number {
  return options.rounds ?? getBenchModel(model).rounds;
}

/** One job per (model, backend), models outermost, in the order given. */
export function benchJobs(options: BenchOptions): BenchJob[] {
  return options.models.flatMap((model) =>
    options.backends.map((backend): BenchJob => {
      const cpu = backend === 'cpu';
      const batchSize = batchSizeFor(options, model, backend);
      const micro = options.microBatchSize;
      return {
        model,
        backend,
        batchSize,
        ...(micro !== undefined && micro < batchSize && batchSize % micro === 0 ? { microBatchSize: micro } : {}),
        steps: cpu ? options.cpuSteps : stepsFor(options, model),
        warmup: cpu ? options.cpuWarmup : warmupFor(options, model),
        seed: options.seed,
      };
    }),
  );
}
