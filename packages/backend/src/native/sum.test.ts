import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { relativeError, runOn, seededRandom } from '../__fixtures__/conv-cases.js';
import { selectBackend } from '../index.js';
import { leadingAxes, sumWasmConfig } from './sum.js';

/** Float32 sums of up to 80,000 values in another order than the CPU backend's. */
const TOLERANCE = 1e-5;

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
  await selectBackend({ backend: 'wasm' });
});

describe('the compiled leading-axes Sum', () => {
  it('is the registered wasm Sum', () => {
    expect(tf.getKernel('Sum', 'wasm')).toBe(sumWasmConfig);
  });

  it('recognises leading axes in any order and with negative indices, and nothing else', () => {
    expect(leadingAxes([0, 1, 2], 4)).toBe(3);
    expect(leadingAxes([2, 0, 1], 4)).toBe(3);
    expect(leadingAxes(0, 2)).toBe(1);
    expect(leadingAxes([-4, -3], 4)).toBe(2);
    expect(leadingAxes([0, 1, 2, 3], 4)).toBe(4);
    expect(leadingAxes([1, 2], 4)).toBe(0);
    expect(leadingAxes([0, 2], 4)).toBe(0);
    expect(leadingAxes(3, 4)).toBe(0);
  });

  it('matches the CPU backend on random shapes and axes (leading or not, keepDims, every column count)', async () => {
    const random = seededRandom(61);
    const int = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
    for (let i = 0; i < 150; i++) {
      const rank = int(1, 5);
      const shape = Array.from({ length: rank }, () => int(1, 9));
      const k = int(1, rank);
      const leading = random() < 0.75;
      const axes = leading ? Array.from({ length: k }, (_, a) => a) : Array.from({ length: k }, () => int(0, rank - 1));
      const keepDims = random() < 0.3;
      const values = Float32Array.from({ length: tf.util.sizeFromShape(shape) }, () => random() * 2 - 1);
      const run = () => tf.sum(tf.tensor(values, shape), [...new Set(axes)], keepDims);
      const expected = await runOn('cpu', run);
      const actual = await runOn('wasm', run);
      const describe = JSON.stringify({ shape, axes, keepDims });
      expect(actual.shape, describe).toEqual(expected.shape);
      expect(relativeError(actual, expected), describe).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('matches on bias-gradient shapes (LeNet, ResNet, an odd row count) and on empty batches', async () => {
    const random = seededRandom(62);
    for (const shape of [[100, 28, 28, 6], [64, 8, 8, 512], [3, 5, 7, 37], [999, 19]]) {
      const values = Float32Array.from({ length: tf.util.sizeFromShape(shape) }, () => random() * 2 - 1);
      const axes = shape.slice(0, -1).map((_, a) => a);
      const run = () => tf.sum(tf.tensor(values, shape), axes);
      expect(relativeError(await runOn('wasm', run), await runOn('cpu', run)), JSON.stringify(shape)).toBeLessThanOrEqual(TOLERANCE);
    }
    const empty = await runOn('wasm', () => tf.sum(tf.zeros([0, 3, 8]), [0, 1]));
    expect(Array.from(empty.values)).toEqual(new Array(8).fill(0));
  });

  it('leaves no tensors behind, and int32 to the stock kernel', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const ints = tf.tidy(() => tf.sum(tf.reshape(tf.range(0, 24, 1, 'int32'), [6, 4]), 0));
    expect(Array.from(ints.dataSync())).toEqual([60, 66, 72, 78]);
    ints.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
