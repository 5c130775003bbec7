import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
// tfjs-core's Node entry point registers no gradients; its ESM build does (vitest resolves its extensionless imports).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  dilatedFilterShape,
  dilateFilter,
  randomConvCase,
  relativeError,
  runOn,
  seededRandom,
  type ConvCase,
} from './__fixtures__/conv-cases.js';
import { registerWasmTrainingKernels, selectBackend, WASM_TRAINING_KERNEL_NAMES, wasmTrainingKernelConfigs } from './index.js';
import { composedConv2DBackpropFilter } from './kernels/Conv2DBackpropFilter.js';
import { composedConv2DBackpropInput } from './kernels/Conv2DBackpropInput.js';

const TOLERANCE = 1e-4;
const CASES = 60;

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
  await selectBackend({ backend: 'wasm' });
});

/** dW on the CPU backend; dilation is handled by running the CPU kernel on the zero-dilated filter shape. */
function filterGradientReference(kernelName: string, c: ConvCase): tf.Tensor {
  const dilated = dilatedFilterShape(c.filterShape, c.dilations);
  const attrs = { strides: c.strides, pad: c.pad, dimRoundingMode: c.dimRoundingMode, dataFormat: 'NHWC', dilations: 1 };
  const inputs = { x: tf.tensor4d(c.x, c.xShape), dy: tf.tensor4d(c.dy, c.dyShape) };
  const full = tf.engine().runKernel(kernelName, inputs, { ...attrs, filterShape: dilated } as never) as tf.Tensor4D;
  return tf.stridedSlice(full, [0, 0, 0, 0], dilated, [c.dilations[0], c.dilations[1], 1, 1]);
}

/**
 * dW by the composed path of our Conv2DBackpropFilter (what NHWC data gets while the compiled kernels are not ready;
 * the registered kernel runs the compiled one).
 */
function composedFilterGradient(c: ConvCase): tf.Tensor {
  const attrs = { strides: c.strides, pad: c.pad, dimRoundingMode: c.dimRoundingMode, dataFormat: 'NHWC' as const, dilations: c.dilations, filterShape: c.filterShape };
  const inputs = { x: tf.tensor4d(c.x, c.xShape), dy: tf.tensor4d(c.dy, c.dyShape) };
  return composedConv2DBackpropFilter({ inputs, backend: tf.backend(), attrs }) as tf.Tensor;
}

function filterGradientOnWasm(kernelName: string, c: ConvCase): tf.Tensor {
  const attrs = { strides: c.strides, pad: c.pad, dimRoundingMode: c.dimRoundingMode, dataFormat: 'NHWC', dilations: c.dilations };
  const inputs = { x: tf.tensor4d(c.x, c.xShape), dy: tf.tensor4d(c.dy, c.dyShape) };
  return tf.engine().runKernel(kernelName, inputs, { ...attrs, filterShape: c.filterShape } as never) as tf.Tensor;
}

/** dx of a (non-depthwise) convolution; the CPU reference runs on the zero-dilated filter. */
function convInputGradient(c: ConvCase, onCpu: boolean): tf.Tensor {
  const filterShape = onCpu ? dilatedFilterShape(c.filterShape, c.dilations) : c.filterShape;
  const filter = onCpu ? dilateFilter(c.filter, c.filterShape, c.dilations) : c.filter;
  const attrs = { strides: c.strides, pad: c.pad, dimRoundingMode: c.dimRoundingMode, inputShape: c.xShape, dataFormat: 'NHWC' };
  return tf.engine().runKernel(
    'Conv2DBackpropInput',
    { dy: tf.tensor4d(c.dy, c.dyShape), filter: tf.tensor4d(filter, filterShape) },
    { ...attrs, dilations: onCpu ? 1 : c.dilations } as never,
  ) as tf.Tensor;
}

/** dx by the composed path of our Conv2DBackpropInput (NCHW, and NHWC while the compiled kernels are not ready). */
function composedConvInputGradient(c: ConvCase): tf.Tensor {
  const attrs = { strides: c.strides, pad: c.pad, dimRoundingMode: c.dimRoundingMode, inputShape: c.xShape, dataFormat: 'NHWC' as const, dilations: c.dilations };
  const inputs = { dy: tf.tensor4d(c.dy, c.dyShape), filter: tf.tensor4d(c.filter, c.filterShape) };
  return composedConv2DBackpropInput({ inputs, backend: tf.backend(), attrs }) as tf.Tensor;
}

function inputGradient(c: ConvCase, onCpu: boolean): tf.Tensor {
  const filterShape = onCpu ? dilatedFilterShape(c.filterShape, c.dilations) : c.filterShape;
  const filter = onCpu ? dilateFilter(c.filter, c.filterShape, c.dilations) : c.filter;
  const attrs = { strides: c.strides, pad: c.pad, dimRoundingMode: c.dimRoundingMode, inputShape: c.xShape };
  return tf.engine().runKernel(
    'DepthwiseConv2dNativeBackpropInput',
    { dy: tf.tensor4d(c.dy, c.dyShape), filter: tf.tensor4d(filter, filterShape) },
    { ...attrs, dilations: onCpu ? 1 : c.dilations } as never,
  ) as tf.Tensor;
}

describe('WASM training kernels match the CPU backend', () => {
  it('registers its kernels for wasm, idempotently, replacing the stock Conv2DBackpropInput, MaxPoolGrad, BatchMatMul, Slice, Identity and Cast', () => {
    registerWasmTrainingKernels();
    registerWasmTrainingKernels();
    expect(WASM_TRAINING_KERNEL_NAMES).toEqual([
      'Conv2DBackpropFilter',
      'DepthwiseConv2dNativeBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
      'Conv2DBackpropInput',
      'MaxPoolGrad',
      'BatchMatMul',
      'Slice',
      'Identity',
      'Cast',
    ]);
    wasmTrainingKernelConfigs.forEach((config) => expect(tf.getKernel(config.kernelName, 'wasm')).toBe(config));
  });

  it('Conv2DBackpropInput over random shapes, strides, paddings and dilations', async () => {
    const random = seededRandom(6);
    for (let i = 0; i < CASES; i++) {
      const c = randomConvCase(random, false, true);
      const expected = await runOn('cpu', () => convInputGradient(c, true));
      const actual = await runOn('wasm', () => convInputGradient(c, false));
      expect(relativeError(actual, expected), c.describe).toBeLessThanOrEqual(TOLERANCE);
      const composed = await runOn('wasm', () => composedConvInputGradient(c));
      expect(relativeError(composed, expected), `composed ${c.describe}`).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('Conv2DBackpropInput with strides up to 4 and filters smaller or larger than the stride', async () => {
    const random = seededRandom(7);
    for (let i = 0; i < 30; i++) {
      const stride = 2 + Math.floor(random() * 3);
      const kernel = 1 + Math.floor(random() * 6);
      const size = kernel + Math.floor(random() * 9);
      const c = { ...randomConvCase(random, false, false), strides: [stride, stride] as [number, number] };
      const xShape: ConvCase['xShape'] = [1 + Math.floor(random() * 2), size, size + 1, c.xShape[3]];
      const filterShape: ConvCase['filterShape'] = [kernel, kernel, c.xShape[3], c.filterShape[3]];
      const pad = random() < 0.5 ? 'same' : 'valid';
      const info = backend_util.computeConv2DInfo(xShape, filterShape, c.strides, 1, pad);
      const values = (n: number) => Float32Array.from({ length: n }, () => random() * 2 - 1);
      const strided: ConvCase = {
        ...c, xShape, filterShape, pad, dimRoundingMode: undefined, dilations: [1, 1],
        dyShape: info.outShape as ConvCase['dyShape'],
        dy: values(tf.util.sizeFromShape(info.outShape)),
        filter: values(tf.util.sizeFromShape(filterShape)),
        describe: JSON.stringify({ xShape, filterShape, stride, pad }),
      };
      const expected = await runOn('cpu', () => convInputGradient(strided, true));
      const actual = await runOn('wasm', () => convInputGradient(strided, false));
      expect(relativeError(actual, expected), strided.describe).toBeLessThanOrEqual(TOLERANCE);
      const composed = await runOn('wasm', () => composedConvInputGradient(strided));
      expect(relativeError(composed, expected), `composed ${strided.describe}`).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('Conv2DBackpropInput with NCHW data', async () => {
    const random = seededRandom(8);
    for (let i = 0; i < 8; i++) {
      const c = randomConvCase(random, false, false);
      const run = () => {
        const pad = Array.isArray(c.pad) ? ([c.pad[0], c.pad[3], c.pad[1], c.pad[2]] as never) : c.pad;
        const [n, h, w, channels] = c.xShape;
        const dy = tf.transpose(tf.tensor4d(c.dy, c.dyShape), [0, 3, 1, 2]);
        const attrs = { strides: c.strides, pad, dimRoundingMode: c.dimRoundingMode, dataFormat: 'NCHW', inputShape: [n, channels, h, w] };
        return tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: tf.tensor4d(c.filter, c.filterShape) }, attrs as never) as tf.Tensor;
      };
      const expected = await runOn('cpu', run);
      const actual = await runOn('wasm', run);
      expect(relativeError(actual, expected), c.describe).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('Conv2DBackpropFilter over random shapes, strides, paddings and dilations', async () => {
    const random = seededRandom(1);
    for (let i = 0; i < CASES; i++) {
      const c = randomConvCase(random, false, true);
      const expected = await runOn('cpu', () => filterGradientReference('Conv2DBackpropFilter', c));
      const actual = await runOn('wasm', () => filterGradientOnWasm('Conv2DBackpropFilter', c));
      expect(relativeError(actual, expected), c.describe).toBeLessThanOrEqual(TOLERANCE);
      const composed = await runOn('wasm', () => composedFilterGradient(c));
      expect(relativeError(composed, expected), `composed ${c.describe}`).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('Conv2DBackpropFilter with NCHW data', async () => {
    const random = seededRandom(2);
    for (let i = 0; i < 8; i++) {
      const c = randomConvCase(random, false, false);
      const toNchw = (data: Float32Array, shape: number[]) => tf.transpose(tf.tensor4d(data, shape as never), [0, 3, 1, 2]);
      const run = () => {
        const pad = Array.isArray(c.pad) ? ([c.pad[0], c.pad[3], c.pad[1], c.pad[2]] as never) : c.pad;
        const inputs = { x: toNchw(c.x, c.xShape), dy: toNchw(c.dy, c.dyShape) };
        const attrs = { strides: c.strides, pad, dimRoundingMode: c.dimRoundingMode, dataFormat: 'NCHW', filterShape: c.filterShape };
        return tf.engine().runKernel('Conv2DBackpropFilter', inputs, attrs as never) as tf.Tensor;
      };
      const expected = await runOn('cpu', run);
      const actual = await runOn('wasm', run);
      expect(relativeError(actual, expected), c.describe).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('DepthwiseConv2dNativeBackpropFilter over random shapes, multipliers, paddings and dilations', async () => {
    const random = seededRandom(3);
    for (let i = 0; i < CASES; i++) {
      const c = randomConvCase(random, true, true);
      const expected = await runOn('cpu', () => filterGradientReference('DepthwiseConv2dNativeBackpropFilter', c));
      const actual = await runOn('wasm', () => filterGradientOnWasm('DepthwiseConv2dNativeBackpropFilter', c));
      expect(relativeError(actual, expected), c.describe).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('DepthwiseConv2dNativeBackpropInput over random shapes, multipliers, paddings and dilations', async () => {
    const random = seededRandom(4);
    for (let i = 0; i < CASES; i++) {
      const c = randomConvCase(random, true, true);
      const expected = await runOn('cpu', () => inputGradient(c, true));
      const actual = await runOn('wasm', () => inputGradient(c, false));
      expect(relativeError(actual, expected), c.describe).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('MaxPoolGrad and AvgPoolGrad over random windows, strides, paddings and ties', async () => {
    const random = seededRandom(9);
    const pick = <T>(options: readonly T[]): T => options[Math.floor(random() * options.length)] as T;
    for (let i = 0; i < 60; i++) {
      const filterSize: [number, number] = [pick([1, 2, 3, 4]), pick([1, 2, 3])];
      const strides: [number, number] = [pick([1, 2, 3]), pick([1, 2])];
      const pad = pick(['same', 'valid', 0, 1] as const);
      const xShape: [number, number, number, number] = [1 + Math.floor(random() * 2), pick([4, 5, 7, 8]), pick([4, 6, 9]), 1 + Math.floor(random() * 4)];
      const rounding = typeof pad === 'number' ? 'floor' : undefined;
      const info = backend_util.computePool2DInfo(xShape, filterSize, strides, 1, pad, rounding);
      if (info.outHeight < 1 || info.outWidth < 1) continue;
      // Values on a coarse grid half of the time, so that windows hold ties.
      const coarse = random() < 0.5;
      const x = Float32Array.from({ length: tf.util.sizeFromShape(xShape) }, () => (coarse ? Math.round(random() * 3) : random() * 2 - 1));
      const dy = Float32Array.from({ length: tf.util.sizeFromShape(info.outShape) }, () => random() * 2 - 1);
      const describe = JSON.stringify({ xShape, filterSize, strides, pad, coarse });
      // The forward pool's output (an input of MaxPoolGrad) comes from the CPU backend: the stock WASM forward pools
      // corrupt memory on some windows of width or height 1 with numeric padding, which tfjs-layers never passes.
      const pooled = (await runOn('cpu', () => tf.maxPool(tf.tensor4d(x, xShape), filterSize, strides, pad, rounding))).values;
      for (const kind of ['MaxPoolGrad', 'AvgPoolGrad'] as const) {
        const run = () => {
          const input = tf.tensor4d(x, xShape);
          const attrs = { filterSize, strides, pad, dimRoundingMode: rounding };
          const gradient = tf.tensor4d(dy, info.outShape);
          const inputs: tf.NamedTensorMap = kind === 'MaxPoolGrad' ? { dy: gradient, input, output: tf.tensor4d(pooled, info.outShape) } : { dy: gradient, input };
          return tf.engine().runKernel(kind, inputs, attrs as never) as tf.Tensor;
        };
        const expected = await runOn('cpu', run);
        const actual = await runOn('wasm', run);
        expect(relativeError(actual, expected), `${kind} ${describe}`).toBeLessThanOrEqual(TOLERANCE);
      }
    }
  });

  it('1x1 convolution gradients (compiled and matrix-product paths) with strides 1 to 3 and padding', async () => {
    const random = seededRandom(10);
    for (let i = 0; i < 30; i++) {
      const stride: [number, number] = [1 + Math.floor(random() * 3), 1 + Math.floor(random() * 3)];
      const base = randomConvCase(random, false, false);
      const xShape = base.xShape;
      const filterShape: ConvCase['filterShape'] = [1, 1, xShape[3], base.filterShape[3]];
      const pad: ConvCase['pad'] = i % 3 === 0 ? [[0, 0], [1, 0], [0, 2], [0, 0]] : i % 3 === 1 ? 'same' : 'valid';
      const info = backend_util.computeConv2DInfo(xShape, filterShape, stride, 1, pad);
      const values = (n: number) => Float32Array.from({ length: n }, () => random() * 2 - 1);
      const c: ConvCase = {
        ...base, filterShape, strides: stride, pad, dimRoundingMode: undefined, dilations: [1, 1],
        dyShape: info.outShape as ConvCase['dyShape'],
        dy: values(tf.util.sizeFromShape(info.outShape)),
        filter: values(tf.util.sizeFromShape(filterShape)),
        describe: JSON.stringify({ xShape, filterShape, stride, pad }),
      };
      const expectedFilter = await runOn('cpu', () => filterGradientReference('Conv2DBackpropFilter', c));
      const actualFilter = await runOn('wasm', () => filterGradientOnWasm('Conv2DBackpropFilter', c));
      expect(relativeError(actualFilter, expectedFilter), `dW ${c.describe}`).toBeLessThanOrEqual(TOLERANCE);
      const composedFilter = await runOn('wasm', () => composedFilterGradient(c));
      expect(relativeError(composedFilter, expectedFilter), `composed dW ${c.describe}`).toBeLessThanOrEqual(TOLERANCE);
      const expectedInput = await runOn('cpu', () => convInputGradient(c, true));
      const actualInput = await runOn('wasm', () => convInputGradient(c, false));
      expect(relativeError(actualInput, expectedInput), `dx ${c.describe}`).toBeLessThanOrEqual(TOLERANCE);
      const composedInput = await runOn('wasm', () => composedConvInputGradient(c));
      expect(relativeError(composedInput, expectedInput), `composed dx ${c.describe}`).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('BatchMatMul with every combination of transposed operands, batches and broadcasting', async () => {
    const random = seededRandom(11);
    for (let i = 0; i < 24; i++) {
      const [m, k, n] = [1 + Math.floor(random() * 9), 1 + Math.floor(random() * 9), 1 + Math.floor(random() * 9)];
      const transposeA = i % 2 === 1;
      const transposeB = Math.floor(i / 2) % 2 === 1;
      const batchA = i % 3 === 0 ? [] : [1 + Math.floor(random() * 3)];
      const batchB = i % 3 === 2 ? [] : batchA.length === 0 ? [2] : i % 4 === 0 ? [1] : batchA;
      const aShape = [...batchA, ...(transposeA ? [k, m] : [m, k])];
      const bShape = [...batchB, ...(transposeB ? [n, k] : [k, n])];
      const a = Float32Array.from({ length: tf.util.sizeFromShape(aShape) }, () => random() * 2 - 1);
      const b = Float32Array.from({ length: tf.util.sizeFromShape(bShape) }, () => random() * 2 - 1);
      const run = () => tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), transposeA, transposeB);
      const describe = JSON.stringify({ aShape, bShape, transposeA, transposeB });
      expect(relativeError(await runOn('wasm', run), await runOn('cpu', run)), describe).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('the gradients of a small conv net are the same on both backends', async () => {
    const random = seededRandom(5);
    const data = (shape: number[]) => Float32Array.from({ length: tf.util.sizeFromShape(shape) }, () => random() - 0.5);
    const xData = data([3, 11, 11, 2]);
    const f1Data = data([3, 3, 2, 4]);
    const f2Data = data([3, 3, 4, 2]);
    const f3Data = data([2, 2, 8, 3]);
    const loss = (x: tf.Tensor, f1: tf.Tensor, f2: tf.Tensor, f3: tf.Tensor) => {
      const h1 = tf.relu(tf.conv2d(x as tf.Tensor4D, f1 as tf.Tensor4D, 2, 'same'));
      const h2 = tf.depthwiseConv2d(h1, f2 as tf.Tensor4D, 1, 'valid');
      const h3 = tf.conv2d(tf.tanh(h2), f3 as tf.Tensor4D, 1, [[0, 0], [1, 0], [0, 1], [0, 0]]);
      return tf.mean(tf.square(h3));
    };
    const gradients = async (backend: string) => {
      await tf.setBackend(backend);
      const inputs = [
        tf.tensor4d(xData, [3, 11, 11, 2]),
        tf.tensor4d(f1Data, [3, 3, 2, 4]),
        tf.tensor4d(f2Data, [3, 3, 4, 2]),
        tf.tensor4d(f3Data, [2, 2, 8, 3]),
      ];
      const grads = tf.grads((x, f1, f2, f3) => loss(x!, f1!, f2!, f3!))(inputs);
      const read = await Promise.all(grads.map(async (g) => ({ shape: g.shape, values: (await g.data()) as Float32Array })));
      tf.dispose([...inputs, ...grads]);
      return read;
    };
    const expected = await gradients('cpu');
    const actual = await gradients('wasm');
    expected.forEach((reference, i) => {
      expect(relativeError(actual[i]!, reference), `gradient ${i}`).toBeLessThanOrEqual(TOLERANCE);
    });
  });

  it('refuses strides and dilations that are both greater than 1, with a clear error', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 9, 9, 2]);
    const dy = tf.zeros([1, 3, 3, 2]);
    const attrs = { strides: 2, dilations: 2, pad: 'valid', filterShape: [3, 3, 2, 1] };
    expect(() => tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, attrs as never)).toThrow(
      /strides \[2, 2\] and dilations \[2, 2\] are both greater than 1/,
    );
    tf.dispose([x, dy]);
  });
});

describe('WASM training kernels manage memory', () => {
  it('leave no tensors behind across repeated calls and keep the caller’s inputs intact', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([2, 9, 9, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const filter = tf.variable(tf.randomNormal([3, 3, 3, 2], 0, 1, 'float32', 8) as tf.Tensor4D);
    const dyConv = tf.randomNormal([2, 5, 5, 4], 0, 1, 'float32', 9);
    const dyDepthwise = tf.randomNormal([2, 5, 5, 6], 0, 1, 'float32', 10);
    const dyFull = tf.randomNormal([2, 9, 9, 6], 0, 1, 'float32', 11);
    const convFilter = tf.randomNormal([3, 3, 3, 6], 0, 1, 'float32', 12);
    const pooled = tf.maxPool(x, 3, 2, 'same');
    const xBefore = x.dataSync().slice();
    const filterBefore = filter.dataSync().slice();
    const before = tf.memory().numTensors;
    const call = () => [
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dyConv }, {
        strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4],
      } as never) as tf.Tensor,
      tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy: dyDepthwise }, {
        strides: 2, dilations: 1, pad: 'same', filterShape: [3, 3, 3, 2],
      } as never) as tf.Tensor,
      tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: dyDepthwise, filter }, {
        strides: 2, dilations: 1, pad: 'same', inputShape: [2, 9, 9, 3],
      } as never) as tf.Tensor,
      ...[1, 2].map((strides) => tf.engine().runKernel('Conv2DBackpropInput', { dy: strides === 1 ? dyFull : dyDepthwise, filter: convFilter }, {
        strides, pad: 'same', dataFormat: 'NHWC', inputShape: [2, 9, 9, 3],
      } as never) as tf.Tensor),
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dyFull }, {
        strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [1, 1, 3, 6],
      } as never) as tf.Tensor,
      tf.engine().runKernel('MaxPoolGrad', { dy: pooled, input: x, output: pooled }, { filterSize: 3, strides: 2, pad: 'same' } as never) as tf.Tensor,
    ];
    for (let i = 0; i < 5; i++) {
      const outputs = call();
      expect(tf.memory().numTensors).toBe(before + outputs.length);
      tf.dispose(outputs);
      expect(tf.memory().numTensors).toBe(before);
    }
    expect(x.dataSync()).toEqual(xBefore);
    expect(filter.dataSync()).toEqual(filterBefore);
    tf.dispose([x, filter, dyConv, dyDepthwise, dyFull, convFilter, pooled]);
  });

  it('leave no tensors behind across full gradient steps', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([4, 10, 10, 2], 0, 1, 'float32', 11) as tf.Tensor4D;
    const f1 = tf.variable(tf.randomNormal([3, 3, 2, 4], 0, 0.3, 'float32', 12) as tf.Tensor4D);
    const f2 = tf.variable(tf.randomNormal([3, 3, 4, 2], 0, 0.3, 'float32', 13) as tf.Tensor4D);
    const loss = () => tf.mean(tf.square(tf.depthwiseConv2d(tf.relu(tf.conv2d(x, f1, 1, 'same')), f2, 2, 'same'))) as tf.Scalar;
    const step = () => {
      const { value, grads } = tf.variableGrads(loss, [f1, f2]);
      f1.assign(tf.sub(f1, tf.mul(0.1, grads[f1.name]!)));
      f2.assign(tf.sub(f2, tf.mul(0.1, grads[f2.name]!)));
      return value;
    };
    tf.dispose(tf.tidy(step));
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const value = tf.tidy(step);
      losses.push(value.dataSync()[0]!);
      value.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
    expect(losses[4]).toBeLessThan(losses[0]!);
    tf.dispose([x, f1, f2]);
  });
});
