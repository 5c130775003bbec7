import '@tensorflow/tfjs-backend-cpu';
import { execFile } from 'node:child_process';
import { threadId } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NoiseTransform, PatternDataset, type PatternDatasetOptions } from './__fixtures__/loader-datasets.js';
import type { Dataset, Sample } from './dataset.js';
import type { ImageTransform } from './image-transform.js';
import { ImageArrayDataset } from './image-array-dataset.js';
import { DataLoader, type Batch, type DataLoaderOptions } from './loader.js';
import { mulberry32, sampleSeed, shuffledIndices } from './random.js';
import { SampleError } from './sample-batch.js';
import { SubsetRandomSampler } from './sampler.js';

/** 10 images of 2x3x1; pixel j of image i is 10 * i + j; label i % 4. */
function tiny(count = 10): ImageArrayDataset {
  const images = new Uint8Array(count * 6).map((_, k) => 10 * Math.floor(k / 6) + (k % 6));
  return new ImageArrayDataset({ images, labels: Uint8Array.from({ length: count }, (_, i) => i % 4), height: 2, width: 3, channels: 1 });
}

/** The same samples through `get` only, to exercise the generic path. */
const generic = (dataset: Dataset): Dataset => ({ size: dataset.size, get: (i) => dataset.get(i) });

/** Runs one epoch, returning each batch's images and labels as arrays and disposing the tensors. */
async function epoch(loader: DataLoader): Promise<{ images: number[][][][][]; labels: number[][] }> {
  const images: number[][][][][] = [];
  const labels: number[][] = [];
  for await (const batch of loader) {
    expect(batch.images.dtype).toBe('float32');
    expect(batch.labels.dtype).toBe('int32');
    images.push(batch.images.arraySync());
    labels.push(batch.labels.arraySync());
    tf.dispose([batch.images, batch.labels]);
  }
  return { images, labels };
}

const flatLabels = (result: { labels: number[][] }) => result.labels.flat();
const firstPixels = (result: { images: number[][][][][] }) => result.images.flatMap((batch) => batch.map((image) => image[0]![0]![0]!));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('DataLoader', () => {
  it('batches in dataset order with a short last batch, or drops it', async () => {
    const loader = new DataLoader(tiny(), { batchSize: 4 });
    expect(loader.length).toBe(3);
    const result = await epoch(loader);
    expect(result.labels).toEqual([[0, 1, 2, 3], [0, 1, 2, 3], [0, 1]]);
    expect(result.images[2]).toEqual([
      [[[80], [81], [82]], [[83], [84], [85]]],
      [[[90], [91], [92]], [[93], [94], [95]]],
    ]);
    const dropping = new DataLoader(tiny(), { batchSize: 4, dropLast: true });
    expect(dropping.length).toBe(2);
    expect((await epoch(dropping)).labels).toHaveLength(2);
  });

  it('gives the same batches through the fast path and through get()', async () => {
    const options = { batchSize: 3, shuffle: true, seed: 5 };
    expect(await epoch(new DataLoader(generic(tiny()), options))).toEqual(await epoch(new DataLoader(tiny(), options)));
  });

  it('shuffles reproducibly from (seed, epoch), advancing the epoch each iteration', async () => {
    const loader = new DataLoader(tiny(), { batchSize: 3, shuffle: true, seed: 11 });
    const epoch0 = firstPixels(await epoch(loader));
    expect(epoch0).toEqual(Array.from(shuffledIndices(10, 11, 0), (i) => 10 * i));
    expect(loader.epoch).toBe(1);
    const epoch1 = firstPixels(await epoch(loader));
    expect(epoch1).toEqual(Array.from(shuffledIndices(10, 11, 1), (i) => 10 * i));
    expect(epoch1).not.toEqual(epoch0);
    loader.setEpoch(0);
    expect(firstPixels(await epoch(loader))).toEqual(epoch0);
    const another = new DataLoader(tiny(), { batchSize: 5, shuffle: true, seed: 11 });
    another.setEpoch(1);
    expect(firstPixels(await epoch(another))).toEqual(epoch1);
  });

  it('applies the transform inside tidy without leaking', async () => {
    const before = tf.memory().numTensors;
    const loader = new DataLoader(tiny(), { batchSize: 4, transform: (images) => tf.sub(tf.div(images, 255), 0.5) });
    const result = await epoch(loader);
    expect(result.images[0]![0]![0]![1]![0]).toBeCloseTo(1 / 255 - 0.5, 6);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('disposes prefetched batches when a loop breaks early', async () => {
    const before = tf.memory().numTensors;
    const loader = new DataLoader(tiny(40), { batchSize: 2, prefetch: 3 });
    let seen = 0;
    for await (const batch of loader) {
      tf.dispose([batch.images, batch.labels]);
      await vi.waitFor(() => expect(tf.memory().numTensors).toBe(before + 2 * 3)); // 3 batches prepared ahead
      if (++seen === 2) break;
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('disposes prefetched batches on return() when iterating by hand', async () => {
    const before = tf.memory().numTensors;
    const iterator = new DataLoader(tiny(), { batchSize: 1 })[Symbol.asyncIterator]();
    const first = (await iterator.next()).value as Batch;
    await vi.waitFor(() => expect(tf.memory().numTensors).toBe(before + 2 + 2 * 2)); // default prefetch 2
    await iterator.return?.();
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([first.images, first.labels]);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps yielded batches alive across an enclosing scope', async () => {
    const iterator = new DataLoader(tiny(), { batchSize: 2, prefetch: 0 })[Symbol.asyncIterator]();
    tf.engine().startScope();
    const batch = (await iterator.next()).value as Batch;
    tf.engine().endScope();
    expect(batch.images.isDisposed).toBe(false);
    tf.dispose([batch.images, batch.labels]);
    await iterator.return?.();
  });

  it('yields nothing for an empty dataset', async () => {
    const loader = new DataLoader(tiny(0), { batchSize: 2 });
    expect(loader.length).toBe(0);
    expect((await epoch(loader)).labels).toEqual([]);
  });

  it('reports bad samples and transforms without leaking', async () => {
    const before = tf.memory().numTensors;
    const base = tiny();
    const ragged: Dataset = {
      size: 10,
      get: (i): Sample => (i === 7 ? { image: { data: new Uint8Array(4), height: 2, width: 2, channels: 1 }, label: 0 } : base.get(i)),
    };
    await expect(epoch(new DataLoader(ragged, { batchSize: 2 }))).rejects.toThrow(
      "collate: sample 7 is 2x2x1 but the batch's first sample is 2x3x1; resize images to one shape",
    );
    const shrinking = new DataLoader(base, { batchSize: 4, transform: (images) => tf.slice(images, [0, 0, 0, 0], [1, -1, -1, -1]) });
    await expect(epoch(shrinking)).rejects.toThrow('DataLoader: transform must return a rank-4 tensor with batch size 4, got shape [1, 2, 3, 1].');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('validates its options', () => {
    const dataset = tiny();
    expect(() => new DataLoader(dataset, { batchSize: 0 })).toThrow('DataLoader: batchSize must be a positive integer, got 0.');
    expect(() => new DataLoader(dataset, { batchSize: 2.5 })).toThrow(/batchSize must be a positive integer, got 2.5/);
    expect(() => new DataLoader(dataset, { batchSize: 2, prefetch: -1 })).toThrow('DataLoader: prefetch must be a non-negative integer, got -1.');
    expect(() => new DataLoader(dataset, { batchSize: 2, seed: 0.5 })).toThrow('DataLoader: seed must be an integer, got 0.5.');
    expect(() => new DataLoader({} as Dataset, { batchSize: 2 })).toThrow(/expected a Dataset with an integer size and a get\(index\) method/);
    expect(() => new DataLoader(dataset, { batchSize: 2 }).setEpoch(-1)).toThrow('DataLoader: epoch must be a non-negative integer, got -1.');
  });
});

/** One epoch as raw float32 values and labels per batch (bitwise comparable), disposing the tensors. */
async function rawEpoch(loader: DataLoader): Promise<{ images: Float32Array[]; labels: number[][]; shapes: number[][] }> {
  const images: Float32Array[] = [];
  const labels: number[][] = [];
  const shapes: number[][] = [];
  for await (const batch of loader) {
    images.push(batch.images.dataSync() as Float32Array);
    labels.push(Array.from(batch.labels.dataSync()));
    shapes.push(batch.images.shape);
    tf.dispose([batch.images, batch.labels]);
  }
  return { images, labels, shapes };
}

const pattern = (options: Partial<PatternDatasetOptions> = {}) => new PatternDataset({ size: 10, ...options });

describe('DataLoader with asynchronous datasets and per-sample transforms', () => {
  it('batches datasets whose get returns promises like synchronous ones', async () => {
    const options = { batchSize: 4, shuffle: true, seed: 3 };
    expect(await rawEpoch(new DataLoader(pattern({ async: true }), options))).toEqual(await rawEpoch(new DataLoader(pattern(), options)));
  });

  it('applies the sample transform with the random source of (seed, epoch, position)', async () => {
    const loader = new DataLoader(pattern(), { batchSize: 4, seed: 9, sampleTransform: new NoiseTransform() });
    await rawEpoch(loader);
    const { images } = await rawEpoch(loader); // epoch 1
    const expected = new Float32Array(6);
    const random = mulberry32(sampleSeed(9, 1, 5)); // position 5 = sample 5, in batch 1 at row 1
    for (let j = 0; j < 6; j++) expected[j] = (50 + j) / 255 + random();
    expect(images[1]!.subarray(6, 12)).toEqual(expected);
  });

  it('visits the indices a sampler gives, and refuses a sampler together with shuffle', async () => {
    const sampler = new SubsetRandomSampler([8, 1, 5], { seed: 2 });
    const { labels, images } = await rawEpoch(new DataLoader(pattern(), { batchSize: 2, sampler }));
    expect(images.map((b) => b.length)).toEqual([12, 6]);
    const visited = [images[0]![0]!, images[0]![6]!, images[1]![0]!].map((v) => v / 10);
    expect(visited).toEqual(Array.from(sampler.indices(0)));
    expect(labels.flat()).toEqual(visited.map((i) => i % 4));
    expect(() => new DataLoader(pattern(), { batchSize: 2, sampler, shuffle: true })).toThrow('pass either shuffle or a sampler, not both');
    const outside = new SubsetRandomSampler([3, 10]);
    await expect(rawEpoch(new DataLoader(pattern(), { batchSize: 2, sampler: outside }))).rejects.toThrow("the sampler gave index 10, outside the dataset's 0..9");
  });

  it('names the sample and its file when get or the transform fails, or skips and lists them', async () => {
    const bad = pattern({ bad: [6], async: true });
    const error = await rawEpoch(new DataLoader(bad, { batchSize: 4 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SampleError);
    expect((error as SampleError).message).toBe(
      "DataLoader: sample 6 could not be read: Cannot decode image /data/img-6.jpg: the file is corrupt (the DataLoader option onError: 'skip' drops bad samples and lists them in loader.skipped)",
    );
    expect((error as SampleError).file).toBe('/data/img-6.jpg');
    const refusing = new NoiseTransform(30); // sample 3 starts with 30
    await expect(rawEpoch(new DataLoader(pattern(), { batchSize: 4, sampleTransform: refusing }))).rejects.toThrow(
      'DataLoader: sample 3 (/data/img-3.jpg) could not be transformed: NoiseTransform: refusing an image starting with 30',
    );

    const before = tf.memory().numTensors;
    const skipping = new DataLoader(pattern({ bad: [1, 4, 5, 6, 7] }), { batchSize: 4, onError: 'skip', sampleTransform: refusing });
    const result = await rawEpoch(skipping);
    expect(result.labels).toEqual([[0, 2], [0, 1]]); // batch 1 (4..7) lost every sample and is left out
    expect(skipping.skipped).toEqual([
      { index: 1, file: '/data/img-1.jpg', reason: 'Cannot decode image /data/img-1.jpg: the file is corrupt' },
      { index: 3, file: '/data/img-3.jpg', reason: 'NoiseTransform: refusing an image starting with 30' },
      ...[4, 5, 6, 7].map((index) => ({ index, file: `/data/img-${index}.jpg`, reason: `Cannot decode image /data/img-${index}.jpg: the file is corrupt` })),
    ]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses batches whose transformed images differ in shape', async () => {
    await expect(rawEpoch(new DataLoader(pattern({ oddShapeAt: 2 }), { batchSize: 4, onError: 'skip' }))).rejects.toThrow(
      "collate: sample 2 is 1x1x1 but the batch's first sample is 2x3x1",
    );
  });

  it('validates the new options', () => {
    expect(() => new DataLoader(pattern(), { batchSize: 2, numWorkers: -1 })).toThrow('DataLoader: numWorkers must be a non-negative integer, got -1.');
    expect(() => new DataLoader(pattern(), { batchSize: 2, onError: 'ignore' as 'skip' })).toThrow(`onError must be 'throw' or 'skip', got "ignore"`);
    expect(() => new DataLoader(pattern(), { batchSize: 2, sampleTransform: (() => 0) as unknown as ImageTransform })).toThrow('sampleTransform must be an ImageTransform');
    expect(() => new DataLoader(tiny(), { batchSize: 2, numWorkers: 1 })).toThrow(
      'DataLoader: numWorkers is 1, but the dataset (ImageArrayDataset) has no workerRecipe(), so worker threads cannot rebuild it',
    );
    const local: ImageTransform = { apply: (image) => image };
    expect(() => new DataLoader(pattern(), { batchSize: 2, numWorkers: 2, sampleTransform: local })).toThrow(
      'DataLoader: numWorkers is 2, but the sampleTransform (Object) has no workerRecipe()',
    );
  });
});

describe('DataLoader with worker threads', () => {
  const loaders: DataLoader[] = [];
  const make = (dataset: Dataset, options: DataLoaderOptions): DataLoader => {
    const loader = new DataLoader(dataset, options);
    loaders.push(loader);
    return loader;
  };
  afterAll(async () => {
    await Promise.all(loaders.map((loader) => loader.close()));
  });

  it('gives the same batches, bit for bit, with 0, 1 and 2 workers, over two epochs', async () => {
    const dataset = pattern({ size: 23, async: true });
    const options = { batchSize: 4, shuffle: true, seed: 17, sampleTransform: new NoiseTransform() };
    const serial = make(dataset, options);
    const runs = [serial, make(dataset, { ...options, numWorkers: 1 }), make(dataset, { ...options, numWorkers: 2, prefetch: 3 })];
    const results = [];
    for (const loader of runs) results.push([await rawEpoch(loader), await rawEpoch(loader)]);
    expect(results[0]![0]!.images).toHaveLength(6);
    expect(results[0]![0]!.images[0]).not.toEqual(results[0]![1]!.images[0]);
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it('skips bad samples in workers and reports them as the main thread does, or names them', async () => {
    const dataset = pattern({ bad: [2, 9], async: true });
    const local = await rawEpoch(make(dataset, { batchSize: 4, onError: 'skip' }));
    const loader = make(dataset, { batchSize: 4, onError: 'skip', numWorkers: 2 });
    expect(await rawEpoch(loader)).toEqual(local);
    expect(loader.skipped.map((s) => [s.index, s.file])).toEqual([[2, '/data/img-2.jpg'], [9, '/data/img-9.jpg']]);
    const strict = make(dataset, { batchSize: 4, numWorkers: 1 });
    const error = await rawEpoch(strict).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SampleError);
    expect(error).toMatchObject({ index: 2, file: '/data/img-2.jpg', stage: 'get' });
  });

  it('keeps its workers across epochs, and starts new ones after close()', async () => {
    const dataset = pattern({ async: true, bad: [0], tellThread: true });
    const loader = make(dataset, { batchSize: 4, shuffle: true, numWorkers: 1, onError: 'skip', sampleTransform: new NoiseTransform() });
    const thread = () => /\(thread (\d+)\)/.exec(loader.skipped[0]!.reason)![1];
    const first = await rawEpoch(loader);
    const firstThread = thread();
    expect(firstThread).not.toBe(String(threadId));
    await rawEpoch(loader);
    expect(thread()).toBe(firstThread);
    await loader.close();
    await loader.close(); // idempotent
    loader.setEpoch(0);
    expect(await rawEpoch(loader)).toEqual(first);
    expect(thread()).not.toBe(firstThread);
    await loader[Symbol.asyncDispose]();
  });

  it('disposes the batches that workers deliver after the consumer left', async () => {
    const loader = make(pattern({ size: 40 }), { batchSize: 2, numWorkers: 1, prefetch: 4 });
    const before = tf.memory().numTensors;
    for await (const batch of loader) {
      tf.dispose([batch.images, batch.labels]);
      break; // batches 1..4 are still being prepared or in flight
    }
    await new Promise((resolve) => setTimeout(resolve, 300)); // they arrive, and must be disposed
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports a worker that dies, and one that cannot rebuild the dataset', async () => {
    const before = tf.memory().numTensors;
    const crashing = make(pattern({ crashAt: 5 }), { batchSize: 2, numWorkers: 1 });
    await expect(rawEpoch(crashing)).rejects.toThrow('DataLoader: worker thread 1 of 1 failed: simulated crash reading sample 5');
    expect(tf.memory().numTensors).toBe(before);
    const broken = pattern();
    broken.workerRecipe = () => ({ module: new URL('./__fixtures__/loader-datasets.ts', import.meta.url).href, factory: 'noSuchFactory', args: [] });
    await expect(rawEpoch(make(broken, { batchSize: 2, numWorkers: 1 }))).rejects.toThrow(
      /worker thread 1 of 1 failed: DataLoader worker: cannot rebuild the dataset with its workerRecipe, noSuchFactory\(...\) from file:.*loader-datasets.ts: the module has no exported function "noSuchFactory"/,
    );
  });

  it('does not keep the process alive after an epoch, even without close()', async () => {
    const source = (file: string) => JSON.stringify(new URL(file, import.meta.url).href);
    const script = `
      await import('@tensorflow/tfjs-backend-cpu');
      const { DataLoader } = await import(${source('./loader.ts')});
      const { PatternDataset } = await import(${source('./__fixtures__/loader-datasets.ts')});
      const loader = new DataLoader(new PatternDataset({ size: 6, async: true }), { batchSize: 2, numWorkers: 2 });
      let samples = 0;
      for await (const batch of loader) { samples += batch.images.shape[0]; batch.images.dispose(); batch.labels.dispose(); }
      console.log('samples', samples);`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@cnn/source', '--import', 'tsx', '--input-type=module', '--eval', script],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), timeout: 60_000 },
    );
    expect(stdout).toContain('samples 6');
  });
});
