import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { golden, goldenDiff } from './__fixtures__/golden.js';
import { runLayerTest } from './__fixtures__/run-layer-test.js';
import { SqueezeExcitation } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('SqueezeExcitation', () => {
  it('passes the shared layer test with four trainable weights', async () => {
    await runLayerTest({ make: () => new SqueezeExcitation({ channels: 8, reduction: 4 }), inputShape: [3, 3, 8], trainableWeights: 4 });
    await runLayerTest({ make: () => new SqueezeExcitation({ channels: 4, hiddenUnits: 10, seed: 3 }), inputShape: [2, 2, 4], trainableWeights: 4 });
  });

  it("equals seed 001's SEBlock(16, 4) with its PyTorch weights", () => {
    const c = golden('squeeze_excitation');
    expect(goldenDiff(new SqueezeExcitation({ channels: c.config.channels as number, reduction: c.config.reduction as number }), c)).toBeLessThan(1e-5);
  });

  it("has seed 001's parameter counts: SEBlock(144, 16) and the first version's SEBlock(64) with 1000 hidden units", () => {
    const counts = [new SqueezeExcitation({ channels: 144, reduction: 16 }), new SqueezeExcitation({ channels: 64, hiddenUnits: 1000 })].map((layer) => {
      layer.build([null, 4, 4, layer.channels]);
      const count = layer.countParams();
      tf.dispose(layer.weights.map((w) => w.read()));
      return count;
    });
    expect(counts).toEqual([144 * 9 + 9 + 9 * 144 + 144, 64 * 1000 + 1000 + 1000 * 64 + 64]);
  });

  it('refuses inconsistent options with the values', () => {
    expect(() => new SqueezeExcitation({ channels: 8 })).toThrow(/exactly one of reduction and hiddenUnits/);
    expect(() => new SqueezeExcitation({ channels: 8, reduction: 16 })).toThrow(/8 channels \/ reduction 16 leaves no hidden unit/);
    expect(() => new SqueezeExcitation({ channels: 8, reduction: 2 }).build([null, 4, 4, 6])).toThrow(/6 channels but channels is 8/);
  });
});
