import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy } from '../loss.js';
import { noWeightDecayOnNormAndBias } from '../optim/param-groups.js';
import { createOptimizer, type OptimizerSpec } from '../optimizers.js';
import { DataParallelTrainer } from './data-parallel.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A small conv net, deterministic weights; with BatchNorm when asked. */
function smallModel(withBatchNorm = false): tfl.LayersModel {
  const input = tfl.input({ shape: [6, 6, 2] });
  let x = tfl.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tfl.SymbolicTensor;
  if (withBatchNorm) x = tfl.layers.batchNormalization().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 4, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

function batch(size: number, phase = 0): { images: tf.Tensor4D; labels: tf.Tensor1D } {
  const values = Array.from({ length: size * 6 * 6 * 2 }, (_, i) => Math.sin(i * 1.7 + phase) * 0.8);
  return { images: tf.tensor4d(values, [size, 6, 6, 2]), labels: tf.tensor1d(Array.from({ length: size }, (_, i) => (i + phase) % 4), 'int32') };
}

function weights(model: tfl.LayersModel): Float32Array[] {
  return model.weights.map((w) => Float32Array.from(w.read().dataSync()));
}

function maxDifference(a: Float32Array[], b: Float32Array[]): number {
  let max = 0;
  a.forEach((w, i) => w.forEach((v, j) => (max = Math.max(max, Math.abs(v - b[i]![j]!)))));
  return max;
}

/** Trains `reference` on one thread and a copy with `DataParallelTrainer` for the same steps; returns both losses and weights. */
async function compare(spec: OptimizerSpec, workers: number, steps: { size: number; lr?: number }[]) {
  const reference = smallModel();
  const parallel = smallModel();
  parallel.setWeights(reference.getWeights());
  const single = createOptimizer(spec);
  const trainer = await DataParallelTrainer.create(parallel, { optimizer: spec, workers, backend: 'cpu' });
  const losses: [number, number][] = [];
  let tensorsAfterFirst = 0;
  try {
    for (const [k, { size, lr }] of steps.entries()) {
      if (lr !== undefined) {
        single.setLearningRates(single.getLearningRates().map(() => lr));
        trainer.optimizer.setLearningRates(trainer.optimizer.getLearningRates().map(() => lr));
      }
      const { images, labels } = batch(size, k);
      const value = single.minimize(() => crossEntropy(reference.apply(images, { training: true }) as tf.Tensor, labels), true)!;
      const got = await trainer.step(images, labels);
      losses.push([value.dataSync()[0]!, got]);
      tf.dispose([value, images, labels]);
      if (k === 0) tensorsAfterFirst = tf.memory().numTensors;
    }
    const tensorsAtEnd = tf.memory().numTensors;
    return { losses, want: weights(reference), got: weights(parallel), workers: await trainer.workerWeights(), tensorsAfterFirst, tensorsAtEnd };
  } finally {
    single.dispose();
    await trainer.dispose();
  }
}

describe('DataParallelTrainer', () => {
  const trainers: DataParallelTrainer[] = [];
  afterAll(async () => {
    await Promise.all(trainers.map((t) => t.dispose()));
  });

  it('with 2 threads makes the same updates as one thread on the whole batch (SGD, momentum), and the threads agree', async () => {
    const spec: OptimizerSpec = { name: 'sgd', learningRate: 0.5, momentum: 0.9, weightDecay: 1e-3 };
    const result = await compare(spec, 1, [{ size: 7 }, { size: 8 }, { size: 6, lr: 0.2 }]);
    for (const [want, got] of result.losses) expect(got).toBeCloseTo(want, 5);
    expect(maxDifference(result.want, result.got)).toBeLessThan(1e-5);
    // lock-step: the worker's weights are bit-identical to the main thread's
    expect(result.workers).toHaveLength(1);
    expect(maxDifference(result.workers[0]!, result.got)).toBe(0);
    // later steps leak nothing
    expect(result.tensorsAtEnd).toBe(result.tensorsAfterFirst);
  }, 60_000);

  it('keeps Adam with parameter groups and 3 threads identical to one thread, also on a batch smaller than the thread count', async () => {
    const spec: OptimizerSpec = { name: 'adamw', learningRate: 0.01, weightDecay: 0.05, paramGroups: [noWeightDecayOnNormAndBias()] };
    const result = await compare(spec, 2, [{ size: 9 }, { size: 2 }, { size: 1 }, { size: 10, lr: 0.003 }]);
    for (const [want, got] of result.losses) expect(got).toBeCloseTo(want, 5);
    expect(maxDifference(result.want, result.got)).toBeLessThan(1e-5);
    expect(result.workers).toHaveLength(2);
    for (const worker of result.workers) expect(maxDifference(worker, result.got)).toBe(0);
  }, 60_000);

  it('averages BatchNorm moving statistics over the shards', async () => {
    const model = smallModel(true);
    const { images, labels } = batch(8);
    const trainer = await DataParallelTrainer.create(model, { optimizer: { name: 'sgd', learningRate: 0.1 }, workers: 1, backend: 'cpu' });
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
    await trainer.step(images, labels);
    const after = model.weights[meanIndex]!.read().dataSync();
    before.forEach((m, c) => {
      const expected = 0.5 * (0.99 * m + 0.01 * halves[0]![c]!) + 0.5 * (0.99 * m + 0.01 * halves[1]![c]!);
      expect(after[c]!).toBeCloseTo(expected, 5);
    });
    const [worker] = await trainer.workerWeights();
    expect(maxDifference(worker!, weights(model))).toBe(0);
    tf.dispose([images, labels]);
  }, 60_000);

  it('copies restored weights and optimiser state to the workers on synchronize()', async () => {
    const spec: OptimizerSpec = { name: 'sgd', learningRate: 0.3, momentum: 0.9 };
    const model = smallModel();
    const trainer = await DataParallelTrainer.create(model, { optimizer: spec, workers: 1, backend: 'cpu' });
    trainers.push(trainer);
    const { images, labels } = batch(6);
    await trainer.step(images, labels);
    // change the main thread behind the workers' back (as restoring a checkpoint does), then re-synchronise
    const other = smallModel();
    other.setWeights(model.getWeights().map((w) => tf.mul(w, 0.5)));
    model.setWeights(other.getWeights());
    const state = await trainer.optimizer.getWeights();
    await trainer.optimizer.setWeights(state.map((s) => ({ name: s.name, tensor: s.name.endsWith('momentum_buffer') ? tf.mul(s.tensor, 2) : s.tensor })));
    await trainer.synchronize();
    await trainer.step(images, labels);
    const [worker] = await trainer.workerWeights();
    expect(maxDifference(worker!, weights(model))).toBe(0);
    tf.dispose([images, labels]);
  }, 60_000);

  it('rejects the step when a worker fails, then refuses to train; dispose terminates the workers', async () => {
    const failing = new URL('./__fixtures__/fail-on-step.ts', import.meta.url).href;
    const trainer = await DataParallelTrainer.create(smallModel(), { optimizer: { name: 'sgd', learningRate: 0.1 }, workers: 1, backend: 'cpu', imports: [failing] });
    trainers.push(trainer);
    const { images, labels } = batch(4);
    await expect(trainer.step(images, labels)).rejects.toThrow(/worker 1 failed: injected worker failure/);
    await expect(trainer.step(images, labels)).rejects.toThrow(/can no longer train: .*injected worker failure/);
    await trainer.dispose();
    expect(trainer.threads).toBe(1);
    tf.dispose([images, labels]);
  }, 60_000);

  it('rejects a bad worker count, a worker that cannot start, and terminates its workers on dispose', async () => {
    const spec: OptimizerSpec = { name: 'sgd', learningRate: 0.1 };
    await expect(DataParallelTrainer.create(smallModel(), { optimizer: spec, workers: 0 })).rejects.toThrow(/workers must be a positive integer, got 0/);
    await expect(DataParallelTrainer.create(smallModel(), { optimizer: spec, workers: 1, backend: 'cpu', imports: ['file:///no/such/module.js'] })).rejects.toThrow(
      /worker 1 failed: .*no[/]such[/]module/,
    );
    const trainer = await DataParallelTrainer.create(smallModel(), { optimizer: spec, workers: 2, backend: 'cpu' });
    expect(trainer.threads).toBe(3);
    await trainer.dispose();
    expect(trainer.threads).toBe(1);
    const { images, labels } = batch(2);
    await expect(trainer.step(images, labels)).rejects.toThrow(/disposed/);
    tf.dispose([images, labels]);
  }, 60_000);
});
