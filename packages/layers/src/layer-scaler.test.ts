import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { golden, goldenDiff } from './__fixtures__/golden.js';
import { runLayerTest } from './__fixtures__/run-layer-test.js';
import { LayerScaler } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('LayerScaler', () => {
  it('passes the shared layer test with one trainable weight of [dimensions]', async () => {
    await runLayerTest({ make: () => new LayerScaler({ initValue: 1e-6, dimensions: 4 }), inputShape: [3, 3, 4], trainableWeights: 1 });
  });

  it('starts at initValue and counts `dimensions` parameters', () => {
    const layer = new LayerScaler({ initValue: 0.1, dimensions: 5 });
    layer.build([null, 2, 2, 5]);
    expect(layer.countParams()).toBe(5);
    const [gamma] = layer.getWeights();
    expect(Array.from(gamma!.dataSync())).toEqual(new Array(5).fill(Math.fround(0.1)));
    tf.dispose(layer.weights.map((w) => w.read()));
  });

  it("equals seed 003's LayerScaler with the same gamma", () => {
    const c = golden('layer_scaler');
    expect(goldenDiff(new LayerScaler({ initValue: 1e-6, dimensions: c.config.dimensions as number }), c)).toBeLessThan(1e-6);
  });

  it('refuses a channel count that differs from dimensions', () => {
    const layer = new LayerScaler({ initValue: 1, dimensions: 3 });
    expect(() => layer.build([null, 4, 4, 8])).toThrow(/8 channels but dimensions is 3/);
    expect(() => new LayerScaler({ initValue: 1, dimensions: 0 })).toThrow(/positive integer, got 0/);
  });
});
