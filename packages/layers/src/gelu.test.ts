import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeCase, golden, maxAbsDiff } from './__fixtures__/golden.js';
import { runLayerTest } from './__fixtures__/run-layer-test.js';
import { GELU, gelu } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('GELU', () => {
  it('passes the shared layer test', async () => {
    await runLayerTest({ make: () => new GELU(), inputShape: [3, 3, 2], trainableWeights: 0 });
    await runLayerTest({ make: () => new GELU({ approximate: 'tanh' }), inputShape: [5], trainableWeights: 0 });
  });

  it('equals torch.nn.GELU() and GELU(approximate="tanh") on [-4, 4]', () => {
    for (const [name, approximate] of [['gelu', 'none'], ['gelu_tanh', 'tanh']] as const) {
      const c = golden(name);
      const y = new GELU({ approximate }).apply(c.input) as tf.Tensor;
      expect(maxAbsDiff(y, c.output)).toBeLessThan(1e-5);
      tf.dispose(y);
      disposeCase(c);
    }
  });

  it("agrees with tfjs-layers' exact 'gelu' activation", () => {
    const c = golden('gelu');
    const y = tf.tidy(() => tfl.layers.activation({ activation: 'gelu' }).apply(c.input) as tf.Tensor);
    expect(maxAbsDiff(y, c.output)).toBeLessThan(1e-5);
    tf.dispose(y);
    disposeCase(c);
  });

  it('has the exact gradient Φ(x) + x·φ(x) on cpu', () => {
    const x = tf.tensor1d([-2, -0.5, 0, 0.7, 3]);
    const [dx] = tf.grads((t: tf.Tensor) => gelu(t))([x]);
    const expected = Array.from(x.dataSync()).map((v) => {
      const pdf = Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI);
      const cdf = (1 + erf(v / Math.SQRT2)) / 2;
      return cdf + v * pdf;
    });
    Array.from(dx!.dataSync()).forEach((g, i) => expect(g).toBeCloseTo(expected[i]!, 5));
    tf.dispose([x, dx!]);
  });

  it('runs and differentiates on the wasm backend (which has an Erf kernel) as on cpu', async () => {
    const x = tf.tensor1d([-2, -0.5, 0, 0.7, 3]);
    const onBackend = async (name: string): Promise<number[][]> => {
      await tf.setBackend(name);
      const y = gelu(x);
      const [dx] = tf.grads((t: tf.Tensor) => gelu(t))([x]);
      const values = [Array.from(await y.data()), Array.from(await dx!.data())];
      tf.dispose([y, dx!]);
      return values;
    };
    const wasm = await onBackend('wasm');
    const cpu = await onBackend('cpu');
    wasm.flat().forEach((v, i) => expect(v).toBeCloseTo(cpu.flat()[i]!, 6));
    x.dispose();
  });

  it('refuses an unknown approximation', () => {
    expect(() => new GELU({ approximate: 'fast' as 'tanh' })).toThrow(/'none' or 'tanh', got 'fast'/);
  });
});

/** erf by its Maclaurin series (|v| < 3 here): enough terms for 1e-9. */
function erf(v: number): number {
  let sum = 0;
  let term = v;
  for (let n = 0; n < 80; n++) {
    sum += term / (2 * n + 1);
    term *= (-v * v) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
