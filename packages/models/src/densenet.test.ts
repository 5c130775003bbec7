import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { caseOptions, goldenModelDiff, loadModelGolden } from './__fixtures__/resnet-golden.js';
import { createModel, densenet, type DenseNetOptions } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const count = (ws: Array<{ shape: Array<number | null> }>): number => ws.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);

describe('DenseNet', () => {
  it('DenseNet-121 has torchvision’s 7,978,856 trainable parameters (and 2 × 41,824 BN running statistics)', () => {
    const model = createModel('densenet121', { seed: 1 });
    expect({ trainable: count(model.trainableWeights), nonTrainable: count(model.nonTrainableWeights) }).toEqual({ trainable: 7_978_856, nonTrainable: 83_648 });
    expect(model.getLayer('features.norm5').outputShape).toEqual([null, 7, 7, 1024]);
    expect(model.getLayer('features.transition1.conv').outputShape).toEqual([null, 56, 56, 128]);
    expect(model.getLayer('classifier').outputShape).toEqual([null, 1000]);
    model.dispose();
  });

  it('equals PyTorch for the same weights (tiny DenseNet-BC, inference mode)', () => {
    const golden = loadModelGolden('densenet-golden.json');
    const model = densenet({ ...(caseOptions(golden, 'tiny') as DenseNetOptions), seed: 0 });
    expect(goldenModelDiff(model, golden, 'tiny')).toBeLessThan(1e-4);
    model.dispose();
  });

  it('initialises as torchvision: convs Kaiming normal fan_in (std √(2/fan_in)), classifier bias 0', () => {
    const model = densenet({ blockConfig: [2, 2], growthRate: 32, numInitFeatures: 64, inputShape: [32, 32, 3], numClasses: 10, seed: 4 });
    const values = Array.from(model.getLayer('features.denseblock2.denselayer2.conv2').getWeights()[0]!.dataSync()); // [3, 3, 128, 32]
    const std = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
    expect(std).toBeCloseTo(Math.sqrt(2 / (9 * 128)), 3);
    const [kernel, bias] = model.getLayer('classifier').getWeights();
    expect(Array.from(kernel!.dataSync()).reduce((m, v) => Math.max(m, Math.abs(v)), 0)).toBeLessThanOrEqual(1 / Math.sqrt(128)); // 64 + 2·32 = 128 → transition 64 → + 2·32 = 128 features
    expect([...bias!.dataSync()].every((v) => v === 0)).toBe(true);
    model.dispose();
  });

  it('refuses inputs too small for its downsampling and bad options', () => {
    expect(() => createModel('densenet121', { inputShape: [28, 28, 3] })).toThrow(
      "densenet121: input 28x28 is too small for its downsampling: 'features.transition3.pool' (stride 2) would receive a 1-pixel side; the input must be at least 29x29",
    );
    expect(() => densenet({ blockConfig: [] })).toThrow(/blockConfig must be a non-empty list of positive integers, got \[\]/);
    expect(() => densenet({ compression: 0 })).toThrow(/compression must be in \(0, 1\], got 0/);
    expect(() => densenet({ growthRate: 1.5 })).toThrow(/growthRate must be a positive integer, got 1.5/);
  });
});
