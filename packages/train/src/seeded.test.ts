import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../backend/src/index.js';
import { fit } from './fit.js';
import { History } from './history.js';
import { globalRandom, SeededRandom, withSeed } from './random-state.js';
import type { Batch, BatchSource } from './types.js';

function data(): BatchSource {
  return {
    length: 6,
    async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
      for (let b = 0; b < 6; b += 1) {
        const ids = Array.from({ length: 8 }, (_, i) => b * 8 + i);
        const xs = ids.flatMap((i) => [(i % 2 ? 1 : -1) + Math.cos(i * 7.3), (i % 2 ? 1 : -1) + Math.sin(i * 3.1)]);
        yield { images: tf.tensor4d(xs, [8, 1, 1, 2]), labels: tf.tensor1d(ids.map((i) => i % 2), 'int32') };
      }
    },
  };
}

/** Per-step losses of a dropout network whose initial weights and dropout masks all come from the seed. */
async function seededLosses(seed: number): Promise<number[]> {
  const model = await withSeed(seed, () =>
    tfl.sequential({
      layers: [
        tfl.layers.flatten({ inputShape: [1, 1, 2] }),
        tfl.layers.dense({ units: 16, activation: 'relu' }),
        tfl.layers.dropout({ rate: 0.5 }),
        tfl.layers.dense({ units: 2 }),
      ],
    }),
  );
  const history = new History();
  await fit(model, data(), { epochs: 2, optimizer: { name: 'sgd', learningRate: 0.2 }, seed, callbacks: [history] });
  model.dispose();
  return history.records.map((r) => r.loss!);
}

describe('seeded runs', () => {
  it('SeededRandom is reproducible, restorable and uniform-looking; withSeed restores Math.random', async () => {
    const a = new SeededRandom(42);
    const first = [a.next(), a.next()];
    const state = a.getState();
    const next = a.next();
    const b = new SeededRandom(42);
    expect([b.next(), b.next()]).toEqual(first);
    b.setState(state);
    expect(b.next()).toBe(next);
    const values = Array.from({ length: 2000 }, () => a.next());
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(values.reduce((s, v) => s + v, 0) / values.length).toBeCloseTo(0.5, 1);
    const original = Math.random;
    expect(await withSeed(1, () => [Math.random(), Math.random()])).toEqual(await withSeed(1, () => [Math.random(), Math.random()]));
    expect(Math.random).toBe(original);
    expect(globalRandom()).toBeUndefined();
    expect(() => new SeededRandom(Number.NaN)).toThrow(/seed must be a finite number, got NaN/);
  });

  it('gives the same per-step losses with the same seed on CPU, twice, and differs with another seed', async () => {
    await selectBackend({ backend: 'cpu' });
    const first = await seededLosses(3);
    expect(await seededLosses(3)).toEqual(first);
    expect(await seededLosses(4)).not.toEqual(first);
    expect(first).toHaveLength(12);
  });

  it('gives the same per-step losses with the same seed on WASM, twice', async () => {
    await selectBackend({ backend: 'wasm' });
    expect(tf.getBackend()).toBe('wasm');
    const first = await seededLosses(3);
    expect(await seededLosses(3)).toEqual(first);
    expect(first.every(Number.isFinite)).toBe(true);
    await selectBackend({ backend: 'cpu' });
  });
});
