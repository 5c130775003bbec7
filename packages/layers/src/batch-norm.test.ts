import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's Node entry point registers no gradients; its ESM build does (vitest resolves its extensionless imports).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { relativeMaxError } from './__fixtures__/golden.js';
import { runLayerTest } from './__fixtures__/run-layer-test.js';
import { batchNormTraining, CNN_BATCH_NORM_TRAINING } from './batch-norm-training.js';
import { BatchNormalization, PYTORCH_BATCH_NORM, pytorchBatchNorm } from './index.js';

/** Float32 results of the fused kernel against tfjs's composed ops: max |difference| / max(1, max |reference|). */
const TOLERANCE = 2e-5;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const maxError = relativeMaxError;

function seeded(seed: number): () => number {
  let state = seed;
  return () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
}

/** A tfjs-layers BatchNormalization and ours with the same (non-trivial) weights, built for `inputShape`. */
function twinLayers(inputShape: number[], random: () => number): [tfl.layers.Layer, BatchNormalization] {
  const channels = inputShape[inputShape.length - 1]!;
  const reference = tfl.layers.batchNormalization({ ...PYTORCH_BATCH_NORM });
  const fused = new BatchNormalization({ ...PYTORCH_BATCH_NORM });
  reference.build([null, ...inputShape]);
  fused.build([null, ...inputShape]);
  const weights = [0, 1, 2, 3].map((i) => tf.tensor1d(Array.from({ length: channels }, () => (i === 3 ? 0.5 + random() : random() * 2 - 1))));
  reference.setWeights(weights);
  fused.setWeights(weights);
  tf.dispose(weights);
  return [reference, fused];
}

describe('batchNormTraining', () => {
  it('matches tfjs moments + batchNorm forward and autodiff backward over random shapes (cpu kernel)', () => {
    const random = seeded(7);
    expect(tf.getKernel(CNN_BATCH_NORM_TRAINING, 'cpu')).toBeDefined();
    for (let i = 0; i < 12; i++) {
      const rank = 2 + (i % 3);
      const shape = Array.from({ length: rank }, (_, axis) => 1 + Math.floor(random() * (axis === rank - 1 ? 17 : 6)));
      if (shape[0]! * (shape[1] ?? 1) < 2) shape[0] = 2;
      const channels = shape[rank - 1]!;
      tf.tidy(() => {
        const x = tf.add(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', i), 2), 3);
        const gamma = tf.randomUniform([channels], 0.5, 1.5, 'float32', i);
        const beta = tf.randomUniform([channels], -1, 1, 'float32', i);
        const dy = tf.randomNormal(shape, 0, 1, 'float32', 100 + i);
        const axes = shape.slice(0, -1).map((_, axis) => axis);
        const reference = (xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
          const { mean, variance } = tf.moments(xs, axes);
          return tf.batchNorm(xs, mean, variance, b, g, 1e-5);
        };
        const fused = (xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => batchNormTraining(xs, g, b, 1e-5).y;
        expect(maxError(fused(x, gamma, beta), reference(x, gamma, beta))).toBeLessThan(TOLERANCE);
        const expected = tf.grads((xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(reference(xs, g, b), dy)))([x, gamma, beta]);
        const actual = tf.grads((xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(fused(xs, g, b), dy)))([x, gamma, beta]);
        actual.forEach((grad, k) => expect(maxError(grad, expected[k]!), `shape [${shape.join()}] grad ${k}`).toBeLessThan(1e-4));
      });
    }
  });

  it('rejects per-channel weights that do not match the channel axis', () => {
    tf.tidy(() => {
      expect(() => batchNormTraining(tf.zeros([2, 3]), tf.ones([4]), tf.zeros([3]), 1e-5)).toThrow(/gamma must have shape \[3\]/);
    });
  });
});

describe('BatchNormalization', () => {
  it('passes the shared layer test with 2 trainable and 2 non-trainable weights', async () => {
    // momentum 1 keeps the moving statistics: the shared test compares inference outputs before and after a training
    // call, which any other momentum changes (as it should).
    await runLayerTest({ make: () => new BatchNormalization({ momentum: 1, epsilon: 1e-5 }), inputShape: [5, 5, 3], batchSize: 3, trainableWeights: 2, nonTrainableWeights: 2 });
  });

  it('is what pytorchBatchNorm returns, with tfjs-layers names and config', () => {
    const layer = pytorchBatchNorm();
    expect(layer).toBeInstanceOf(BatchNormalization);
    expect(layer.getClassName()).toBe('BatchNormalization');
    layer.build([null, 4, 4, 2]);
    expect(layer.weights.map((w) => w.originalName.split('/').pop())).toEqual(['gamma', 'beta', 'moving_mean', 'moving_variance']);
    const reference = tfl.layers.batchNormalization({ ...PYTORCH_BATCH_NORM });
    const strip = (config: tf.serialization.ConfigDict) => ({ ...config, name: undefined });
    expect(strip(layer.getConfig())).toEqual(strip(reference.getConfig()));
  });

  it('trains like tfjs-layers: same output, moving statistics and gradients; inference unchanged; no leaks', () => {
    const random = seeded(11);
    const inputShape = [6, 5, 7];
    const [reference, fused] = twinLayers(inputShape, random);
    const x = tf.add(tf.randomNormal([4, ...inputShape], 0, 1, 'float32', 3), 1);
    const dy = tf.randomNormal([4, ...inputShape], 0, 1, 'float32', 4);
    const step = (layer: tfl.layers.Layer) => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, dy)), layer.trainableWeights.map((w) => w.read() as tf.Variable));
      return { value, grads: Object.values(grads) };
    };
    for (let i = 0; i < 3; i++) {
      const before = tf.memory().numTensors;
      const expected = step(reference);
      const actual = step(fused);
      expect(maxError(actual.value, expected.value)).toBeLessThan(TOLERANCE);
      actual.grads.forEach((grad, k) => expect(maxError(grad, expected.grads[k]!)).toBeLessThan(1e-4));
      tf.dispose([expected.value, actual.value, ...expected.grads, ...actual.grads]);
      expect(tf.memory().numTensors).toBe(before);
    }
    const [refWeights, fusedWeights] = [reference.getWeights(), fused.getWeights()];
    fusedWeights.forEach((w, k) => expect(maxError(w, refWeights[k]!)).toBeLessThan(1e-6));
    tf.tidy(() => {
      expect(maxError(fused.apply(x, { training: false }) as tf.Tensor, reference.apply(x, { training: false }) as tf.Tensor)).toBeLessThan(1e-6);
    });
    tf.dispose([x, dy]);
  });

  it('falls back to tfjs-layers for a non-last axis, with the same results', () => {
    tf.tidy(() => {
      const reference = tfl.layers.batchNormalization({ axis: 1 });
      const fused = new BatchNormalization({ axis: 1 });
      const x = tf.randomNormal([3, 4, 5], 0, 1, 'float32', 1);
      expect(maxError(fused.apply(x, { training: true }) as tf.Tensor, reference.apply(x, { training: true }) as tf.Tensor)).toBeLessThan(1e-6);
    });
  });
});
