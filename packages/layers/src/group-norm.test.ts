import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { golden, goldenDiff } from './__fixtures__/golden.js';
import { runLayerTest } from './__fixtures__/run-layer-test.js';
import { GroupNorm } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('GroupNorm', () => {
  it('passes the shared layer test with two trainable weights', async () => {
    await runLayerTest({ make: () => new GroupNorm({ groups: 2 }), inputShape: [3, 3, 4], trainableWeights: 2 });
    await runLayerTest({ make: () => new GroupNorm({ groups: 3 }), inputShape: [6], trainableWeights: 2 });
  });

  it('equals torch.nn.GroupNorm(3, 6) with the same non-trivial weight and bias', () => {
    const c = golden('group_norm');
    expect(goldenDiff(new GroupNorm({ groups: c.config.groups as number, epsilon: c.config.epsilon as number }), c)).toBeLessThan(1e-5);
  });

  it('with one group normalises each sample over H, W and C together (seed 003)', () => {
    const x = tf.randomNormal([2, 3, 3, 4], 5, 3, 'float32', 1);
    const layer = new GroupNorm({ groups: 1 });
    const y = layer.apply(x) as tf.Tensor;
    const { mean, variance } = tf.moments(y, [1, 2, 3]);
    Array.from(mean.dataSync()).forEach((m) => expect(m).toBeCloseTo(0, 5));
    Array.from(variance.dataSync()).forEach((v) => expect(v).toBeCloseTo(1, 4));
    tf.dispose([x, y, mean, variance, ...layer.weights.map((w) => w.read())]);
  });

  it('refuses groups that do not divide the channels', () => {
    expect(() => new GroupNorm({ groups: 3 }).build([null, 4, 4, 8])).toThrow(/8 channels cannot be split into 3 groups/);
    expect(() => new GroupNorm({ groups: 0 })).toThrow(/positive integer, got 0/);
  });
});
