/** Optimisers by name with PyTorch's argument names, so settings read as in the seeds. */
import * as tf from '@tensorflow/tfjs-core';

/** Optimiser settings. Only what tfjs implements with PyTorch's semantics is offered. */
export type OptimizerSpec =
  | {
      /** Plain SGD (`torch.optim.SGD` with momentum 0): w ← w − lr·g. */
      name: 'sgd';
      /** Learning rate, > 0. */
      learningRate: number;
    };

/** Names {@link createOptimizer} accepts. */
export const OPTIMIZER_NAMES = ['sgd'] as const;

/** Builds a tfjs optimiser from a spec; bad names and learning rates are refused with the value. */
export function createOptimizer(spec: OptimizerSpec): tf.Optimizer {
  const name = (spec as { name?: unknown })?.name;
  if (!OPTIMIZER_NAMES.includes(name as 'sgd')) {
    throw new Error(`Unknown optimizer '${String(name)}'; known optimizers: ${OPTIMIZER_NAMES.join(', ')}`);
  }
  const lr = spec.learningRate;
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) {
    throw new Error(`${String(name)}: learningRate must be a finite number > 0, got ${String(lr)}`);
  }
  return tf.train.sgd(lr);
}
