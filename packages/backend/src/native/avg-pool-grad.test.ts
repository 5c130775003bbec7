import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { relativeError, runOn, seededRandom } from '../__fixtures__/conv-cases.js';
import { selectBackend } from '../index.js';
import { avgPoolGradWasmConfig } from './avg-pool-grad.js';

/** Float32 sums of up to 16 values in another order than the CPU backend's. */
const TOLERANCE = 1e-6;

type PoolPad = 'same' | 'valid' | number | [[0, 0], [number, number], [number, number], [0, 0]];

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
  await selectBackend({ backend: 'wasm' });
});

describe('AvgPoolGrad on WASM (compiled SIMD) matches the CPU backend', () => {
  it('replaces the stock wasm kernel', () => {
    expect(tf.getKernel('AvgPoolGrad', 'wasm')).toBe(avgPoolGradWasmConfig);
  });

  it('over random shapes, windows 1-4, strides 1-3, paddings and channels 1-17', async () => {
    const random = seededRandom(23);
    const pick = <T>(options: readonly T[]): T => options[Math.floor(random() * options.length)] as T;
    let checked = 0;
    for (let i = 0; i < 80; i++) {
      const filterSize: [number, number] = [1 + Math.floor(random() * 4), 1 + Math.floor(random() * 4)];
      const strides: [number, number] = [1 + Math.floor(random() * 3), 1 + Math.floor(random() * 3)];
      const amount = () => Math.floor(random() * 3);
      const pad = pick<PoolPad>(['same', 'valid', 1, [[0, 0], [amount(), amount()], [amount(), amount()], [0, 0]]]);
      const xShape: [number, number, number, number] = [1 + Math.floor(random() * 2), 3 + Math.floor(random() * 9), 3 + Math.floor(random() * 9), 1 + Math.floor(random() * 17)];
      const info = backend_util.computePool2DInfo(xShape, filterSize, strides, 1, pad);
      if (info.outHeight < 1 || info.outWidth < 1) continue;
      const dy = Float32Array.from({ length: tf.util.sizeFromShape(info.outShape) }, () => random() * 2 - 1);
      const run = () =>
        tf.engine().runKernel('AvgPoolGrad', { dy: tf.tensor4d(dy, info.outShape), input: tf.zeros(xShape) }, { filterSize, strides, pad } as never) as tf.Tensor;
      const expected = await runOn('cpu', run);
      const before = tf.memory().numTensors;
      const actual = await runOn('wasm', run);
      expect(tf.memory().numTensors).toBe(before);
      const error = relativeError(actual, expected);
      if (!(error <= TOLERANCE)) {
        throw new Error(`x [${xShape.join()}] window ${filterSize.join('x')} strides ${strides.join()} pad ${JSON.stringify(pad)}: relative error ${error}`);
      }
      checked += 1;
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('is the gradient tf.grad takes of tf.avgPool', async () => {
    const x = Float32Array.from({ length: 2 * 9 * 7 * 5 }, (_, i) => Math.sin(i));
    const weights = Float32Array.from({ length: 2 * 5 * 7 * 5 }, (_, i) => Math.cos(i));
    const loss = (input: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(input as tf.Tensor4D, [3, 2], [2, 1], 'same'), tf.tensor4d(weights, [2, 5, 7, 5])));
    const run = () => tf.grad(loss)(tf.tensor4d(x, [2, 9, 7, 5]));
    const expected = await runOn('cpu', run);
    const actual = await runOn('wasm', run);
    expect(relativeError(actual, expected)).toBeLessThanOrEqual(TOLERANCE);
  });
});
