import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Dataset, Sample } from './dataset.js';
import { ImageArrayDataset } from './image-array-dataset.js';
import { DataLoader, type Batch } from './loader.js';
import { shuffledIndices } from './random.js';

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
