import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's Node entry point registers no gradients; its ESM build does (vitest resolves its extensionless imports).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { relativeError, seededRandom } from '../__fixtures__/conv-cases.js';
import { selectBackend } from '../index.js';
import {
  CNN_BATCH_NORM_TRAINING,
  CNN_BATCH_NORM_TRAINING_GRAD,
  composedBatchNormTraining,
  composedBatchNormTrainingGrad,
  nativeWasmKernelConfigs,
} from './batch-norm.js';

/** Largest difference relative to the reference's magnitude (at least 1): float32 sums over up to ~10^5 rows. */
const TOLERANCE = 2e-4;

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
  await selectBackend({ backend: 'wasm' });
});

interface Case {
  shape: number[];
  x: Float32Array;
  gamma: Float32Array;
  beta: Float32Array;
  dy: Float32Array;
  dmean: Float32Array;
  dvariance: Float32Array;
  epsilon: number;
}

function randomCase(random: () => number, shape: number[]): Case {
  const channels = shape[shape.length - 1]!;
  const values = (n: number, scale: number, offset = 0) => Float32Array.from({ length: n }, () => offset + scale * (random() * 2 - 1));
  const size = tf.util.sizeFromShape(shape);
  // An offset per case: the statistics must not lose precision when the mean is large against the spread.
  return {
    shape,
    x: values(size, 1 + 3 * random(), 10 * (random() - 0.5)),
    gamma: values(channels, 1, 0.5),
    beta: values(channels, 1),
    dy: values(size, 1),
    dmean: values(channels, random() < 0.5 ? 0 : 1),
    dvariance: values(channels, random() < 0.5 ? 0 : 1),
    epsilon: random() < 0.5 ? 1e-5 : 1e-3,
  };
}

/** Runs both kernels on the current backend; returns [y, mean, variance, dx, dgamma, dbeta] read back. */
async function runKernels(c: Case, composed: boolean): Promise<{ shape: number[]; values: Float32Array }[]> {
  const channels = c.shape[c.shape.length - 1]!;
  const outputs = tf.tidy(() => {
    const x = tf.tensor(c.x, c.shape);
    const gamma = tf.tensor1d(c.gamma);
    const beta = tf.tensor1d(c.beta);
    const forward = composed
      ? composedBatchNormTraining(x, gamma, beta, c.epsilon)
      : (tf.engine().runKernel(CNN_BATCH_NORM_TRAINING, { x, gamma, beta }, { epsilon: c.epsilon }) as tf.Tensor[]);
    const [, mean, variance] = forward as [tf.Tensor, tf.Tensor, tf.Tensor];
    const grads = { x, dy: tf.tensor(c.dy, c.shape), gamma, mean, variance, dmean: tf.tensor1d(c.dmean), dvariance: tf.tensor1d(c.dvariance) };
    const backward = composed
      ? composedBatchNormTrainingGrad(grads.x, grads.dy, gamma, mean, variance, grads.dmean, grads.dvariance, c.epsilon)
      : (tf.engine().runKernel(CNN_BATCH_NORM_TRAINING_GRAD, grads, { epsilon: c.epsilon }) as tf.Tensor[]);
    expect(backward.map((t) => t.shape)).toEqual([c.shape, [channels], [channels]]);
    return [...forward, ...backward];
  });
  const read = await Promise.all(outputs.map(async (t) => ({ shape: t.shape, values: (await t.data()) as Float32Array })));
  tf.dispose(outputs);
  return read;
}

const SHAPES_FIXED = [[64, 32, 32, 8], [100, 28, 28, 6], [3, 5, 7, 1], [2, 3], [1, 1, 1, 5], [4, 2, 2, 12]];

describe('CnnBatchNormTraining on WASM (compiled SIMD) matches the composed ops on the CPU backend', () => {
  it('registers both kernels for wasm', () => {
    nativeWasmKernelConfigs.forEach((config) => expect(tf.getKernel(config.kernelName, 'wasm')).toBe(config));
  });

  it('forward and backward over random shapes, odd channel counts, nonzero mean/variance gradients', async () => {
    const random = seededRandom(3);
    const shapes = [...SHAPES_FIXED];
    for (let i = 0; i < 30; i++) {
      const rank = 2 + Math.floor(random() * 3);
      const shape = Array.from({ length: rank }, (_, axis) => 1 + Math.floor(random() * (axis === rank - 1 ? 40 : 9)));
      shapes.push(shape);
    }
    for (const shape of shapes) {
      const c = randomCase(random, shape);
      await tf.setBackend('cpu');
      const expected = await runKernels(c, true);
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const actual = await runKernels(c, false);
      expect(tf.memory().numTensors).toBe(before);
      actual.forEach((result, i) => {
        const error = relativeError(result, expected[i]!);
        if (!(error <= TOLERANCE)) throw new Error(`shape [${shape.join(', ')}] output ${i}: relative error ${error}`);
      });
    }
  });

  it('keeps working after the WASM memory grows', async () => {
    await tf.setBackend('wasm');
    const c = randomCase(seededRandom(9), [2, 3, 3, 5]);
    const first = await runKernels(c, false);
    const big = tf.zeros([64 * 1024 * 1024]); // 256 MB: the backend's memory grows under the compiled module
    const second = await runKernels(c, false);
    big.dispose();
    second.forEach((result, i) => expect(Array.from(result.values)).toEqual(Array.from(first[i]!.values)));
  });

  it('the composed gradient equals autodiff of the composed forward pass', async () => {
    await tf.setBackend('cpu');
    const c = randomCase(seededRandom(5), [3, 4, 5, 7]);
    const [x, gamma, beta] = [tf.tensor(c.x, c.shape), tf.tensor1d(c.gamma), tf.tensor1d(c.beta)];
    const [dy, dmean, dvariance] = [tf.tensor(c.dy, c.shape), tf.tensor1d(c.dmean), tf.tensor1d(c.dvariance)];
    const autodiff = tf.grads((xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const [y, mean, variance] = composedBatchNormTraining(xs, g, b, c.epsilon) as [tf.Tensor, tf.Tensor, tf.Tensor];
      return tf.addN([tf.sum(tf.mul(y, dy)), tf.sum(tf.mul(mean, dmean)), tf.sum(tf.mul(variance, dvariance))]);
    })([x, gamma, beta]);
    const [, mean, variance] = composedBatchNormTraining(x, gamma, beta, c.epsilon);
    const manual = composedBatchNormTrainingGrad(x, dy, gamma, mean!, variance!, dmean, dvariance, c.epsilon);
    for (let i = 0; i < 3; i++) {
      const error = relativeError({ shape: manual[i]!.shape, values: manual[i]!.dataSync() as Float32Array }, {
        shape: autodiff[i]!.shape,
        values: autodiff[i]!.dataSync() as Float32Array,
      });
      expect(error).toBeLessThan(1e-4);
    }
  });
});
