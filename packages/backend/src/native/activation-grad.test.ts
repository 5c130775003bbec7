import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../__fixtures__/conv-cases.js';
import { registerWasmTrainingKernels, selectBackend } from '../index.js';
import { CNN_RELU_GRAD, CNN_SIGMOID_GRAD } from './activation-grad.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
  await selectBackend({ backend: 'wasm' });
  registerWasmTrainingKernels(); // after the import above, which registered tfjs-core's own gradients
});

/** The gradient of sum(f(x) · w) with respect to x on `backend`, and the kernels the backward pass ran. */
async function gradient(backend: string, f: (x: tf.Tensor) => tf.Tensor, x: Float32Array, w: Float32Array, shape: number[]) {
  await tf.setBackend(backend);
  const profile = await tf.profile(() => {
    const [xt, wt] = [tf.tensor(x, shape), tf.tensor(w, shape)];
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v), wt)))(xt);
    tf.dispose([xt, wt]);
    return g;
  });
  const result = profile.result as tf.Tensor;
  const values = Array.from(result.dataSync());
  result.dispose();
  return { values, kernels: profile.kernelNames };
}

describe('fused Sigmoid and Relu gradients on wasm', () => {
  const random = seededRandom(91);
  const sizes = [1, 3, 4, 7, 64, 1001];
  for (const [label, f, kernel] of [
    ['sigmoid', tf.sigmoid, CNN_SIGMOID_GRAD],
    ['relu', tf.relu, CNN_RELU_GRAD],
  ] as const) {
    it(`${label}: one fused kernel, bit-identical to tfjs-core's composed gradient on wasm, and close to the CPU backend's`, async () => {
      const config = tf.getKernel(kernel, 'wasm')!;
      for (const n of sizes) {
        const x = Float32Array.from({ length: n }, () => (random() * 2 - 1) * 6);
        if (n > 3) x[1] = 0; // ReLU's kink: step(0) = 0
        const w = Float32Array.from({ length: n }, () => random() * 2 - 1);
        if (n > 3) w[2] = -0.5; // a negative dy meeting a zero step gives −0 there
        const fusedRun = await gradient('wasm', f, x, w, [n]);
        tf.unregisterKernel(kernel, 'wasm'); // the registered gradient now composes tfjs ops, as tfjs-core's
        let composedRun: Awaited<ReturnType<typeof gradient>>;
        try {
          composedRun = await gradient('wasm', f, x, w, [n]);
        } finally {
          tf.registerKernel(config);
        }
        const cpu = await gradient('cpu', f, x, w, [n]);
        expect(fusedRun.kernels, `n=${n}`).toContain(kernel);
        expect(composedRun.kernels, `n=${n}`).not.toContain(kernel);
        const signed = (values: number[]) => values.map((v) => (Object.is(v, -0) ? '-0' : v));
        expect(signed(fusedRun.values), `n=${n}`).toEqual(signed(composedRun.values));
        // the CPU backend's sigmoid forward rounds differently from XNNPACK's, so its gradient agrees to float32 precision
        fusedRun.values.forEach((v, i) => expect(Math.abs(v - cpu.values[i]!), `n=${n} [${i}]`).toBeLessThanOrEqual(1e-6 * Math.abs(w[i]!) + 1e-7));
      }
    });
  }

  it('ReLU passes NaN and the sign of zero through as tfjs-core does', async () => {
    const x = Float32Array.from([Number.NaN, -1, 2, 0, 5]);
    const w = Float32Array.from([1, -2, -3, -4, Number.POSITIVE_INFINITY]);
    const cpu = await gradient('cpu', tf.relu, x, w, [5]);
    const wasm = await gradient('wasm', tf.relu, x, w, [5]);
    expect(wasm.values.map(String)).toEqual(cpu.values.map(String));
    expect(wasm.values.map((v) => Object.is(v, -0))).toEqual(cpu.values.map((v) => Object.is(v, -0)));
  });

  it('refuses a dy of another shape, naming it, and leaves no tensors behind', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const [a, b] = [tf.zeros([2, 3]), tf.zeros([3, 2])];
    expect(() => tf.engine().runKernel(CNN_RELU_GRAD, { x: a, dy: b })).toThrow(/CnnReluGrad \(wasm\): dy has shape \[3, 2\], expected \[2, 3\]/);
    tf.dispose([a, b]);
    const x = tf.randomNormal([4, 5]);
    for (let i = 0; i < 3; i++) tf.grad((v: tf.Tensor) => tf.sum(tf.sigmoid(tf.relu(v))))(x).dispose();
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
