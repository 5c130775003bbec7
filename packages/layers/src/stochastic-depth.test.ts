import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { runLayerTest } from './__fixtures__/run-layer-test.js';
import { StochasticDepth, stochasticDepth } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * Per sample of a training call on `x` (no zeros in it): 'dropped' when all zero, 'kept' when every value is
 * x / (1 - p) to float32 rounding, else 'mixed'.
 */
function sampleFates(layer: StochasticDepth, x: tf.Tensor): Array<'dropped' | 'kept' | 'mixed'> {
  const y = layer.apply(x, { training: true }) as tf.Tensor;
  const [outputs, inputs] = tf.tidy(() => [y, x].map((t) => tf.reshape(t, [x.shape[0]!, -1]).arraySync() as number[][]));
  y.dispose();
  return outputs!.map((row, i) => {
    if (row.every((v) => v === 0)) return 'dropped';
    const scaled = row.every((v, j) => Math.abs(v - inputs![i]![j]! / (1 - layer.p)) <= 1e-6 * Math.abs(v));
    return scaled ? 'kept' : 'mixed';
  });
}

describe('StochasticDepth', () => {
  it('passes the shared layer test', async () => {
    await runLayerTest({ make: () => new StochasticDepth({ p: 0.2, mode: 'row' }), inputShape: [4, 4, 3], trainableWeights: 0 });
    await runLayerTest({ make: () => new StochasticDepth({ p: 0.5, mode: 'batch' }), inputShape: [6], trainableWeights: 0 });
  });

  it('is the identity at inference', () => {
    const x = tf.randomNormal([8, 3, 3, 2]);
    const y = new StochasticDepth({ p: 0.9, mode: 'row' }).apply(x) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    tf.dispose([x, y]);
  });

  it("'row' drops whole samples with probability p and scales the kept ones by exactly 1/(1 - p)", () => {
    const p = 0.3;
    const x = tf.add(tf.randomUniform([2000, 2, 2, 3]), 0.5); // no zeros, so every ratio is defined
    const fates = sampleFates(new StochasticDepth({ p, mode: 'row' }), x);
    x.dispose();
    expect(fates.includes('mixed')).toBe(false);
    const dropped = fates.filter((f) => f === 'dropped').length / fates.length;
    expect(Math.abs(dropped - p)).toBeLessThan(0.035); // 3.4 standard deviations for n = 2000
  });

  it("'batch' drops the whole batch or none of it, with probability p", () => {
    const p = 0.4;
    const layer = new StochasticDepth({ p, mode: 'batch' });
    const x = tf.add(tf.randomUniform([4, 3]), 0.5);
    let dropped = 0;
    const calls = 600;
    for (let i = 0; i < calls; i++) {
      const fates = new Set(sampleFates(layer, x));
      expect(fates.size).toBe(1);
      expect(fates.has('mixed')).toBe(false);
      if (fates.has('dropped')) dropped++;
    }
    x.dispose();
    expect(Math.abs(dropped / calls - p)).toBeLessThan(0.07); // 3.5 standard deviations for n = 600
  });

  it('p = 1 zeroes everything and p = 0 keeps everything, as torchvision', () => {
    const x = tf.ones([3, 2]);
    const [zero, same] = [stochasticDepth(x, 1, 'row', true), stochasticDepth(x, 0, 'batch', true)];
    expect(Array.from(zero.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(same.dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
    tf.dispose([x, zero, same]);
  });

  it('refuses bad arguments with the value', () => {
    expect(() => new StochasticDepth({ p: 1.5, mode: 'row' })).toThrow(/\[0, 1\], got 1.5/);
    expect(() => new StochasticDepth({ p: 0.1, mode: 'sample' as 'row' })).toThrow(/'row' or 'batch', got 'sample'/);
  });
});
