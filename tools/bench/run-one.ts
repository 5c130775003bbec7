/**
 * Child process of `pnpm bench`: trains one model on one backend for warm-up plus timed steps and prints one
 * result line (`@@bench-result {json}`). Running each measurement in its own process keeps tfjs's global backend
 * state apart and makes the process's peak resident memory that of this training alone.
 *
 *   node --conditions=@cnn/source --import tsx tools/bench/run-one.ts '<BenchJob as JSON>'
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@cnn/backend';
import { createModel } from '@cnn/models';
import { Callback, fit, SeededRandom, wasmHeapBytes, type Batch, type BatchSource, type DataParallelOptions, type Logs, type TrainContext } from '@cnn/train';
import { RESULT_MARKER, type BenchJob, type BenchJobResult } from './job.js';
import { getBenchModel } from './models.js';

/** The optimiser of every bench run (and of the PyTorch reference): SGD, learning rate 0.01, momentum 0.9. */
const BENCH_OPTIMIZER = { name: 'sgd', learningRate: 0.01, momentum: 0.9 } as const;

/**
 * The `wasm-x2` runs: `fit`'s data-parallel training with the main thread and one worker, each selecting the WASM
 * backend with our training kernels (`@cnn/backend/wasm-worker`) and registering the model's layers.
 */
const WASM_X2: DataParallelOptions = {
  workers: 1,
  backend: 'wasm',
  imports: [import.meta.resolve('@cnn/layers'), import.meta.resolve('@cnn/models'), import.meta.resolve('@cnn/backend/wasm-worker')],
};

/** Records each step's wall time and loss. */
class StepRecorder extends Callback {
  readonly seconds: number[] = [];
  readonly losses: number[] = [];

  override onBatchEnd(_context: TrainContext, logs: Logs): void {
    this.seconds.push(logs['seconds'] ?? Number.NaN);
    this.losses.push(logs['loss'] ?? Number.NaN);
  }
}

/** One random batch: images uniform in [0, 1), labels uniform over the classes, from a seeded generator. */
function randomBatch(job: BenchJob, inputShape: readonly [number, number, number], numClasses: number): Batch {
  const random = new SeededRandom(job.seed);
  const size = job.batchSize * inputShape[0] * inputShape[1] * inputShape[2];
  const pixels = new Float32Array(size);
  for (let i = 0; i < size; i += 1) pixels[i] = random.next();
  const labels = new Int32Array(job.batchSize);
  for (let i = 0; i < job.batchSize; i += 1) labels[i] = Math.floor(random.next() * numClasses);
  return {
    images: tf.tensor4d(pixels, [job.batchSize, ...inputShape]),
    labels: tf.tensor1d(labels, 'int32'),
  };
}

/** `count` batches that all show the same images and labels (fit disposes each; clones share the data). */
function repeatedBatches(batch: Batch, count: number): BatchSource {
  return {
    length: count,
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < count; i += 1) yield { images: batch.images.clone(), labels: batch.labels.clone() };
    },
  };
}

/** The WASM backend's heap in MiB, or undefined on other backends. */
function wasmHeapMB(): number | undefined {
  const bytes = wasmHeapBytes(tf.backend());
  return bytes === undefined ? undefined : bytes / 2 ** 20;
}

/** Peak resident set size of this process in MiB (getrusage's maxrss, in KiB on Linux). */
function peakResidentMB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Trains as `job` says and returns the measurement; backend absence is `skipped`, training errors `failed`. */
async function runJob(job: BenchJob): Promise<BenchJobResult> {
  const benchModel = getBenchModel(job.model);
  let backendDescription: string;
  try {
    const choice = await selectBackend({ backend: job.backend === 'wasm-x2' ? 'wasm' : job.backend });
    backendDescription = choice.attempts.at(-1)?.reason ?? choice.name;
  } catch (error) {
    return { status: 'skipped', reason: (error as Error).message };
  }
  try {
    const model = createModel(benchModel.registryName, {
      ...benchModel.overrides,
      inputShape: benchModel.inputShape,
      numClasses: benchModel.numClasses,
      seed: job.seed,
    });
    const batch = randomBatch(job, benchModel.inputShape, benchModel.numClasses);
    const recorder = new StepRecorder();
    const dataParallel = job.backend === 'wasm-x2' ? WASM_X2 : undefined;
    if (dataParallel !== undefined) backendDescription = `${backendDescription}; fit({ dataParallel }): main thread + 1 worker thread`;
    await fit(model, repeatedBatches(batch, job.warmup + job.steps), {
      epochs: 1,
      optimizer: { ...BENCH_OPTIMIZER },
      loss: 'cross_entropy',
      callbacks: [recorder],
      ...(job.microBatchSize === undefined ? {} : { microBatchSize: job.microBatchSize }),
      ...(dataParallel === undefined ? {} : { dataParallel }),
    });
    const stepSeconds = recorder.seconds.slice(job.warmup);
    const seconds = stepSeconds.reduce((sum, s) => sum + s, 0);
    const heap = wasmHeapMB();
    const parameters = model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
    tf.dispose([batch.images, batch.labels]);
    model.dispose();
    return {
      status: 'ok',
      imagesPerSecond: (job.batchSize * job.steps) / seconds,
      peakMemoryMB: peakResidentMB(),
      ...(heap === undefined ? {} : { wasmHeapMB: heap }),
      stepSeconds,
      losses: recorder.losses,
      parameters,
      backendDescription,
      ...(job.microBatchSize === undefined ? {} : { microBatchSize: job.microBatchSize }),
    };
  } catch (error) {
    return { status: 'failed', reason: `training failed: ${(error as Error).message ?? String(error)}` };
  }
}

/** Checks the job passed on the command line. */
function parseJob(text: string | undefined): BenchJob {
  if (text === undefined) throw new Error('run-one: pass the job as one JSON argument');
  const job = JSON.parse(text) as BenchJob;
  for (const key of ['batchSize', 'steps', 'warmup', 'seed'] as const) {
    if (!Number.isInteger(job[key])) throw new Error(`run-one: job.${key} must be an integer, got ${String(job[key])}`);
  }
  return job;
}

const result = await runJob(parseJob(process.argv[2]));
process.stdout.write(`${RESULT_MARKER}${JSON.stringify(result)}\n`);
// Dawn (webgpu) and worker threads may keep the event loop alive; the answer is out, so end here.
process.exit(0);
