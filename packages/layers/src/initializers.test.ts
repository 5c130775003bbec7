import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { calculateGain, computeFans, FanInUniform, KaimingNormal, KaimingUniform } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function stats(t: tf.Tensor): { min: number; max: number; mean: number; std: number } {
  const v = Array.from(t.dataSync());
  t.dispose();
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { min: Math.min(...v), max: Math.max(...v), mean, std };
}

describe('PyTorch initialisers', () => {
  it('computes fans as torch.nn.init does for tfjs layouts', () => {
    expect(computeFans([5, 5, 6, 16])).toEqual({ fanIn: 150, fanOut: 400 });
    expect(computeFans([400, 120])).toEqual({ fanIn: 400, fanOut: 120 });
    expect(() => computeFans([10])).toThrow(/rank >= 2/);
  });

  it('has PyTorch gains', () => {
    expect(calculateGain('relu')).toBeCloseTo(Math.SQRT2);
    expect(calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3));
    expect(calculateGain('tanh')).toBeCloseTo(5 / 3);
  });

  it('Kaiming uniform with a = √5 is U(±1/√fan_in), PyTorch’s conv/linear default', () => {
    const s = stats(new KaimingUniform({ a: Math.sqrt(5), seed: 1 }).apply([5, 5, 6, 16]));
    const bound = 1 / Math.sqrt(150);
    expect(s.max).toBeLessThanOrEqual(bound);
    expect(s.min).toBeGreaterThanOrEqual(-bound);
    expect(s.max).toBeGreaterThan(bound * 0.95);
    expect(s.std).toBeCloseTo(bound / Math.sqrt(3), 2);
  });

  it('Kaiming normal fan_out with ReLU gain has std √2/√fan_out (seed 000)', () => {
    const s = stats(new KaimingNormal({ mode: 'fan_out', nonlinearity: 'relu', seed: 3 }).apply([3, 3, 64, 128]));
    expect(s.std).toBeCloseTo(Math.SQRT2 / Math.sqrt(9 * 128), 3);
    expect(Math.abs(s.mean)).toBeLessThan(0.005);
  });

  it('bias init is U(±1/√fan_in) of the weight', () => {
    const s = stats(new FanInUniform({ fanIn: 400, seed: 2 }).apply([120]));
    expect(s.max).toBeLessThanOrEqual(0.05);
    expect(s.min).toBeGreaterThanOrEqual(-0.05);
    expect(s.max - s.min).toBeGreaterThan(0.08);
  });

  it('is reproducible with a seed', () => {
    const a = new KaimingUniform({ seed: 7 }).apply([3, 3]);
    const b = new KaimingUniform({ seed: 7 }).apply([3, 3]);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([a, b]);
  });

  it('refuses bad arguments with the value', () => {
    expect(() => new KaimingUniform({ mode: 'fan_avg' as 'fan_in' })).toThrow(/'fan_avg'/);
    expect(() => new KaimingNormal({ nonlinearity: 'swish' as 'relu' })).toThrow(/'swish'/);
    expect(() => new FanInUniform({ fanIn: 0 })).toThrow(/positive integer, got 0/);
    expect(() => new KaimingUniform({ seed: 1.5 })).toThrow(/seed must be an integer/);
  });

  it('serialises its config and loads back with only this package registered', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({
          inputShape: [4],
          units: 3,
          kernelInitializer: new KaimingUniform({ a: Math.sqrt(5), seed: 5 }),
          biasInitializer: new FanInUniform({ fanIn: 4, seed: 6 }),
        }),
      ],
    });
    const json = model.toJSON(null, false) as { config: { layers: Array<{ config: Record<string, unknown> }> } };
    const dense = json.config.layers.find((l) => 'kernel_initializer' in l.config)!.config;
    expect(dense.kernel_initializer).toMatchObject({ class_name: 'KaimingUniform', config: { a: Math.sqrt(5), mode: 'fan_in', nonlinearity: 'leaky_relu', seed: 5 } });
    expect(dense.bias_initializer).toMatchObject({ class_name: 'FanInUniform', config: { fan_in: 4, seed: 6 } });
    const saved: tf.io.ModelArtifacts[] = [];
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved.push(artifacts);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved[0]!));
    const x = tf.ones([1, 4]);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });
});
