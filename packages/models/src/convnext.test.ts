import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { convNext, CONVNEXT_CONFIGS, pytorchTruncatedNormal, type ConvNextOptions } from './convnext.js';
import { createModel } from './registry.js';
import { convNextGolden, goldenDifference, PYTORCH_PARAMETER_COUNTS } from './__fixtures__/convnext-golden.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function trainableCount(model: ReturnType<typeof createModel>): number {
  return model.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
}

describe('ConvNeXt parameter counts equal PyTorch’s', () => {
  it('ConvNeXt-T with 1000 classes has 28,589,128 trainable parameters', () => {
    const model = createModel<ConvNextOptions>('convnext_tiny', { seed: 1 });
    expect(trainableCount(model)).toBe(28_589_128);
    expect(PYTORCH_PARAMETER_COUNTS['convnext_tiny']).toBe(28_589_128);
    model.dispose();
  });

  it.each(['convnext_small', 'convnext_base', 'convnext_test', 'convnext_cifar'])('%s', (name) => {
    const model = createModel(name, { seed: 1 });
    expect(trainableCount(model)).toBe(PYTORCH_PARAMETER_COUNTS[name]);
    model.dispose();
  }, 60_000);

  it('the seed’s final model has 8,531,978 (PyTorch) and BatchNorm only in the stem', () => {
    expect(PYTORCH_PARAMETER_COUNTS['convnext_cifar']).toBe(8_531_978);
    const model = createModel('convnext_cifar');
    expect(model.nonTrainableWeights.map((w) => w.shape[0])).toEqual([64, 64]);
    model.dispose();
  });
});

describe('ConvNeXt golden outputs (PyTorch weights copied, eval mode, within 1e-4)', () => {
  it('tiny official-layout ConvNeXt (depths 1-2-1-1, dims 4-8-12-16, 32x32)', () => {
    const c = convNextGolden('convnext_tiny');
    const model = convNext({ ...(c.config as object), layout: 'official', patchSize: 4, name: 'tiny' });
    const { maxDiff, uncovered } = goldenDifference(model, c);
    expect(uncovered).toEqual([]);
    expect(maxDiff).toBeLessThan(1e-4);
    model.dispose();
  });

  it('tiny seed-003 ConvNeXt (stem 4, depths 1-2-1, widths 4-8-12, 8x8)', () => {
    const c = convNextGolden('convnext_cifar');
    const { stemFeatures, depths, widths, numClasses, inputShape } = c.config as Record<string, never>;
    const model = createModel<ConvNextOptions>('convnext_cifar', { stemFeatures, depths, dims: widths, numClasses, inputShape });
    const { maxDiff, uncovered } = goldenDifference(model, c);
    expect(uncovered).toEqual([]);
    expect(maxDiff).toBeLessThan(1e-4);
    model.dispose();
  });
});

describe('ConvNeXt options', () => {
  it('refuses inputs too small for the stem and downsamplings', () => {
    expect(() => createModel<ConvNextOptions>('convnext_tiny', { inputShape: [31, 64, 3] })).toThrow(
      /convnext_tiny: input 31x64 is too small: the 4x4 stem and 3 2x2 downsamplings need at least 32x32/,
    );
    expect(() => createModel<ConvNextOptions>('convnext_cifar', { inputShape: [7, 7, 3] })).toThrow(/input 7x7 is too small: .* need at least 8x8/);
    expect(() => createModel<ConvNextOptions>('convnext_tiny', { depths: [3, 3, 9] })).toThrow(/depths \(3 stages\) and dims \(4 stages\)/);
    expect(() => createModel<ConvNextOptions>('convnext_tiny', { stemFeatures: 64 })).toThrow(/stem outputs dims\[0\] \(96\) channels; stemFeatures 64 differs/);
    expect(() => createModel<ConvNextOptions>('convnext_tiny', { dropPathRate: 1 })).toThrow(/dropPathRate must be in \[0, 1\), got 1/);
  });

  it('official init: conv and linear weights N(0, 0.02²) (not tfjs’s 2σ truncation), biases 0, layer scale 1e-6', () => {
    const model = createModel('convnext_test', { seed: 3 });
    const fc1 = model.getLayer('stages.2.blocks.1.mlp.fc1').getWeights();
    const values = Array.from(fc1[0]!.dataSync());
    const std = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
    expect(std).toBeGreaterThan(0.0185); // tfjs's truncatedNormal would give ≈ 0.0176
    expect(std).toBeLessThan(0.0215);
    expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.045); // beyond 2σ: not truncated at 2 std
    expect(Array.from(fc1[1]!.dataSync())).toEqual(new Array(96).fill(0));
    expect(Array.from(model.getLayer('head.fc').getWeights()[1]!.dataSync())).toEqual(new Array(10).fill(0));
    expect(model.getLayer('stages.0.blocks.0.gamma').getWeights()[0]!.dataSync()[0]).toBeCloseTo(1e-6, 12);
    model.dispose();
  });

  it('pytorchTruncatedNormal re-draws values outside the absolute bounds', () => {
    const t = pytorchTruncatedNormal([2000], 1, 7, -0.5, 0.5);
    const values = Array.from(t.dataSync());
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(0.5);
    t.dispose();
  });

  it('drop path: linear per block (official, row mode), per stage (seed 003, batch mode)', () => {
    const official = convNext({ ...CONVNEXT_CONFIGS.convnext_test, dropPathRate: 0.4, name: 'dp' });
    const rates = official.layers.filter((l) => l.getClassName() === 'StochasticDepth').map((l) => l.getConfig());
    // 5 blocks: linspace(0, 0.4, 5) = 0, 0.1, 0.2, 0.3, 0.4; the first (rate 0) has no layer
    expect(rates.map((r) => Number(r['p']).toFixed(4))).toEqual(['0.1000', '0.2000', '0.3000', '0.4000']);
    expect(rates.every((r) => r['mode'] === 'row')).toBe(true);
    official.dispose();
    const seed = createModel<ConvNextOptions>('convnext_cifar', { dropPathRate: 0.3, stemFeatures: 4, dims: [4, 8, 12, 16], depths: [1, 1, 2, 1] });
    const seedRates = seed.layers.filter((l) => l.getClassName() === 'StochasticDepth').map((l) => l.getConfig());
    // linspace(0, 0.3, 5)[:4] per stage = 0, 0.075, 0.15, 0.225; blocks of stage 2 share 0.15
    expect(seedRates.map((r) => Number(r['p']).toFixed(4))).toEqual(['0.0750', '0.1500', '0.1500', '0.2250']);
    expect(seedRates.every((r) => r['mode'] === 'batch')).toBe(true);
    seed.dispose();
  });

  it('runs inference without leaking tensors', () => {
    const before = tf.memory().numTensors;
    const model = createModel<ConvNextOptions>('convnext_test', { seed: 2, dropPathRate: 0.2 });
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 1);
    const y = tf.tidy(() => model.apply(x, { training: false }) as tf.Tensor);
    expect(y.shape).toEqual([2, 10]);
    tf.dispose([x, y]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(['convnext_test', 'convnext_cifar'])('%s trains: three SGD steps with drop path lower the loss on their batch', async (name) => {
    const small = name === 'convnext_cifar' ? { stemFeatures: 4, dims: [4, 8, 12, 16], depths: [1, 1, 2, 1] } : {};
    const model = createModel<ConvNextOptions>(name, { ...small, seed: 4, dropPathRate: 0.1, inputShape: [32, 32, 3] });
    const loss = (yTrue: tf.Tensor, logits: tf.Tensor): tf.Scalar => tf.losses.softmaxCrossEntropy(yTrue, logits) as tf.Scalar;
    model.compile({ optimizer: tf.train.sgd(0.05), loss });
    const x = tf.randomNormal([4, 32, 32, 3], 0, 1, 'float32', 5);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 10);
    const lossNow = (): number => tf.tidy(() => loss(labels, model.predict(x) as tf.Tensor).dataSync()[0]!);
    const before = lossNow();
    const history = await model.fit(x, labels, { epochs: 3, batchSize: 4, verbose: 0 });
    expect(history.history['loss']!.every((l) => Number.isFinite(l as number))).toBe(true);
    expect(lossNow()).toBeLessThan(before);
    tf.dispose([x, labels]);
    model.dispose();
  }, 30_000);
});
