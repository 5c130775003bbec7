import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's Node entry point registers no gradients; its ESM build does (vitest resolves its extensionless imports).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { relativeMaxError } from './__fixtures__/golden.js';
import { runLayerTest } from './__fixtures__/run-layer-test.js';
import { Conv2D, pytorchConv2d } from './index.js';
import { FUSED_CONV2D_GRADIENT } from './conv2d.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const maxError = relativeMaxError;

type ConvArgs = ConstructorParameters<typeof Conv2D>[0];

/** A two-convolution model built from `make`, its weights set from a fixed seed. */
function twoConvModel(make: (args: ConvArgs) => tfl.layers.Layer, first: Partial<ConvArgs> = {}): tfl.LayersModel {
  const input = tfl.input({ shape: [9, 8, 3] });
  const a = make({ filters: 4, kernelSize: 3, padding: 'same', ...first } as ConvArgs).apply(input) as tfl.SymbolicTensor;
  const b = make({ filters: 5, kernelSize: [2, 3], strides: 2 }).apply(a) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: b });
  model.setWeights(model.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 0.5, 'float32', 10 + i)));
  return model;
}

/** The names of the kernels that `f` runs. */
async function kernelNames(f: () => tf.TensorContainer): Promise<string[]> {
  const info = await tf.profile(f);
  return info.kernels.map((k) => k.name);
}

describe('Conv2D', () => {
  it('passes the shared layer test and keeps tfjs-layers class name and config', async () => {
    await runLayerTest({ make: () => new Conv2D({ filters: 3, kernelSize: 3, padding: 'same' }), inputShape: [6, 5, 2], batchSize: 2, trainableWeights: 2, nonTrainableWeights: 0 });
    const ours = new Conv2D({ filters: 3, kernelSize: [3, 2], strides: 2, dilationRate: 1, useBias: false, name: 'c' });
    const theirs = tfl.layers.conv2d({ filters: 3, kernelSize: [3, 2], strides: 2, dilationRate: 1, useBias: false, name: 'c' });
    expect(ours.getClassName()).toBe('Conv2D');
    expect(ours.getConfig()).toEqual(theirs.getConfig());
    expect(pytorchConv2d({ inChannels: 3, filters: 2, kernelSize: 3 })).toBeInstanceOf(Conv2D);
  });

  it('gives the same outputs and gradients as tfjs-layers in training, with no leak', () => {
    const ours = twoConvModel((args) => new Conv2D(args));
    const theirs = twoConvModel((args) => tfl.layers.conv2d(args));
    const x = tf.randomNormal([2, 9, 8, 3], 0, 1, 'float32', 3);
    const dy = tf.randomNormal([2, 4, 3, 5], 0, 1, 'float32', 4);
    const step = (model: tfl.LayersModel) => {
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.mul(model.apply(x, { training: true }) as tf.Tensor, dy)),
        model.trainableWeights.map((w) => w.read() as tf.Variable),
      );
      return { value, grads: Object.values(grads) };
    };
    for (let i = 0; i < 2; i++) {
      const before = tf.memory().numTensors;
      const expected = step(theirs);
      const actual = step(ours);
      expect(maxError(actual.value, expected.value)).toBeLessThan(1e-5);
      expect(actual.grads).toHaveLength(4);
      actual.grads.forEach((grad, k) => expect(maxError(grad, expected.grads[k]!)).toBeLessThan(1e-5));
      tf.dispose([expected.value, actual.value, ...expected.grads, ...actual.grads]);
      expect(tf.memory().numTensors).toBe(before);
    }
    tf.tidy(() => {
      expect(maxError(ours.predict(x) as tf.Tensor, theirs.predict(x) as tf.Tensor)).toBeLessThan(1e-6);
    });
    tf.dispose([x, dy]);
  });

  it('skips the input gradient of a convolution on a constant input, and only that one', async () => {
    const x = tf.randomNormal([2, 9, 8, 3], 0, 1, 'float32', 5);
    const grads = (model: tfl.LayersModel) => () => {
      const { value, grads: g } = tf.variableGrads(() => tf.sum(model.apply(x, { training: true }) as tf.Tensor), model.trainableWeights.map((w) => w.read() as tf.Variable));
      return [value, ...Object.values(g)];
    };
    // tfjs-layers' fused convolution computes both input gradients; ours only the second layer's (its input is taped).
    const count = (names: string[]) => names.filter((n) => n === 'Conv2DBackpropInput').length;
    expect(count(await kernelNames(grads(twoConvModel((args) => tfl.layers.conv2d(args)))))).toBe(2);
    expect(count(await kernelNames(grads(twoConvModel((args) => new Conv2D(args)))))).toBe(1);
    // A trainable variable as input needs its gradient: the fused path stays.
    const layer = new Conv2D({ filters: 2, kernelSize: 3 });
    const v = tf.variable(x);
    const names = await kernelNames(() => tf.variableGrads(() => tf.sum(layer.apply(v, { training: true }) as tf.Tensor)).grads);
    expect(names).toContain('FusedConv2D');
    expect(count(names)).toBe(1);
    // Inference keeps tfjs-layers' fused kernel.
    const inference = await kernelNames(() => twoConvModel((args) => new Conv2D(args)).predict(x) as tf.Tensor);
    expect(inference.filter((n) => n === 'FusedConv2D')).toHaveLength(2);
    expect(inference).not.toContain('Conv2D');
    tf.dispose([x, v]);
  });

  it('registers a FusedConv2D gradient equal to that of conv2d + bias, for every input, and refuses what it lacks', () => {
    expect(tf.getGradient(tf.FusedConv2D)).toBe(FUSED_CONV2D_GRADIENT);
    const x = tf.randomNormal<tf.Rank.R4>([2, 7, 6, 3], 0, 1, 'float32', 6);
    const filter = tf.randomNormal<tf.Rank.R4>([3, 2, 3, 4], 0, 1, 'float32', 7);
    const bias = tf.randomNormal([4], 0, 1, 'float32', 8);
    const cases: [number | [number, number], 'same' | 'valid'][] = [[1, 'same'], [2, 'valid'], [[2, 1], 'same']];
    for (const [strides, pad] of cases) {
      const attrs = { strides, pad, dataFormat: 'NHWC', dilations: [1, 1], activation: 'linear' };
      const dyShape = tf.tidy(() => tf.conv2d(x, filter, strides, pad).shape);
      const dy = tf.randomNormal(dyShape, 0, 1, 'float32', 9);
      const fused = tf.grads((a: tf.Tensor, f: tf.Tensor, b: tf.Tensor) => tf.engine().runKernel(tf.FusedConv2D, { x: a, filter: f, bias: b }, attrs as never) as tf.Tensor);
      const plain = tf.grads((a: tf.Tensor, f: tf.Tensor, b: tf.Tensor) => tf.add(tf.conv2d(a as tf.Tensor4D, f as tf.Tensor4D, strides, pad), b));
      const actual = fused([x, filter, bias], dy);
      const expected = plain([x, filter, bias], dy);
      actual.forEach((grad, k) => expect(maxError(grad, expected[k]!)).toBeLessThan(1e-5));
      tf.dispose([dy, ...actual, ...expected]);
    }
    const relu = tf.grad((a: tf.Tensor) => tf.engine().runKernel(tf.FusedConv2D, { x: a, filter }, { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: [1, 1], activation: 'relu' } as never) as tf.Tensor);
    expect(() => relu(x)).toThrow(/only NHWC, dilation 1 and a linear activation/);
    tf.dispose([x, filter, bias]);
  });

  it('deserialises saved tfjs Conv2D layers as this class', async () => {
    const model = twoConvModel((args) => tfl.layers.conv2d(args), { activation: 'relu' });
    const loaded = await tfl.models.modelFromJSON({ modelTopology: model.toJSON(null, false) as never });
    const convs = loaded.layers.filter((l) => l.getClassName() === 'Conv2D');
    expect(convs).toHaveLength(2);
    convs.forEach((layer) => expect(layer).toBeInstanceOf(Conv2D));
  });
});
