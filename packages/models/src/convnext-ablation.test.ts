import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONVNEXT_ABLATION_CONFIGS, type ConvNextAblationOptions } from './convnext-ablation.js';
import { createModel } from './registry.js';
import { convNextGolden, goldenDifference, PYTORCH_PARAMETER_COUNTS } from './__fixtures__/convnext-golden.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const STEPS = Object.keys(CONVNEXT_ABLATION_CONFIGS);

function trainableCount(model: ReturnType<typeof createModel>): number {
  return model.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
}

describe('seed 003 ablation steps', () => {
  it('registers the six steps', () => {
    expect(STEPS).toEqual([
      'convnext_ablation_base',
      'convnext_ablation_stage_ratio',
      'convnext_ablation_patchify',
      'convnext_ablation_resnextify',
      'convnext_ablation_inverted_bottleneck',
      'convnext_ablation_large_kernel',
    ]);
  });

  // PyTorch counts of the seed's networks (tools/reference/convnext_golden.py), also kept in the fixture.
  const expected: Record<string, number> = {
    convnext_ablation_base: 1_485_258,
    convnext_ablation_stage_ratio: 1_678_666,
    convnext_ablation_patchify: 1_677_130,
    convnext_ablation_resnextify: 878_362,
    convnext_ablation_inverted_bottleneck: 11_837_194,
    convnext_ablation_large_kernel: 11_256_970,
  };

  it.each(STEPS)('%s has the trainable parameter count of the seed’s PyTorch network', (name) => {
    expect(PYTORCH_PARAMETER_COUNTS[name]).toBe(expected[name]);
    const model = createModel(name, { seed: 1 });
    expect(trainableCount(model)).toBe(expected[name]);
    model.dispose();
  }, 30_000);

  // The fixture holds the logits before the seed's softmax (probabilities near 0.1 would hide errors under 1e-4).
  it.each(STEPS)('%s at tiny width (stem 8, depths 2-1-1, widths 8-16-24, 16x16 input) matches PyTorch within 1e-4', (name) => {
    const c = convNextGolden(name);
    const model = createModel<ConvNextAblationOptions>(name, { ...(c.config as ConvNextAblationOptions), softmax: false });
    const { maxDiff, uncovered } = goldenDifference(model, c);
    expect(uncovered).toEqual([]);
    expect(maxDiff).toBeLessThan(1e-4);
    model.dispose();
  });

  it('ends with the seed’s softmax unless asked for logits', () => {
    const tiny = { stemFeatures: 4, depths: [1, 1], widths: [4, 8], inputShape: [8, 8, 3] as const, seed: 1 };
    const model = createModel<ConvNextAblationOptions>('convnext_ablation_large_kernel', tiny);
    const logitsModel = createModel<ConvNextAblationOptions>('convnext_ablation_large_kernel', { ...tiny, softmax: false });
    const x = tf.randomNormal([3, 8, 8, 3], 0, 1, 'float32', 2);
    const p = model.predict(x) as tf.Tensor;
    const logits = logitsModel.predict(x) as tf.Tensor;
    expect(Array.from(tf.sum(p, 1).dataSync()).every((s) => Math.abs(s - 1) < 1e-5)).toBe(true);
    expect(logitsModel.layers.some((l) => l.getClassName() === 'Softmax')).toBe(false);
    tf.dispose([x, p, logits]);
    model.dispose();
    logitsModel.dispose();
  });

  it.each(['convnext_ablation_resnextify', 'convnext_ablation_inverted_bottleneck'])('%s trains (grouped convolutions, BatchNorm)', async (name) => {
    const tiny = { stemFeatures: 8, depths: [1, 1], widths: [8, 16], inputShape: [8, 8, 3] as const, seed: 3, softmax: false };
    const model = createModel<ConvNextAblationOptions>(name, tiny);
    const loss = (yTrue: tf.Tensor, logits: tf.Tensor): tf.Scalar => tf.losses.softmaxCrossEntropy(yTrue, logits) as tf.Scalar;
    model.compile({ optimizer: tf.train.sgd(0.05), loss });
    const x = tf.randomNormal([8, 8, 8, 3], 0, 1, 'float32', 4);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10);
    const history = await model.fit(x, labels, { epochs: 4, batchSize: 8, verbose: 0 });
    const losses = history.history['loss'] as number[];
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[3]!).toBeLessThan(losses[0]!);
    tf.dispose([x, labels]);
    model.dispose();
  });

  it('refuses impossible options with the value', () => {
    expect(() => createModel<ConvNextAblationOptions>('convnext_ablation_base', { widths: [64, 128, 128, 512] })).toThrow(
      /widths\[2\] equals widths\[1\] \(128\)/,
    );
    expect(() => createModel<ConvNextAblationOptions>('convnext_ablation_base', { widths: [2, 8, 16, 32], stemFeatures: 2 })).toThrow(
      /width 2 is too small for the bottleneck's reduction by 4/,
    );
    expect(() => createModel<ConvNextAblationOptions>('convnext_ablation_inverted_bottleneck', { widths: [64, 96, 256, 512] })).toThrow(
      /groups = input channels \(96\), which must divide 4 · width \(1024\)/,
    );
    expect(() => createModel<ConvNextAblationOptions>('convnext_ablation_patchify', { patchSize: 4, inputShape: [3, 3, 3] })).toThrow(
      /input 3x3 is smaller than the 4x4 patchify stem/,
    );
    expect(() => createModel<ConvNextAblationOptions>('convnext_ablation_base', { depths: [3, 4, 6] })).toThrow(/depths \(3 stages\) and widths \(4 stages\)/);
  });
});
