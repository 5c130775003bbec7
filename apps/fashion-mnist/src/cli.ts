/**
 * `pnpm study fashion-mnist [options]`: seed 004's LeNet / LeNet-BN study on Fashion-MNIST.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { BACKEND_NAMES, parseBackendName } from '@cnn/backend';
import { defaultSettings, STUDY_MODELS, type StudyModel, type StudySettings } from './settings.js';
import { runStudy } from './study.js';

function integer(min: number): (value: string) => number {
  return (value) => {
    if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`expected an integer, got '${value}'.`);
    const n = Number(value);
    if (n < min) throw new InvalidArgumentError(`expected an integer >= ${min}, got ${n}.`);
    return n;
  };
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number > 0, got '${value}'.`);
  return n;
}

function modelList(value: string): StudyModel[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const known = Object.keys(STUDY_MODELS);
  for (const n of names) if (!known.includes(n)) throw new InvalidArgumentError(`unknown model '${n}'; choose from ${known.join(', ')}.`);
  if (names.length === 0) throw new InvalidArgumentError(`expected a comma-separated list of ${known.join(', ')}.`);
  return names as StudyModel[];
}

function backendName(value: string): StudySettings['backend'] {
  try {
    return parseBackendName(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** Builds the command-line parser; `writeErr` receives error text (default: stderr). */
export function buildCommand(writeErr: (text: string) => void = (t) => process.stderr.write(t)): Command {
  const d = defaultSettings();
  return new Command('pnpm study fashion-mnist')
    .configureOutput({ writeErr })
    .description("Seed 004: LeNet with and without BatchNorm on Fashion-MNIST (SGD lr 1.0, batch 100, 10 epochs).\nWrites a run directory with metrics.json, history.csv, curves, confusion matrices and report.md.")
    .option('--epochs <n>', 'epochs per model', integer(1), d.epochs)
    .option('--limit <n>', 'train on the first N training images (default: all 60,000)', integer(1))
    .option('--test-limit <n>', 'evaluate on the first N test images (default: all 10,000)', integer(1))
    .option('--batch-size <n>', 'mini-batch size', integer(1), d.batchSize)
    .option('--lr <x>', 'SGD learning rate', positiveNumber, d.learningRate)
    .option('--eval-every <n>', 'measure test accuracy every N iterations', integer(1), d.evalEvery)
    .addOption(new Option('--models <list>', 'comma-separated models to train: lenet, lenet-bn').default(d.models, d.models.join(',')).argParser(modelList))
    .addOption(new Option('--backend <name>', `TensorFlow.js backend: auto or ${BACKEND_NAMES.join(', ')}`).default('auto').argParser(backendName))
    .option('--seed <n>', 'seed of weight initialisation and shuffling', integer(0), d.seed)
    .option('--shuffle', 'shuffle the training set every epoch (the seed does not)')
    .option('--data <dir>', 'directory holding the Fashion-MNIST IDX files (.gz or raw)')
    .option('--no-download', 'never download Fashion-MNIST; fail if it is not found locally')
    .option('--out <dir>', 'run directory to create (default: runs/fashion-mnist/<timestamp>)')
    .option('--quiet', 'print one line per epoch instead of a progress bar')
    .showHelpAfterError('(run with --help for every option)');
}

/**
 * Parses `argv` (without node and script) into settings. Bad options throw commander's error after `writeErr` got the
 * message and the help text.
 */
export function parseSettings(argv: readonly string[], writeErr?: (text: string) => void): StudySettings {
  const command = buildCommand(writeErr).exitOverride();
  command.parse(argv as string[], { from: 'user' });
  const o = command.opts<Record<string, unknown>>();
  const d = defaultSettings();
  return {
    ...d,
    epochs: o.epochs as number,
    limit: o.limit as number | undefined,
    testLimit: o.testLimit as number | undefined,
    batchSize: o.batchSize as number,
    learningRate: o.lr as number,
    evalEvery: o.evalEvery as number,
    models: o.models as StudyModel[],
    backend: o.backend as StudySettings['backend'],
    seed: o.seed as number,
    shuffle: Boolean(o.shuffle),
    data: o.data as string | undefined,
    download: o.download as boolean,
    out: (o.out as string | undefined) ?? d.out,
    progress: o.quiet ? 'lines' : 'auto',
  };
}

async function main(): Promise<void> {
  let settings: StudySettings;
  try {
    settings = parseSettings(process.argv.slice(2));
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    process.exit(code ?? 2);
  }
  const controller = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\nInterrupted: stopping after the current step…\n');
    controller.abort();
  });
  try {
    const result = await runStudy(settings, controller.signal);
    process.stdout.write(`Run written to ${result.dir}\n`);
    for (const r of result.runs) process.stdout.write(`  ${r.model}: test accuracy ${(r.evaluation.accuracy * 100).toFixed(2)}%\n`);
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
