/** Optimisers by name with PyTorch's argument names, so settings read as in the seeds. */
import { Adam, AdamW, type AdamOptions } from './optim/adam.js';
import { RMSprop, type RMSpropOptions } from './optim/rmsprop.js';
import { SGD, type SGDOptions } from './optim/sgd.js';
import type { TorchOptimizer } from './optim/torch-optimizer.js';

/** The learning rate, as `learningRate` or PyTorch's `lr` (give one; both must agree if both are given). */
interface LearningRateSpec {
  /** Learning rate, > 0. */
  learningRate?: number;
  /** Learning rate, > 0 (PyTorch's name). */
  lr?: number;
}

/**
 * Optimiser settings: a lower-case name and the class's options (PyTorch's names in camelCase). `sgd` needs a
 * learning rate; the others default to PyTorch's (Adam/AdamW 1e-3, RMSprop 1e-2).
 */
export type OptimizerSpec =
  | ({ /** `torch.optim.SGD`: momentum, dampening, Nesterov, L2 weight decay. */ name: 'sgd' } & LearningRateSpec & Omit<SGDOptions, 'lr'>)
  | ({ /** `torch.optim.Adam`: L2 (coupled) weight decay. */ name: 'adam' } & LearningRateSpec & Omit<AdamOptions, 'lr'>)
  | ({ /** `torch.optim.AdamW`: decoupled weight decay (default 1e-2). */ name: 'adamw' } & LearningRateSpec & Omit<AdamOptions, 'lr'>)
  | ({ /** `torch.optim.RMSprop`. */ name: 'rmsprop' } & LearningRateSpec & Omit<RMSpropOptions, 'lr'>);

/** Names {@link createOptimizer} accepts. */
export const OPTIMIZER_NAMES = ['sgd', 'adam', 'adamw', 'rmsprop'] as const;

/**
 * Builds an optimiser with PyTorch's update rule from a spec, e.g. `{ name: 'sgd', learningRate: 0.1, momentum: 0.9 }`.
 * The result is a `tf.Optimizer` (for `fit`) and a `LearningRateControl` (for schedules). Unknown names and bad
 * learning rates are refused with the value.
 */
export function createOptimizer(spec: OptimizerSpec): TorchOptimizer {
  const name = (spec as { name?: unknown } | undefined)?.name;
  if (!OPTIMIZER_NAMES.includes(name as (typeof OPTIMIZER_NAMES)[number])) {
    throw new Error(`Unknown optimizer '${String(name)}'; known optimizers: ${OPTIMIZER_NAMES.join(', ')}`);
  }
  const { name: _name, learningRate, lr: torchLr, ...options } = spec;
  if (learningRate !== undefined && torchLr !== undefined && learningRate !== torchLr) {
    throw new Error(`${String(name)}: learningRate (${learningRate}) and lr (${torchLr}) differ; give one of them`);
  }
  const lr = learningRate ?? torchLr;
  if (lr === undefined && name === 'sgd') throw new Error(`sgd: learningRate must be a finite number > 0, got undefined`);
  if (lr !== undefined && (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0)) {
    throw new Error(`${String(name)}: learningRate must be a finite number > 0, got ${String(lr)}`);
  }
  const withLr = lr === undefined ? options : { ...options, lr };
  switch (spec.name) {
    case 'sgd':
      return new SGD(withLr as SGDOptions);
    case 'adam':
      return new Adam(withLr as AdamOptions);
    case 'adamw':
      return new AdamW(withLr as AdamOptions);
    case 'rmsprop':
      return new RMSprop(withLr as RMSpropOptions);
  }
}
