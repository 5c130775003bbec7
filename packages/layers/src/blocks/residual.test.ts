import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { basicBlock, bottleneckBlock, paddedConv2d } from '../index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Block = (x: tfl.SymbolicTensor) => tfl.SymbolicTensor;

/** Wraps a block in a model on `shape`; the caller disposes it. */
function wrap(shape: number[], block: Block): tfl.LayersModel {
  const input = tfl.input({ shape });
  return tfl.model({ inputs: input, outputs: block(input) });
}

const count = (ws: Array<{ shape: Array<number | null> }>): number => ws.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);

describe('paddedConv2d', () => {
  it("pads as PyTorch (1 pixel on every side), not as tfjs 'same' (bottom/right only), for a strided 3x3", () => {
    const model = wrap([4, 4, 1], (x) => paddedConv2d(x, { filters: 1, kernelSize: 3, stride: 2, padding: 1, name: 'c' }));
    model.getLayer('c').setWeights([tf.ones([3, 3, 1, 1])]);
    const x = tf.tensor4d(Array.from({ length: 16 }, (_, i) => i + 1), [1, 4, 4, 1]);
    const y = model.predict(x) as tf.Tensor;
    // PyTorch's F.conv2d(arange(1, 17), ones(3, 3), stride=2, padding=1): the first window covers rows and columns
    // -1..1, i.e. 1 + 2 + 5 + 6; tfjs 'same' would cover rows and columns 0..2 (54).
    expect(Array.from(y.dataSync())).toEqual([14, 30, 57, 99]);
    expect(model.layers.map((l) => l.name)).toEqual([model.layers[0]!.name, 'c.pad', 'c']);
    tf.dispose([x, y]);
    model.dispose();
  });

  it("uses tfjs 'same' for the stride-1 odd-kernel case, valid for padding 0", () => {
    const model = wrap([5, 5, 2], (x) => paddedConv2d(paddedConv2d(x, { filters: 3, kernelSize: 3, padding: 1, name: 'a' }), { filters: 3, kernelSize: 1, stride: 2, name: 'b' }));
    expect(model.layers.map((l) => [l.name, (l.getConfig() as { padding?: string }).padding ?? null])).toEqual([
      [model.layers[0]!.name, null],
      ['a', 'same'],
      ['b', 'valid'],
    ]);
    expect(model.outputShape).toEqual([null, 3, 3, 3]);
    model.dispose();
  });

  it('initialises: Kaiming normal fan_out / fan_in with zero bias, or PyTorch’s default', () => {
    const std = (t: tf.Tensor): number => Math.sqrt(Array.from(t.dataSync()).reduce((s, v) => s + v * v, 0) / t.size);
    const model = wrap([8, 8, 64], (x) =>
      paddedConv2d(paddedConv2d(paddedConv2d(x, { filters: 128, kernelSize: 3, padding: 1, init: 'kaimingNormalFanOut', useBias: true, name: 'out', seed: 1 }), {
        filters: 64, kernelSize: 3, padding: 1, init: 'kaimingNormalFanIn', name: 'in', seed: 2 }), { filters: 32, kernelSize: 3, padding: 1, init: 'pytorchDefault', useBias: true, name: 'torch', seed: 3 }),
    );
    const [outKernel, outBias] = model.getLayer('out').getWeights();
    expect(std(outKernel!)).toBeCloseTo(Math.sqrt(2 / (9 * 128)), 3);
    expect(Array.from(outBias!.dataSync()).every((v) => v === 0)).toBe(true);
    expect(std(model.getLayer('in').getWeights()[0]!)).toBeCloseTo(Math.sqrt(2 / (9 * 128)), 3);
    const [torchKernel, torchBias] = model.getLayer('torch').getWeights();
    const bound = 1 / Math.sqrt(9 * 64);
    expect(std(torchKernel!)).toBeCloseTo(bound / Math.sqrt(3), 3);
    expect(torchBias!.dataSync().every((v) => Math.abs(v) <= bound) && torchBias!.dataSync().some((v) => v !== 0)).toBe(true);
    model.dispose();
  });

  it('refuses bad options with the value', () => {
    const x = tfl.input({ shape: [4, 4, 2] });
    expect(() => paddedConv2d(x, { filters: 0, kernelSize: 3 })).toThrow(/filters must be a positive integer, got 0/);
    expect(() => paddedConv2d(x, { filters: 2, kernelSize: 3, padding: -1 })).toThrow(/padding must be a non-negative integer, got -1/);
    expect(() => paddedConv2d(x, { filters: 2, kernelSize: 3, init: 'xavier' as 'pytorchDefault' })).toThrow(/init must be one of .*got 'xavier'/);
  });
});

describe('basicBlock', () => {
  it('has torchvision BasicBlock(64, 128, stride 2) parameters and names, and halves the map', () => {
    const model = wrap([8, 8, 64], (x) => basicBlock(x, { inChannels: 64, planes: 128, stride: 2, name: 'layer2.0', seed: 1 }));
    // conv1 3·3·64·128 + conv2 3·3·128·128 + downsample 64·128, three BN of 128 (γ, β trainable; mean, var not).
    expect(count(model.trainableWeights)).toBe(9 * 64 * 128 + 9 * 128 * 128 + 64 * 128 + 3 * 2 * 128);
    expect(count(model.nonTrainableWeights)).toBe(3 * 2 * 128);
    expect(model.outputShape).toEqual([null, 4, 4, 128]);
    const names = model.layers.map((l) => l.name).slice(1);
    expect(names).toEqual(expect.arrayContaining(['layer2.0.conv1.pad', 'layer2.0.conv1', 'layer2.0.bn1', 'layer2.0.conv2', 'layer2.0.bn2', 'layer2.0.downsample.0', 'layer2.0.downsample.1', 'layer2.0.add', 'layer2.0.relu']));
    expect(model.getLayer('layer2.0.bn1').getConfig()).toMatchObject({ momentum: 0.9, epsilon: 1e-5 });
    model.dispose();
  });

  it('keeps an identity shortcut at stride 1 with equal channels; biases on request (seed 000)', () => {
    const model = wrap([6, 6, 8], (x) => basicBlock(x, { planes: 8, useBias: true, name: 'b' }));
    expect(model.layers.some((l) => l.name.includes('downsample'))).toBe(false);
    expect(count(model.trainableWeights)).toBe(2 * (9 * 8 * 8 + 8) + 2 * 2 * 8);
    model.dispose();
  });

  it('computes relu(bn2(conv2(relu(bn1(conv1 x)))) + x) in inference mode', () => {
    const model = wrap([3, 3, 2], (x) => basicBlock(x, { planes: 2, name: 'b', seed: 4 }));
    // With zero kernels the residual branch is bn2(0) = β2 (fresh BN: mean 0, var 1), so out = relu(x + β2).
    model.getLayer('b.conv2').setWeights([tf.zeros([3, 3, 2, 2])]);
    model.getLayer('b.bn2').setWeights([tf.ones([2]), tf.tensor1d([0.5, -2]), tf.zeros([2]), tf.fill([2], 1 - 1e-5)]);
    const x = tf.tensor4d(Array.from({ length: 18 }, (_, i) => i - 9), [1, 3, 3, 2]);
    const y = model.predict(x) as tf.Tensor;
    const expected = tf.relu(tf.add(x, tf.tensor1d([0.5, -2])));
    expect(Array.from(y.dataSync()).map((v) => Math.round(v * 1e5) / 1e5)).toEqual(Array.from(expected.dataSync()));
    tf.dispose([x, y, expected]);
    model.dispose();
  });

  it('refuses inconsistent options', () => {
    const x = tfl.input({ shape: [4, 4, 8] });
    expect(() => basicBlock(x, { inChannels: 16, planes: 8 })).toThrow(/the input has 8 channels but inChannels is 16/);
    expect(() => basicBlock(x, { planes: 16, downsample: false })).toThrow(/identity shortcut needs stride 1 and 16 input channels, got stride 1 and 8 channels/);
    expect(() => basicBlock(x, { planes: 0 })).toThrow(/planes must be a positive integer, got 0/);
    expect(() => basicBlock(tfl.input({ shape: [8] }), { planes: 8 })).toThrow(/expects an NHWC input/);
  });
});

describe('bottleneckBlock', () => {
  it('is ResNet v1.5: stride on the 3x3, torchvision Bottleneck(256, 128, stride 2) parameters', () => {
    const model = wrap([8, 8, 256], (x) => bottleneckBlock(x, { planes: 128, stride: 2, name: 'layer2.0', seed: 1 }));
    const strides = (name: string): unknown => (model.getLayer(name).getConfig() as { strides: number[] }).strides;
    expect([strides('layer2.0.conv1'), strides('layer2.0.conv2'), strides('layer2.0.conv3'), strides('layer2.0.downsample.0')]).toEqual([
      [1, 1],
      [2, 2],
      [1, 1],
      [2, 2],
    ]);
    expect(count(model.trainableWeights)).toBe(256 * 128 + 9 * 128 * 128 + 128 * 512 + 256 * 512 + 2 * (128 + 128 + 512 + 512));
    expect(model.outputShape).toEqual([null, 4, 4, 512]);
    model.dispose();
  });

  it('projects the shortcut when the channels change at stride 1 (the first block of layer1)', () => {
    const model = wrap([4, 4, 64], (x) => bottleneckBlock(x, { planes: 64, name: 'layer1.0' }));
    expect(model.getLayer('layer1.0.downsample.0').outputShape).toEqual([null, 4, 4, 256]);
    model.dispose();
  });
});
