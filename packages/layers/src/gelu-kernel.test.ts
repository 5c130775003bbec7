import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's Node entry point registers no gradients; its ESM build does (vitest resolves its extensionless imports).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CNN_GELU, CNN_GELU_GRAD, geluExact } from './gelu-kernel.js';

const composed = (x: tf.Tensor) => tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));

// Stand-in kernels for the cpu backend (the compiled ones exist for wasm only, in @cnn/backend), so that the fused
// path and the gradient registered by gelu-kernel.ts run here.
beforeAll(async () => {
  await tf.setBackend('cpu');
  tf.registerKernel({
    kernelName: CNN_GELU,
    backendName: 'cpu',
    kernelFunc: ({ inputs }) => composed(inputs['x'] as tf.Tensor),
  });
  tf.registerKernel({
    kernelName: CNN_GELU_GRAD,
    backendName: 'cpu',
    kernelFunc: ({ inputs }) => {
      const x = inputs['x'] as tf.Tensor;
      return tf.mul(inputs['dy'] as tf.Tensor, tf.add(tf.mul(0.5, tf.add(1, tf.erf(tf.div(x, Math.SQRT2)))), tf.mul(x, tf.mul(1 / Math.sqrt(2 * Math.PI), tf.exp(tf.mul(-0.5, tf.square(x)))))));
    },
  });
});

afterAll(() => {
  tf.unregisterKernel(CNN_GELU, 'cpu');
  tf.unregisterKernel(CNN_GELU_GRAD, 'cpu');
});

describe('geluExact', () => {
  it('runs the CnnGelu kernel where registered, with a gradient equal to autodiff of the tfjs-ops form', () => {
    tf.tidy(() => {
      const x = tf.reshape(tf.linspace(-6, 6, 101), [1, 101]);
      const dy = tf.randomNormal([1, 101], 0, 1, 'float32', 2);
      expect(tf.max(tf.abs(tf.sub(geluExact(x), composed(x)))).dataSync()[0]).toBeLessThan(1e-6);
      const expected = tf.grad(composed)(x, dy);
      const actual = tf.grad(geluExact)(x, dy);
      expect(tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0]).toBeLessThan(1e-5);
    });
  });

  it('falls back to tfjs ops where no kernel is registered', () => {
    tf.unregisterKernel(CNN_GELU, 'cpu');
    try {
      tf.tidy(() => {
        const x = tf.tensor1d([-1, 0, 2]);
        expect(Array.from(geluExact(x).dataSync())).toEqual(Array.from(composed(x).dataSync()));
      });
    } finally {
      tf.registerKernel({ kernelName: CNN_GELU, backendName: 'cpu', kernelFunc: ({ inputs }) => composed(inputs['x'] as tf.Tensor) });
    }
  });
});
