import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { runLayerTest } from '../__fixtures__/run-layer-test.js';
import { AdaptiveAveragePooling2D, auxiliaryClassifier, inceptionBlock, inceptionOutputChannels, type InceptionWidths } from '../index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const WIDTHS: InceptionWidths = { out1x1: 3, reduce3x3: 2, out3x3: 4, reduce5x5: 2, out5x5: 5, poolProjection: 6 };

/** PyTorch's adaptive_avg_pool2d written as loops over its windows, on NHWC data. */
function adaptiveReference(x: tf.Tensor4D, oh: number, ow: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const v = x.arraySync();
  const out = Array.from({ length: n }, (_, b) =>
    Array.from({ length: oh }, (_, i) =>
      Array.from({ length: ow }, (_, j) =>
        Array.from({ length: c }, (_, k) => {
          const [r0, r1] = [Math.floor((i * h) / oh), Math.ceil(((i + 1) * h) / oh)];
          const [c0, c1] = [Math.floor((j * w) / ow), Math.ceil(((j + 1) * w) / ow)];
          let sum = 0;
          for (let r = r0; r < r1; r++) for (let s = c0; s < c1; s++) sum += v[b]![r]![s]![k]!;
          return sum / ((r1 - r0) * (c1 - c0));
        }),
      ),
    ),
  );
  return tf.tensor4d(out);
}

describe('AdaptiveAveragePooling2D', () => {
  it.each([
    [14, 14, 4, 4],
    [5, 7, 4, 3],
    [8, 8, 4, 4],
    [2, 3, 4, 4],
  ])('%dx%d → %dx%d equals PyTorch’s windows (⌊i·H/h⌋ … ⌈(i+1)·H/h⌉)', (h, w, oh, ow) => {
    const x = tf.randomNormal([2, h, w, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const layer = new AdaptiveAveragePooling2D({ outputSize: [oh, ow] });
    const y = layer.apply(x) as tf.Tensor;
    const expected = adaptiveReference(x, oh, ow);
    expect(y.shape).toEqual([2, oh, ow, 3]);
    expect(tf.max(tf.abs(tf.sub(y, expected))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([x, y, expected]);
  });

  it('passes the layer test (shape, config round trip, save/load, no leaks)', async () => {
    await runLayerTest({ make: () => new AdaptiveAveragePooling2D({ outputSize: 4 }), inputShape: [6, 6, 2], trainableWeights: 0, expectedOutputShape: [2, 4, 4, 2] });
  });

  it('refuses a bad output size, naming it', () => {
    expect(() => new AdaptiveAveragePooling2D({ outputSize: 0 })).toThrow(/outputSize must be a positive integer, got 0/);
    expect(() => new AdaptiveAveragePooling2D({ outputSize: [1, 2, 3] as unknown as [number, number] })).toThrow(/outputSize must be/);
  });
});

describe('inceptionBlock', () => {
  it("seed 001 layout: four branches concatenated (1x1, 3x3, 5x5, pool), spatial size kept, the seed's layer order", () => {
    const input = tfl.input({ shape: [6, 6, 8] });
    const y = inceptionBlock(input, { ...WIDTHS, name: 'inc', seed: 1 });
    expect(y.shape).toEqual([null, 6, 6, inceptionOutputChannels(WIDTHS)]);
    expect(inceptionOutputChannels(WIDTHS)).toBe(18);
    const model = tfl.model({ inputs: input, outputs: y });
    const kinds = (prefix: string): string[] => model.layers.filter((l) => l.name.startsWith(prefix)).map((l) => l.getClassName());
    expect(kinds('inc_b1')).toEqual(['Conv2D']); // a bare 1x1 convolution, as the seed
    expect(kinds('inc_b2')).toEqual(['Conv2D', 'ReLU', 'BatchNormalization', 'Conv2D', 'BatchNormalization', 'ReLU']);
    expect(kinds('inc_b4')).toEqual(['MaxPooling2D', 'ReLU', 'BatchNormalization', 'Conv2D', 'BatchNormalization', 'ReLU']);
    expect(model.getLayer('inc_b3_conv').getConfig()).toMatchObject({ kernelSize: [5, 5], useBias: true, padding: 'same' });
    expect(model.getLayer('inc_b2_bn').getConfig()).toMatchObject({ epsilon: 1e-5, momentum: 0.9 });
    // trainable: convs with bias + BN gamma/beta; PyTorch's count for InceptionBlock(8, 3, 2, 4, 2, 5, 6)
    const pytorch = (8 * 3 + 3) + (8 * 2 + 2) + 4 + (2 * 9 * 4 + 4) + 8 + (8 * 2 + 2) + 4 + (2 * 25 * 5 + 5) + 10 + 16 + (8 * 6 + 6) + 12;
    const count = model.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
    expect(count).toBe(pytorch);
    model.dispose();
  });

  it("torchvision layout: BasicConv2d everywhere (no bias, BN eps 1e-3) and a 3x3 kernel in the '5x5' branch", () => {
    const input = tfl.input({ shape: [6, 6, 8] });
    const model = tfl.model({ inputs: input, outputs: inceptionBlock(input, { ...WIDTHS, name: 'tv', style: 'torchvision', seed: 1 }) });
    expect(model.getLayer('tv_b3_conv').getConfig()).toMatchObject({ kernelSize: [3, 3], useBias: false });
    expect(model.getLayer('tv_b1_bn').getConfig()).toMatchObject({ epsilon: 1e-3 });
    expect(model.outputs[0]!.shape).toEqual([null, 6, 6, 18]);
    model.dispose();
  });

  it('refuses bad widths and styles, naming the value', () => {
    const input = tfl.input({ shape: [6, 6, 8] });
    expect(() => inceptionBlock(input, { ...WIDTHS, out3x3: 0, name: 'bad' })).toThrow(/inceptionBlock 'bad': out3x3 must be a positive integer, got 0/);
    expect(() => inceptionBlock(input, { ...WIDTHS, name: 'bad', style: 'keras' as 'seed001' })).toThrow(/style must be 'seed001' or 'torchvision', got 'keras'/);
    expect(() => inceptionBlock(tfl.input({ shape: [8] }), { ...WIDTHS, name: 'flat' })).toThrow(/expects an NHWC input/);
  });
});

describe('auxiliaryClassifier', () => {
  it("seed 001 head: conv 1x1 → BN → ReLU → global pool → dense → ReLU → dropout 0.6 → dense", () => {
    const input = tfl.input({ shape: [3, 3, 10] });
    const model = tfl.model({ inputs: input, outputs: auxiliaryClassifier(input, { name: 'aux', numClasses: 7, convChannels: 4, hiddenUnits: 5, seed: 1 }) });
    expect(model.outputs[0]!.shape).toEqual([null, 7]);
    expect(model.getLayer('aux_dropout').getConfig()).toMatchObject({ rate: 0.6 });
    expect(model.layers.slice(1).map((l) => l.getClassName())).toEqual(['Conv2D', 'BatchNormalization', 'ReLU', 'GlobalAveragePooling2D', 'Dense', 'ReLU', 'Dropout', 'Dense']);
    model.dispose();
  });

  it("torchvision head: adaptive pool to 4x4 → BasicConv2d → flatten → dense (16·C) → dropout 0.7 → dense", () => {
    const input = tfl.input({ shape: [14, 14, 10] });
    const model = tfl.model({ inputs: input, outputs: auxiliaryClassifier(input, { name: 'aux', numClasses: 7, style: 'torchvision', convChannels: 4, hiddenUnits: 5 }) });
    expect(model.getLayer('aux_fc1').getWeights()[0]!.shape).toEqual([64, 5]);
    expect(model.getLayer('aux_dropout').getConfig()).toMatchObject({ rate: 0.7 });
    model.dispose();
  });

  it('refuses bad options, naming the value', () => {
    const input = tfl.input({ shape: [3, 3, 10] });
    expect(() => auxiliaryClassifier(input, { name: 'aux', numClasses: 0 })).toThrow(/auxiliaryClassifier 'aux': numClasses must be a positive integer, got 0/);
    expect(() => auxiliaryClassifier(input, { name: 'aux', numClasses: 2, dropout: 1.5 })).toThrow(/dropout must be in \[0, 1\), got 1.5/);
  });
});
