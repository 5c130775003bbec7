import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { golden, goldenDiff } from './__fixtures__/golden.js';
import { runLayerTest } from './__fixtures__/run-layer-test.js';
import { LayerNorm2d } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('LayerNorm2d', () => {
  it('passes the shared layer test with two trainable weights', async () => {
    await runLayerTest({ make: () => new LayerNorm2d(), inputShape: [3, 3, 4], trainableWeights: 2 });
  });

  it("equals ConvNeXt's channels_first LayerNorm with the same non-trivial weight and bias", () => {
    const c = golden('layer_norm_2d');
    expect(c.config.epsilon).toBe(1e-6);
    expect(goldenDiff(new LayerNorm2d(), c)).toBeLessThan(1e-5);
  });

  it('normalises each pixel over its channels only', () => {
    const layer = new LayerNorm2d();
    const x = tf.tensor4d([1, 2, 3, 100, 200, 300], [1, 1, 2, 3]);
    const y = layer.apply(x) as tf.Tensor;
    const s = Math.sqrt(2 / 3);
    Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo([-1, 0, 1][i % 3]! / s, 4));
    tf.dispose([x, y, ...layer.weights.map((w) => w.read())]);
    expect(() => new LayerNorm2d({ epsilon: 0 })).toThrow(/positive, got 0/);
  });
});
