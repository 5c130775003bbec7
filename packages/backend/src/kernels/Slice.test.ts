import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { relativeError, runOn, seededRandom } from '../__fixtures__/conv-cases.js';
import { selectBackend } from '../index.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
  await selectBackend({ backend: 'wasm' });
});

describe('the wasm Slice', () => {
  it('matches the CPU backend on random float32 slices of rank 1-5 (whole trailing axes, -1 sizes, empty slices)', async () => {
    const random = seededRandom(51);
    const int = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
    for (let i = 0; i < 200; i++) {
      const shape = Array.from({ length: int(1, 5) }, () => int(1, 6));
      const begin = shape.map((d) => (random() < 0.4 ? 0 : int(0, d - 1)));
      const size = shape.map((d, axis) => {
        const roll = random();
        if (roll < 0.3) return d - begin[axis]!; // to the end: trailing axes often kept whole
        if (roll < 0.4) return -1;
        return int(0, d - begin[axis]!);
      });
      const values = Float32Array.from({ length: tf.util.sizeFromShape(shape) }, () => random() * 2 - 1);
      const run = () => tf.slice(tf.tensor(values, shape), begin, size);
      const expected = await runOn('cpu', run);
      const actual = await runOn('wasm', run);
      const describe = JSON.stringify({ shape, begin, size });
      expect(relativeError(actual, expected), describe).toBe(0);
    }
  });

  it('leaves int32 to the stock kernel and no tensors behind', async () => {
    const run = () => tf.slice(tf.reshape(tf.range(0, 60, 1, 'int32'), [3, 4, 5]), [1, 1, 0], [2, 2, 5]);
    const expected = await runOn('cpu', run);
    await tf.setBackend('wasm');
    const tensors = tf.memory().numTensors;
    const actual = await runOn('wasm', run);
    expect(Array.from(actual.values)).toEqual(Array.from(expected.values));
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
