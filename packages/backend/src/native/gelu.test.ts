import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's Node entry point registers no gradients; its ESM build does (vitest resolves its extensionless imports).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { relativeError, runOn, seededRandom } from '../__fixtures__/conv-cases.js';
import { selectBackend } from '../index.js';
import { CNN_GELU, CNN_GELU_GRAD, geluGradWasmConfig, geluWasmConfig } from './gelu.js';

/** Max |difference| / max(1, max |reference|): erf and exp approximations within a few float32 ulps of tfjs's. */
const TOLERANCE = 2e-6;

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
  await selectBackend({ backend: 'wasm' });
});

const composed = (x: tf.Tensor) => tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));

describe('CnnGelu on WASM (compiled SIMD) matches tfjs ops on the CPU backend', () => {
  it('registers both kernels for wasm', () => {
    expect(tf.getKernel(CNN_GELU, 'wasm')).toBe(geluWasmConfig);
    expect(tf.getKernel(CNN_GELU_GRAD, 'wasm')).toBe(geluGradWasmConfig);
  });

  it('forward and gradient over random sizes (odd tails) and values from -12 to 12', async () => {
    const random = seededRandom(23);
    for (const size of [1, 2, 3, 4, 5, 7, 16, 33, 1000, 65537]) {
      const values = Float32Array.from({ length: size }, (_, i) => (i < 4 ? [-12, 12, 0, -3.5][i]! : (random() * 2 - 1) * (random() < 0.2 ? 12 : 4)));
      const dyValues = Float32Array.from({ length: size }, () => random() * 2 - 1);
      const reference = await runOn('cpu', () => composed(tf.tensor1d(values)));
      const referenceGrad = await runOn('cpu', () => tf.grad(composed)(tf.tensor1d(values), tf.tensor1d(dyValues)));
      const before = tf.memory().numTensors;
      const actual = await runOn('wasm', () => tf.engine().runKernel(CNN_GELU, { x: tf.tensor1d(values) }) as tf.Tensor);
      const actualGrad = await runOn('wasm', () => tf.engine().runKernel(CNN_GELU_GRAD, { x: tf.tensor1d(values), dy: tf.tensor1d(dyValues) }) as tf.Tensor);
      expect(tf.memory().numTensors).toBe(before);
      expect(relativeError(actual, reference), `forward, size ${size}`).toBeLessThan(TOLERANCE);
      expect(relativeError(actualGrad, referenceGrad), `gradient, size ${size}`).toBeLessThan(TOLERANCE);
    }
  });
});
