import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { accumulatedStep, accumulateGradients, crossEntropy, fit, SGD, type Batch, type BatchSource } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A small CNN without batch statistics, seeded. */
function convModel(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [6, 6, 2], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 3, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
}

function batch(count: number): { images: tf.Tensor4D; labels: tf.Tensor1D } {
  return {
    images: tf.randomNormal([count, 6, 6, 2], 0, 1, 'float32', 7) as tf.Tensor4D,
    labels: tf.tensor1d(Array.from({ length: count }, (_, i) => (i * 7) % 3), 'int32'),
  };
}

const weightsOf = (model: tfl.LayersModel): Float32Array[] => model.getWeights().map((w) => w.dataSync() as Float32Array);

function maxDifference(a: Float32Array[], b: Float32Array[]): number {
  return Math.max(...a.map((w, i) => Math.max(...w.map((v, j) => Math.abs(v - b[i]![j]!)))));
}

describe('gradient accumulation', () => {
  it('gives the full batch’s loss and update in micro-batches of any size, uneven ones included', () => {
    const { images, labels } = batch(10);
    const runs = [10, 4, 3, 1].map((micro) => {
      const model = convModel();
      const optimizer = new SGD({ lr: 0.5, momentum: 0.9 });
      const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const lossFn = (x: tf.Tensor4D, y: tf.Tensor1D): tf.Scalar => crossEntropy(model.apply(x, { training: true }) as tf.Tensor2D, y);
      const losses: number[] = [];
      for (let step = 0; step < 2; step += 1) {
        const loss = accumulatedStep(optimizer, lossFn, images, labels, variables, micro);
        losses.push(loss.dataSync()[0]!);
        loss.dispose();
      }
      const weights = weightsOf(model);
      model.dispose();
      optimizer.dispose();
      return { losses, weights };
    });
    const [full, ...micro] = runs;
    for (const run of micro) {
      run.losses.forEach((loss, i) => expect(loss).toBeCloseTo(full!.losses[i]!, 5));
      expect(maxDifference(run.weights, full!.weights)).toBeLessThan(1e-5);
    }
    // The test can fail: a different batch gives a different update.
    expect(maxDifference(runs[0]!.weights, weightsOf(convModel()))).toBeGreaterThan(1e-3);
    tf.dispose([images, labels]);
  });

  it('leaks no tensors and refuses bad sizes', () => {
    const model = convModel();
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { images, labels } = batch(5);
    const lossFn = (x: tf.Tensor4D, y: tf.Tensor1D): tf.Scalar => crossEntropy(model.apply(x, { training: true }) as tf.Tensor2D, y);
    const before = tf.memory().numTensors;
    const { loss, grads } = accumulateGradients(lossFn, images, labels, variables, 2);
    expect(Object.keys(grads)).toHaveLength(variables.length);
    tf.dispose([loss, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => accumulateGradients(lossFn, images, labels, variables, 0)).toThrow(/microBatchSize must be a positive integer, got 0/);
    tf.dispose([images, labels]);
    model.dispose();
  });

  it('fit({ microBatchSize }) trains to the same weights as whole batches', async () => {
    const data = (): BatchSource => ({
      length: 3,
      async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
        for (let i = 0; i < 3; i += 1) yield batch(8);
      },
    });
    const train = async (microBatchSize?: number): Promise<Float32Array[]> => {
      const model = convModel();
      await fit(model, data(), { epochs: 1, optimizer: { name: 'sgd', learningRate: 0.3 }, ...(microBatchSize === undefined ? {} : { microBatchSize }) });
      const weights = weightsOf(model);
      model.dispose();
      return weights;
    };
    expect(maxDifference(await train(3), await train())).toBeLessThan(1e-5);
    await expect(train(1.5)).rejects.toThrow(/microBatchSize must be a positive integer, got 1.5/);
  });
});
