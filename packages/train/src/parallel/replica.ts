/**
 * One thread's copy of the training state in data-parallel training: its model, its optimiser, and the two halves of
 * a step around the barrier (compute the shard's gradients into the exchange; apply the averaged gradients). The main
 * thread and every worker run this same code, so their weights and optimiser states stay identical.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LossFunction } from '../loss.js';
import type { TorchOptimizer } from '../optim/torch-optimizer.js';
import { createOptimizer, type OptimizerSpec } from '../optimizers.js';
import type { GradientExchange } from './exchange.js';
import type { PortableOptimizerEntry, PortableOptimizerSpec } from './protocol.js';

/** The exchanged tensors' sizes: every trainable weight's, then every non-trainable weight's. */
export function exchangeSizes(model: tfl.LayersModel): number[] {
  return [...model.trainableWeights, ...model.nonTrainableWeights].map((w) => w.read().size);
}

/** Builds the optimiser of a worker: `spec`, with parameter-group membership given per trainable weight. */
export function replicaOptimizer(spec: PortableOptimizerSpec, groupOfWeight: readonly number[], model: tfl.LayersModel): TorchOptimizer {
  const groupOfName = new Map(model.trainableWeights.map((w, i) => [(w.read() as tf.Variable).name, groupOfWeight[i] ?? 0]));
  const paramGroups = spec.paramGroups?.map((group, i) => ({ ...group, filter: (name: string) => groupOfName.get(name) === i + 1 }));
  return createOptimizer({ ...spec, ...(paramGroups === undefined ? {} : { paramGroups }) } as OptimizerSpec);
}

/** The optimiser's state with variables addressed by their index in `model.trainableWeights`. */
export async function exportOptimizerState(optimizer: TorchOptimizer, model: tfl.LayersModel): Promise<{ iterations: number; entries: PortableOptimizerEntry[] }> {
  const indexOfName = new Map(model.trainableWeights.map((w, i) => [(w.read() as tf.Variable).name, i]));
  const named = await optimizer.getWeights();
  let iterations = 0;
  const entries: PortableOptimizerEntry[] = [];
  for (const { name, tensor } of named) {
    if (name === 'iter') iterations = (await tensor.data())[0]!;
    else {
      const slash = name.lastIndexOf('/');
      const weight = indexOfName.get(name.slice(0, slash));
      if (weight === undefined) throw new Error(`data-parallel: optimiser state '${name}' belongs to no trainable weight of the model`);
      const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
      const data = await tensor.data();
      entries.push({ weight, key: name.slice(slash + 1), values: dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data), shape: [...tensor.shape], dtype });
    }
    tensor.dispose();
  }
  return { iterations, entries };
}

/** Loads {@link exportOptimizerState}'s result into `optimizer`, renaming variables to this thread's model's. */
export async function importOptimizerState(optimizer: TorchOptimizer, model: tfl.LayersModel, iterations: number, entries: readonly PortableOptimizerEntry[]): Promise<void> {
  const names = model.trainableWeights.map((w) => (w.read() as tf.Variable).name);
  const tensors = [
    { name: 'iter', tensor: tf.scalar(iterations, 'int32') as tf.Tensor },
    ...entries.map((e) => ({ name: `${names[e.weight]!}/${e.key}`, tensor: tf.tensor(e.values, e.shape, e.dtype) })),
  ];
  try {
    await optimizer.setWeights(tensors);
  } finally {
    tf.dispose(tensors.map((t) => t.tensor));
  }
}

/** One thread's model and optimiser, stepping in lock-step with the others through a {@link GradientExchange}. */
export class Replica {
  private readonly trainable: tf.Variable[];

  constructor(
    readonly model: tfl.LayersModel,
    readonly optimizer: TorchOptimizer,
    private readonly loss: LossFunction,
    private readonly exchange: GradientExchange,
    private readonly thread: number,
  ) {
    this.trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
  }

  /**
   * Computes the mean loss and gradients of one shard (BatchNorm updating its moving statistics from the shard) and
   * writes them, with the non-trainable weights, into this thread's slot of the step's `parity`.
   */
  computeShard(parity: number, images: tf.Tensor4D, labels: tf.Tensor1D): void {
    const { value, grads } = tf.tidy(() =>
      tf.variableGrads(() => {
        const out = this.model.apply(images, { training: true }) as tf.Tensor | tf.Tensor[];
        return this.loss(Array.isArray(out) ? out[0]! : out, labels);
      }, this.trainable),
    );
    try {
      this.trainable.forEach((v, i) => {
        const grad = grads[v.name];
        if (grad === undefined) throw new Error(`data-parallel: the loss has no gradient for '${v.name}'`);
        this.exchange.write(parity, this.thread, i, grad.dataSync());
      });
      const first = this.trainable.length;
      this.model.nonTrainableWeights.forEach((w, i) => this.exchange.write(parity, this.thread, first + i, w.read().dataSync()));
      this.exchange.writeLoss(parity, this.thread, value.dataSync()[0]!);
    } finally {
      tf.dispose([value, ...Object.values(grads)]);
    }
  }

  /**
   * After the barrier: sets the non-trainable weights to the share-weighted average of every thread's, and applies
   * the optimiser to the share-weighted average of the gradients (with `learningRates`, when given).
   */
  applyAverage(parity: number, shares: readonly number[], learningRates?: readonly number[]): void {
    if (learningRates !== undefined) this.optimizer.setLearningRates(learningRates);
    const first = this.trainable.length;
    this.model.nonTrainableWeights.forEach((w, i) => {
      const value = tf.tensor(this.exchange.average(parity, first + i, shares), w.shape as number[]);
      w.write(value);
      value.dispose();
    });
    const grads: tf.NamedTensorMap = {};
    try {
      this.trainable.forEach((v, i) => {
        grads[v.name] = tf.tensor(this.exchange.average(parity, i, shares), v.shape);
      });
      this.optimizer.applyGradients(grads);
    } finally {
      tf.dispose(Object.values(grads));
    }
  }
}
