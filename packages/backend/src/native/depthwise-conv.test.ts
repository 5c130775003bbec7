import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { relativeError, runOn, seededRandom } from '../__fixtures__/conv-cases.js';
import { selectBackend } from '../index.js';
import { depthwiseConv2dNativeWasmConfig } from './depthwise-conv.js';

/** Float32 sums of up to 49 products in another order than the CPU backend's. */
const TOLERANCE = 1e-5;

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
  await selectBackend({ backend: 'wasm' });
});

describe('DepthwiseConv2dNative on WASM (compiled SIMD) matches the CPU backend', () => {
  it('replaces the stock wasm kernel', () => {
    expect(tf.getKernel('DepthwiseConv2dNative', 'wasm')).toBe(depthwiseConv2dNativeWasmConfig);
  });

  it('over random shapes, channel counts, filter sizes, strides, dilations and paddings', async () => {
    const random = seededRandom(17);
    const pick = <T>(options: readonly T[]): T => options[Math.floor(random() * options.length)] as T;
    for (let i = 0; i < 60; i++) {
      const filterSize = pick([1, 2, 3, 5, 7]);
      const stride = pick([1, 1, 2]);
      const dilation = stride === 1 ? pick([1, 1, 2]) : 1;
      const channels = pick([1, 3, 4, 5, 16, 19, 32, 36]);
      const multiplier = i % 10 === 9 ? 2 : 1; // the stock kernel's case
      const xShape: [number, number, number, number] = [1 + Math.floor(random() * 3), 4 + Math.floor(random() * 10), 4 + Math.floor(random() * 10), channels];
      const pad = pick<'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]]>([
        'same',
        'valid',
        [[0, 0], [1, 2], [3, 0], [0, 0]],
      ]);
      if (pad !== 'same' && (xShape[1] < (filterSize - 1) * dilation + 1 || xShape[2] < (filterSize - 1) * dilation + 1)) continue;
      const x = Float32Array.from({ length: tf.util.sizeFromShape(xShape) }, () => random() * 2 - 1);
      const filterShape: [number, number, number, number] = [filterSize, filterSize, channels, multiplier];
      const w = Float32Array.from({ length: tf.util.sizeFromShape(filterShape) }, () => random() * 2 - 1);
      const make = () => tf.depthwiseConv2d(tf.tensor4d(x, xShape), tf.tensor4d(w, filterShape), stride, pad, 'NHWC', dilation);
      const expected = await runOn('cpu', make);
      const before = tf.memory().numTensors;
      const actual = await runOn('wasm', make);
      expect(tf.memory().numTensors).toBe(before);
      const error = relativeError(actual, expected);
      if (!(error <= TOLERANCE)) {
        throw new Error(`x [${xShape.join()}] filter ${filterSize}x${filterSize}x${multiplier} stride ${stride} dilation ${dilation} pad ${JSON.stringify(pad)}: relative error ${error}`);
      }
    }
  });
});
