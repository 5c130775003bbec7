import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy } from '../loss.js';
import { DataParallelTrainer } from './data-parallel.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A small conv net without batch statistics, deterministic weights. */
function smallModel(withBatchNorm = false): tfl.LayersModel {
  const input = tfl.input({ shape: [6, 6, 2] });
  let x = tfl.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tfl.SymbolicTensor;
  if (withBatchNorm) x = tfl.layers.batchNormalization().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 4, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

function batch(size: number): { images: tf.Tensor4D; labels: tf.Tensor1D } {
  const values = Array.from({ length: size * 6 * 6 * 2 }, (_, i) => Math.sin(i * 1.7) * 0.8);
  return { images: tf.tensor4d(values, [size, 6, 6, 2]), labels: tf.tensor1d(Array.from({ length: size }, (_, i) => i % 4), 'int32') };
}

function weights(model: tfl.LayersModel): Float32Array[] {
  return model.weights.map((w) => Float32Array.from(w.read().dataSync()));
}

describe('DataParallelTrainer', () => {
  const trainers: DataParallelTrainer[] = [];
  afterAll(async () => {
    await Promise.all(trainers.map((t) => t.dispose()));
  });

  it('with 2 threads makes the same update as one thread on the whole batch', async () => {
    const reference = smallModel();
    const parallel = smallModel();
    parallel.setWeights(reference.getWeights());
    const initial = weights(reference);
    const { images, labels } = batch(7);
    const sgd = tf.train.sgd(0.5);
    const lossValue = sgd.minimize(() => crossEntropy(reference.apply(images, { training: true }) as tf.Tensor, labels), true);
    const expected = lossValue!.dataSync()[0]!;
    lossValue!.dispose();

    const trainer = DataParallelTrainer.create(parallel, { workers: 1, backend: 'cpu' });
    trainers.push(trainer);
    const before = tf.memory().numTensors;
    const optimizer = tf.train.sgd(0.5);
    const loss = await trainer.step(optimizer, images, labels);
    expect(loss).toBeCloseTo(expected, 5);
    const want = weights(reference);
    const got = weights(parallel);
    expect(want.some((w, i) => w.some((v, j) => v !== initial[i]![j]))).toBe(true);
    want.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(v - got[i]![j]!)).toBeLessThan(1e-5)));
    // a second step leaks nothing
    const mid = tf.memory().numTensors;
    await trainer.step(optimizer, images, labels);
    expect(tf.memory().numTensors).toBe(mid);
    expect(mid - before).toBeLessThanOrEqual(1); // the optimiser's step counter
    tf.dispose([images, labels]);
    optimizer.dispose();
    sgd.dispose();
  }, 60_000);

  it('averages BatchNorm moving statistics over the shards', async () => {
    const model = smallModel(true);
    const { images, labels } = batch(8);
    const trainer = DataParallelTrainer.create(model, { workers: 1, backend: 'cpu' });
    trainers.push(trainer);
    const meanIndex = model.weights.findIndex((w) => w.name.includes('moving_mean'));
    const before = Float32Array.from(model.weights[meanIndex]!.read().dataSync());
    // the expected moving mean: the average of each half's update of it (momentum 0.99)
    const halves = [tf.slice(images, 0, 4), tf.slice(images, 4, 4)].map((x) => {
      const probe = smallModel(true);
      probe.setWeights(model.getWeights());
      const features = tfl.model({ inputs: probe.inputs, outputs: probe.layers[1]!.output as tfl.SymbolicTensor }).predict(x) as tf.Tensor;
      const mean = Float32Array.from(tf.mean(features, [0, 1, 2]).dataSync());
      tf.dispose([x, features]);
      return mean;
    });
    await trainer.step(tf.train.sgd(0.1), images, labels);
    const after = model.weights[meanIndex]!.read().dataSync();
    before.forEach((m, c) => {
      const expected = 0.5 * (0.99 * m + 0.01 * halves[0]![c]!) + 0.5 * (0.99 * m + 0.01 * halves[1]![c]!);
      expect(after[c]!).toBeCloseTo(expected, 5);
    });
    tf.dispose([images, labels]);
  }, 60_000);

  it('rejects a bad worker count and terminates its workers on dispose', async () => {
    expect(() => DataParallelTrainer.create(smallModel(), { workers: 0 })).toThrow(/workers must be a positive integer, got 0/);
    const trainer = DataParallelTrainer.create(smallModel(), { workers: 2, backend: 'cpu' });
    expect(trainer.threads).toBe(3);
    await trainer.dispose();
    expect(trainer.threads).toBe(1);
  }, 60_000);
});
