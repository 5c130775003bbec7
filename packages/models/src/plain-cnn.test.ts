import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSeedGolden, loadWeightsByName, maxAbsDiff, paramCounts } from './__fixtures__/googlenet-golden.js';
import { createModel, plainCnn, PLAIN_CNN_TINY } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const golden = loadSeedGolden('plain-cnn-golden.json');

describe("seed 001's PlainCNN", () => {
  it('has the PyTorch parameter count: 2,784,250 trainable, 1,984 BatchNorm running statistics', () => {
    const model = createModel('plain_cnn', { seed: 1 });
    expect(paramCounts(model)).toEqual({ trainable: 2_784_250, nonTrainable: 1_984 });
    expect(golden.parameterCounts['plain_cnn']).toEqual({ trainable: 2_784_250, nonTrainable: 1_984 });
    model.dispose();
  });

  it('equals PyTorch for the same weights within 1e-4 (tiny widths, inference mode: DropBlock and dropout are the identity)', () => {
    const before = tf.memory().numTensors;
    const model = plainCnn({ ...PLAIN_CNN_TINY, seed: 0 });
    expect(loadWeightsByName(model, golden)).toEqual([]);
    const x = golden.input();
    const [expected] = golden.outputs();
    const y = model.predict(x) as tf.Tensor;
    expect(maxAbsDiff(y, expected!)).toBeLessThan(1e-4);
    tf.dispose([x, y, expected!]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("uses the dropblock package's DropBlock (0.3; blocks 8, 4, 2), LeakyReLU 0.01 and PyTorch BatchNorm", () => {
    const model = plainCnn({ ...PLAIN_CNN_TINY, seed: 1 });
    const dropBlocks = model.layers.filter((l) => l.getClassName() === 'DropBlock2D').map((l) => l.getConfig());
    expect(dropBlocks).toMatchObject([8, 4, 2].map((blockSize) => ({ blockSize, dropProb: 0.3, variant: 'dropblockPackage' })));
    expect(model.getLayer('fc1_leaky_relu').getConfig()).toMatchObject({ alpha: 0.01 });
    expect(model.getLayer('block1_bn').getConfig()).toMatchObject({ momentum: 0.9, epsilon: 1e-5 });
    model.dispose();
  });

  it('refuses inputs smaller than 32x32 and bad widths, naming the value', () => {
    expect(() => createModel('plain_cnn', { inputShape: [28, 28, 3] })).toThrow(/plain_cnn: input 28x28 is too small: five 2x2 average pools need at least 32x32/);
    expect(() => plainCnn({ widths: [4, 4, 4] as unknown as [number, number, number, number, number] })).toThrow(/widths must have 5 entries/);
  });
});
