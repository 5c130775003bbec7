import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { dilatedFilterShape, relativeError, runOn, randomCompiledConvCase, seededRandom } from '../__fixtures__/conv-cases.js';
import type { CompiledConvCase } from '../__fixtures__/conv-cases.js';
import { selectBackend } from '../index.js';
import { nativeConv2DBackpropFilter } from './conv-filter-grad.js';
import { backendMemory } from './native-module.js';
import type { WasmBackendInternals } from './native-module.js';

/** Float32 sums of up to a few thousand products in another order than the CPU backend's. */
const TOLERANCE = 1e-5;

type FilterCase = CompiledConvCase;

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
  await selectBackend({ backend: 'wasm' });
});

/** Channel counts: up to 19 (the direct tiles), or 8-40 in and 30-70 out (x packed into panels, see the .c file). */
function randomCase(random: () => number, wide = false): FilterCase {
  return wide
    ? randomCompiledConvCase(random, { filterSide: [1, 4], inChannels: [8, 40], outChannels: [30, 70], batch: [1, 2], side: [3, 8] })
    : randomCompiledConvCase(random, { filterSide: [1, 5], inChannels: [1, 19], outChannels: [1, 19], batch: [1, 3], side: [3, 13] });
}

/** dW on the CPU backend, whose kernel ignores dilations: run on the zero-dilated filter shape, keep every d-th tap. */
function reference(c: FilterCase): tf.Tensor {
  const dilated = dilatedFilterShape(c.filterShape, c.dilations);
  const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: 1, filterShape: dilated };
  const full = tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor4d(c.x, c.xShape), dy: tf.tensor4d(c.dy, c.info.outShape) }, attrs as never) as tf.Tensor4D;
  return tf.stridedSlice(full, [0, 0, 0, 0], dilated, [c.dilations[0], c.dilations[1], 1, 1]);
}

/** dW from the compiled kernel itself (not through the kernel registry, so that a fallback cannot hide a failure). */
function compiled(c: FilterCase): tf.Tensor {
  const x = tf.tensor4d(c.x, c.xShape);
  const dy = tf.tensor4d(c.dy, c.info.outShape);
  const gradient = nativeConv2DBackpropFilter(tf.backend(), x, dy, c.info);
  if (gradient === undefined) throw new Error('the compiled filter gradient is unavailable');
  return tf.engine().makeTensorFromTensorInfo(gradient);
}

describe('the compiled Conv2DBackpropFilter (WASM SIMD) matches the CPU backend', () => {
  it('over random batches, channels 1-19, odd sizes, strides 1-3, dilations 1-2, paddings and 1x1 to 5x5 filters', async () => {
    const random = seededRandom(31);
    for (let i = 0; i < 80; i++) {
      const c = randomCase(random);
      const expected = await runOn('cpu', () => reference(c));
      const actual = await runOn('wasm', () => compiled(c));
      const error = relativeError(actual, expected);
      if (!(error <= TOLERANCE)) throw new Error(`${c.describe}: relative error ${error}`);
    }
  });

  it('with 30-70 output channels (x packed into panels), 1x1 filters included', async () => {
    const random = seededRandom(33);
    for (let i = 0; i < 30; i++) {
      const c = randomCase(random, true);
      const expected = await runOn('cpu', () => reference(c));
      const actual = await runOn('wasm', () => compiled(c));
      const error = relativeError(actual, expected);
      if (!(error <= TOLERANCE)) throw new Error(`${c.describe}: relative error ${error}`);
    }
  });

  it('runs as the wasm Conv2DBackpropFilter kernel (tf.grad of conv2d) without leaking tensors or memory', async () => {
    const random = seededRandom(32);
    const x = Float32Array.from({ length: 2 * 11 * 9 * 7 }, () => random() * 2 - 1);
    const filter = Float32Array.from({ length: 3 * 5 * 7 * 10 }, () => random() * 2 - 1);
    const run = () => tf.grad((w: tf.Tensor) => tf.sum(tf.square(tf.conv2d(tf.tensor4d(x, [2, 11, 9, 7]), w as tf.Tensor4D, [2, 1], 'same'))))(tf.tensor4d(filter, [3, 5, 7, 10]));
    const expected = await runOn('cpu', run);
    await runOn('wasm', run);
    const tensors = tf.memory().numTensors;
    const bytes = tf.memory().numBytes;
    const heap = backendMemory(tf.backend() as WasmBackendInternals)?.buffer.byteLength;
    expect(heap).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) {
      const actual = await runOn('wasm', run);
      expect(relativeError(actual, expected)).toBeLessThanOrEqual(TOLERANCE);
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.memory().numBytes).toBe(bytes);
    expect(backendMemory(tf.backend() as WasmBackendInternals)?.buffer.byteLength).toBe(heap);
  });

  it('gives its scratch memory back: the heap does not grow over calls that each need 16 MB of it', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([16, 64, 64, 64]);
    const dy = tf.ones([16, 64, 64, 64]);
    const info = backend_util.computeConv2DInfo([16, 64, 64, 64], [1, 1, 64, 64], 1, 1, 'valid');
    const call = () => tf.engine().makeTensorFromTensorInfo(nativeConv2DBackpropFilter(tf.backend(), x, dy, info)!).dispose();
    call();
    const heap = backendMemory(tf.backend() as WasmBackendInternals)?.buffer.byteLength;
    for (let i = 0; i < 8; i++) call();
    expect(backendMemory(tf.backend() as WasmBackendInternals)?.buffer.byteLength).toBe(heap);
    tf.dispose([x, dy]);
  });
});
