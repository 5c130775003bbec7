import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSeedGolden, loadWeightsByName, maxAbsDiff, paramCounts } from './__fixtures__/googlenet-golden.js';
import { catdogCnn, CATDOG_CNN_TINY, createModel, getModelEntry } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const golden = loadSeedGolden('catdog-golden.json');

describe("seed 002's cats-vs-dogs CNN", () => {
  it('has the seed’s reported size: 35,110,402 trainable parameters (its ResNet-50, 24,576,101, has 10,534,301 fewer)', () => {
    const model = createModel('catdog_cnn', { seed: 1 });
    expect(paramCounts(model)).toEqual({ trainable: 35_110_402, nonTrainable: 1_920 });
    expect(golden.parameterCounts['catdog_cnn']).toEqual({ trainable: 35_110_402, nonTrainable: 1_920 });
    expect(35_110_402 - 24_576_101).toBe(10_534_301);
    expect(model.outputs[0]!.shape).toEqual([null, 2]);
    expect(getModelEntry('catdog_cnn').defaults.inputShape).toEqual([128, 128, 3]);
    model.dispose();
  });

  it('equals PyTorch for the same weights within 1e-4 (tiny widths on 32x32: a 2x2x8 map flattened in PyTorch order)', () => {
    const before = tf.memory().numTensors;
    const model = catdogCnn({ ...CATDOG_CNN_TINY, inputShape: [32, 32, 3], seed: 0 });
    expect(loadWeightsByName(model, golden)).toEqual([]);
    const x = golden.input();
    const [expected] = golden.outputs();
    const y = model.predict(x) as tf.Tensor;
    expect(maxAbsDiff(y, expected!)).toBeLessThan(1e-4);
    tf.dispose([x, y, expected!]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses inputs too small for its max pools, naming the size', () => {
    expect(() => createModel('catdog_cnn', { inputShape: [15, 15, 3] })).toThrow(/catdog_cnn: input 15x15 is too small: 4 2x2 max pools need at least 16x16/);
    expect(() => catdogCnn({ widths: [] })).toThrow(/widths must have at least one entry/);
  });
});
