/**
 * `pnpm bench:pipeline`: is the input pipeline fast enough to keep training fed?
 *
 * Writes synthetic JPEGs (224..500 pixels a side) as an image-folder tree in a temporary directory, then measures the
 * images/s of a `DataLoader` that decodes them and applies seed 000's IP102 training transform, with 0, 1 and 2 worker
 * threads, and the images/s of training ResNet-34 (224x224x3, 102 classes) on the WASM backend. The pipeline is not the
 * bottleneck when its images/s exceed training's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { DataLoader, imageFolder, mulberry32, type AnyImage, type Dataset, type ImageTransform } from '@cnn/data';
import * as tf from '@tensorflow/tfjs-core';
import { ip102TrainTransform } from './ip102-transform.js';
import { writeSyntheticImageFolder } from './synthetic-images.js';

function integerAtLeast(minimum: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < minimum) throw new InvalidArgumentError(`expected an integer ≥ ${minimum}`);
    return n;
  };
}

function workerCounts(value: string): number[] {
  const counts = value.split(',').map((s) => Number(s.trim()));
  if (counts.length === 0 || counts.some((n) => !Number.isInteger(n) || n < 0)) throw new InvalidArgumentError('expected a comma-separated list of integers ≥ 0');
  return counts;
}

const program = new Command('bench:pipeline')
  .description('Images/s of JPEG decoding + the IP102 training transform with 0, 1, 2 workers, against ResNet-34 training images/s on WASM')
  .option('--images <n>', 'synthetic JPEGs to write and load', integerAtLeast(1), 256)
  .option('--batch-size <n>', 'loader batch size', integerAtLeast(1), 32)
  .option('--workers <list>', 'worker counts to measure, comma-separated', workerCounts, [0, 1, 2])
  .option('--train-batch <n>', 'ResNet-34 training batch size', integerAtLeast(1), 8)
  .option('--train-steps <n>', 'ResNet-34 training steps; the first is a warm-up and not timed', integerAtLeast(2), 3)
  .option('--no-train', 'skip the ResNet-34 measurement')
  .option('--transform <kind>', "'ip102' (seed 000's training transform from @cnn/augment) or 'none' (decoding to 256x256 only)", 'ip102')
  .option('--profile', 'also time each step of the transform alone, in ms per image (main thread)')
  .option('--decode-resize', 'also measure decoding straight to 256x256 in sharp (then the transform skips its Resize)')
  .parse();

const options = program.opts<{
  images: number;
  batchSize: number;
  workers: number[];
  trainBatch: number;
  trainSteps: number;
  train: boolean;
  transform: string;
  decodeResize?: boolean;
  profile?: boolean;
}>();

/** Milliseconds per image of each step of the transform, applied in sequence to the first `count` images. */
async function profileSteps(dataset: Dataset, steps: Array<[string, ImageTransform]>, count: number): Promise<void> {
  const times = new Array<number>(steps.length).fill(0);
  for (let i = 0; i < count; i++) {
    let image: AnyImage = (await dataset.get(i)).image;
    const random = mulberry32(i);
    for (const [k, [, step]] of steps.entries()) {
      const started = performance.now();
      image = step.apply(image, random);
      times[k]! += performance.now() - started;
    }
  }
  console.log(`  per step, ms per image (${count} images): ${steps.map(([name], k) => `${name} ${(times[k]! / count).toFixed(2)}`).join(', ')}`);
}

/** Images/s of a warm-up epoch (worker start-up included) and of the next, steady epoch; seconds to the first batch. */
async function measureLoader(dataset: Dataset, numWorkers: number, sampleTransform: ImageTransform | undefined): Promise<{ warmUp: number; steady: number; firstBatch: number; shape: number[] }> {
  await using loader = new DataLoader(dataset, { batchSize: options.batchSize, shuffle: true, seed: 1, numWorkers, sampleTransform });
  const epoch = async (onFirst?: (shape: number[]) => void): Promise<number> => {
    const started = performance.now();
    let count = 0;
    for await (const { images, labels } of loader) {
      if (count === 0) onFirst?.(images.shape);
      count += images.shape[0];
      tf.dispose([images, labels]);
    }
    return (count / (performance.now() - started)) * 1000;
  };
  const started = performance.now();
  let firstBatch = 0;
  let shape: number[] = [];
  const warmUp = await epoch((s) => {
    firstBatch = (performance.now() - started) / 1000;
    shape = s;
  });
  const steady = await epoch();
  return { warmUp, steady, firstBatch, shape };
}

async function measureResNet34(): Promise<{ imagesPerSecond: number; backend: string; threads: string }> {
  const { createModel } = await import('@cnn/models');
  const model = createModel('resnet34', { numClasses: 102, inputShape: [224, 224, 3], seed: 1 });
  model.compile({ optimizer: tf.train.sgd(0.01), loss: 'sparseCategoricalCrossentropy' });
  const x = tf.randomNormal<tf.Rank.R4>([options.trainBatch, 224, 224, 3], 0, 1, 'float32', 1);
  const y = tf.tensor1d(Array.from({ length: options.trainBatch }, (_, i) => i % 102), 'float32');
  let timed = 0;
  let started = 0;
  for (let step = 0; step < options.trainSteps; step++) {
    if (step === 1) started = performance.now();
    await model.trainOnBatch(x, y);
    if (step >= 1) timed += options.trainBatch;
  }
  const imagesPerSecond = (timed / (performance.now() - started)) * 1000;
  tf.dispose([x, y]);
  model.dispose();
  const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as { getThreadsCount?: () => number };
  const threads = String(wasm.getThreadsCount?.() ?? '?');
  return { imagesPerSecond, backend: tf.getBackend(), threads };
}

const root = await mkdtemp(join(tmpdir(), 'cnn-bench-pipeline-'));
try {
  const { selectBackend } = await import('@cnn/backend');
  await selectBackend({ backend: 'wasm' }); // the batches become WASM tensors, as they would for training
  console.log(`machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}`);
  let started = performance.now();
  const pixels = await writeSyntheticImageFolder({ root, images: options.images });
  console.log(`wrote ${options.images} JPEGs (mean ${Math.round(Math.sqrt(pixels / options.images))} px a side) in ${((performance.now() - started) / 1000).toFixed(1)} s to ${root}`);

  // Without a transform, images must be decoded to one size to be batched.
  const variants: Array<{ name: string; resize: boolean }> = [];
  if (options.transform !== 'none') variants.push({ name: 'decode (full size)', resize: false });
  if (options.decodeResize || options.transform === 'none') variants.push({ name: 'decode to 256x256 in sharp', resize: true });
  const results: Array<{ variant: string; workers: number; steady: number }> = [];
  for (const variant of variants) {
    const dataset = await imageFolder({ root, decode: variant.resize ? { resize: { width: 256, height: 256 } } : {} });
    const transform = options.transform === 'none' ? undefined : ip102TrainTransform({ resizeDone: variant.resize });
    console.log(`\nimageFolder, ${variant.name} + ${transform ? transform.description : 'no transform'}`);
    if (options.profile && transform) await profileSteps(dataset, transform.steps, Math.min(32, dataset.size));
    for (const workers of options.workers) {
      const r = await measureLoader(dataset, workers, transform?.transform);
      results.push({ variant: variant.name, workers, steady: r.steady });
      console.log(
        `  numWorkers ${workers}: ${r.steady.toFixed(1).padStart(6)} images/s (second epoch); first epoch ${r.warmUp.toFixed(1)} images/s, ` +
          `first batch after ${r.firstBatch.toFixed(1)} s; batches [${r.shape.join(', ')}]`,
      );
    }
  }

  if (options.train) {
    started = performance.now();
    const train = await measureResNet34();
    console.log(`\nResNet-34 training on ${train.backend} (${train.threads} threads), batch ${options.trainBatch}, 224x224x3, 102 classes: ${train.imagesPerSecond.toFixed(2)} images/s (${options.trainSteps - 1} timed steps; ${((performance.now() - started) / 1000).toFixed(0)} s in all)`);
    for (const r of results) {
      const ratio = r.steady / train.imagesPerSecond;
      console.log(`  ${r.variant}, numWorkers ${r.workers}: pipeline ${ratio.toFixed(1)}x training speed${ratio < 1 ? ' — THE PIPELINE IS THE BOTTLENECK' : ''}`);
    }
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
