import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { dilateFilter, dilatedFilterShape, relativeError, runOn, randomCompiledConvCase, seededRandom } from '../__fixtures__/conv-cases.js';
import type { CompiledConvCase } from '../__fixtures__/conv-cases.js';
import { selectBackend } from '../index.js';
import { useCompiledInputGradient } from '../kernels/Conv2DBackpropInput.js';
import { nativeConv2D, nativeConv2DBackpropInput, useCompiledForward } from './conv2d.js';
import { backendMemory } from './native-module.js';
import type { WasmBackendInternals } from './native-module.js';

/** Float32 sums of up to a few thousand products in another order than the CPU backend's. */
const TOLERANCE = 1e-5;

type Case = CompiledConvCase;

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
  await selectBackend({ backend: 'wasm' });
});

/** Channels 1-19 (every tile shape and partial vector), or 30-70 (several 16-channel blocks). */
function randomCase(random: () => number, wide = false): Case {
  return wide
    ? randomCompiledConvCase(random, { filterSide: [1, 3], inChannels: [30, 70], outChannels: [30, 70], batch: [1, 2], side: [3, 8] })
    : randomCompiledConvCase(random, { filterSide: [1, 5], inChannels: [1, 19], outChannels: [1, 19], batch: [1, 3], side: [3, 13] });
}

/** dx on the CPU backend, whose kernel ignores dilations: run on the zero-dilated filter. */
function referenceInputGrad(c: Case): tf.Tensor {
  const filter = tf.tensor4d(dilateFilter(c.filter, c.filterShape, c.dilations), dilatedFilterShape(c.filterShape, c.dilations));
  const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: 1, inputShape: c.xShape };
  return tf.engine().runKernel('Conv2DBackpropInput', { dy: tf.tensor4d(c.dy, c.info.outShape), filter }, attrs as never) as tf.Tensor;
}

/** The forward convolution on the CPU backend, with bias and ReLU as separate ops. */
function referenceForward(c: Case, bias: boolean, relu: boolean): tf.Tensor {
  let y: tf.Tensor = tf.conv2d(tf.tensor4d(c.x, c.xShape), tf.tensor4d(c.filter, c.filterShape), c.strides, c.pad as never, 'NHWC', c.dilations);
  if (bias) y = tf.add(y, tf.tensor1d(c.bias));
  return relu ? tf.relu(y) : y;
}

/** The compiled kernels themselves (not through the kernel registry, so that a fallback cannot hide a failure). */
function compiledInputGrad(c: Case): tf.Tensor {
  const dx = nativeConv2DBackpropInput(tf.backend(), tf.tensor4d(c.dy, c.info.outShape), tf.tensor4d(c.filter, c.filterShape), c.info);
  if (dx === undefined) throw new Error('the compiled input gradient is unavailable');
  return tf.engine().makeTensorFromTensorInfo(dx);
}

function compiledForward(c: Case, bias: boolean, relu: boolean): tf.Tensor {
  const biasTensor = bias ? tf.tensor1d(c.bias) : undefined;
  const y = nativeConv2D(tf.backend(), tf.tensor4d(c.x, c.xShape), tf.tensor4d(c.filter, c.filterShape), biasTensor, c.info, relu);
  if (y === undefined) throw new Error('the compiled convolution is unavailable');
  return tf.engine().makeTensorFromTensorInfo(y);
}

async function expectClose(c: Case, expected: () => tf.Tensor, actual: () => tf.Tensor, what: string): Promise<void> {
  const error = relativeError(await runOn('wasm', actual), await runOn('cpu', expected));
  if (!(error <= TOLERANCE)) throw new Error(`${what} ${c.describe}: relative error ${error}`);
}

describe('the compiled Conv2DBackpropInput (WASM SIMD) matches the CPU backend', () => {
  it('over random batches, channels 1-19, odd sizes, strides 1-3, dilations 1-2, paddings and 1x1 to 5x5 filters', async () => {
    const random = seededRandom(41);
    for (let i = 0; i < 80; i++) {
      const c = randomCase(random);
      await expectClose(c, () => referenceInputGrad(c), () => compiledInputGrad(c), 'dx');
    }
  });

  it('with 30-70 channels (several blocks of 16)', async () => {
    const random = seededRandom(42);
    for (let i = 0; i < 25; i++) {
      const c = randomCase(random, true);
      await expectClose(c, () => referenceInputGrad(c), () => compiledInputGrad(c), 'dx');
    }
  });
});

describe('the compiled Conv2D (WASM SIMD) matches the CPU backend', () => {
  it('over random shapes as above, with and without bias and ReLU', async () => {
    const random = seededRandom(43);
    for (let i = 0; i < 80; i++) {
      const c = randomCase(random);
      const bias = i % 2 === 0;
      const relu = i % 4 < 2;
      await expectClose(c, () => referenceForward(c, bias, relu), () => compiledForward(c, bias, relu), `y (bias ${bias}, relu ${relu})`);
    }
  });

  it('with 30-70 channels (several blocks of 16)', async () => {
    const random = seededRandom(44);
    for (let i = 0; i < 25; i++) {
      const c = randomCase(random, true);
      await expectClose(c, () => referenceForward(c, true, false), () => compiledForward(c, true, false), 'y');
    }
  });
});

describe('the wasm Conv2D, FusedConv2D and Conv2DBackpropInput kernels', () => {
  const random = seededRandom(45);
  const values = (n: number) => Float32Array.from({ length: n }, () => random() * 2 - 1);
  const x = values(2 * 9 * 11 * 5);
  const filter = values(3 * 2 * 5 * 7);
  const bias = values(7);
  const xOf = () => tf.tensor4d(x, [2, 9, 11, 5]);
  const filterOf = () => tf.tensor4d(filter, [3, 2, 5, 7]);

  it('run the compiled convolution for tf.conv2d and tf.fused.conv2d (bias, relu) and the stock one for other activations', async () => {
    const runs: Array<() => tf.Tensor> = [
      () => tf.conv2d(xOf(), filterOf(), [2, 1], 'same'),
      () => tf.fused.conv2d({ x: xOf(), filter: filterOf(), strides: 1, pad: 'valid', bias: tf.tensor1d(bias), activation: 'relu' }),
      () => tf.fused.conv2d({ x: xOf(), filter: filterOf(), strides: 1, pad: 'same', bias: tf.tensor1d(bias), activation: 'elu' }),
      () => tf.fused.conv2d({ x: xOf(), filter: filterOf(), strides: 1, pad: 'same', bias: tf.tensor1d(bias), activation: 'prelu', preluActivationWeights: tf.scalar(0.2) }),
      () => tf.fused.conv2d({ x: xOf(), filter: filterOf(), strides: 1, pad: 'same', activation: 'relu6', dilations: 2 }),
    ];
    for (const run of runs) {
      const expected = await runOn('cpu', run);
      expect(relativeError(await runOn('wasm', run), expected)).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('leave only strided input gradients of 1-3 input channels to the composed path', () => {
    const info = (channels: number, stride: number) => backend_util.computeConv2DInfo([1, 8, 8, channels], [3, 3, channels, 8], stride, 1, 'same');
    expect([useCompiledInputGradient(info(3, 2)), useCompiledInputGradient(info(3, 1)), useCompiledInputGradient(info(4, 2))]).toEqual([false, true, true]);
  });

  it('leave forward convolutions of fewer than 64 output pixels to XNNPACK (which keeps packed filters)', () => {
    const info = (batch: number, size: number) => backend_util.computeConv2DInfo([batch, size, size, 8], [3, 3, 8, 8], 1, 1, 'same');
    expect([useCompiledForward(info(1, 7)), useCompiledForward(info(1, 8)), useCompiledForward(info(4, 4))]).toEqual([false, true, true]);
  });

  it('give the gradients of a fused convolution (tf.grad) without leaking tensors or memory', async () => {
    const loss = (w: tf.Tensor) =>
      tf.sum(tf.square(tf.fused.conv2d({ x: xOf(), filter: w as tf.Tensor4D, strides: 2, pad: 'same', bias: tf.tensor1d(bias), activation: 'relu' })));
    const run = () => {
      const [dx, dw] = tf.grads((input: tf.Tensor, w: tf.Tensor) =>
        tf.sum(tf.square(tf.fused.conv2d({ x: input as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 2, pad: 'same', bias: tf.tensor1d(bias), activation: 'relu' }))),
      )([xOf(), filterOf()]);
      return tf.concat([tf.reshape(dx!, [-1]), tf.reshape(dw!, [-1]), tf.reshape(loss(filterOf()), [-1])]);
    };
    const expected = await runOn('cpu', run);
    await runOn('wasm', run);
    const tensors = tf.memory().numTensors;
    const heap = backendMemory(tf.backend() as WasmBackendInternals)?.buffer.byteLength;
    for (let i = 0; i < 3; i++) expect(relativeError(await runOn('wasm', run), expected)).toBeLessThanOrEqual(TOLERANCE);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(backendMemory(tf.backend() as WasmBackendInternals)?.buffer.byteLength).toBe(heap);
  });
});

describe('the compiled convolutions free their scratch memory', () => {
  it('the heap does not grow over calls that each need megabytes of it', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([8, 32, 32, 32]);
    const filter = tf.ones([3, 3, 32, 32]);
    const info = backend_util.computeConv2DInfo([8, 32, 32, 32], [3, 3, 32, 32], 2, 1, 'same');
    const dy = tf.ones(info.outShape);
    const call = () => {
      tf.engine().makeTensorFromTensorInfo(nativeConv2DBackpropInput(tf.backend(), dy, filter, info)!).dispose();
      tf.engine().makeTensorFromTensorInfo(nativeConv2D(tf.backend(), x, filter, undefined, info, true)!).dispose();
    };
    call();
    const heap = backendMemory(tf.backend() as WasmBackendInternals)?.buffer.byteLength;
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 6; i++) call();
    expect(backendMemory(tf.backend() as WasmBackendInternals)?.buffer.byteLength).toBe(heap);
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose([x, filter, dy]);
  });
});
