/**
 * Describing an optimiser so that a worker thread can build an identical one: the class and its hyperparameters, read
 * from `getConfig()`, and parameter-group membership per trainable weight (group filters are functions, which cannot
 * be sent to a worker).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { Adam, AdamW } from '../optim/adam.js';
import type { NormType } from '../optim/clip-grad-norm.js';
import { RMSprop } from '../optim/rmsprop.js';
import { SGD } from '../optim/sgd.js';
import type { TorchOptimizer } from '../optim/torch-optimizer.js';
import type { PortableOptimizerSpec } from './protocol.js';

/** The classes a worker can rebuild, by the `createOptimizer` name that builds them. */
const REPLICABLE = [
  ['sgd', SGD],
  ['adam', Adam],
  ['adamw', AdamW],
  ['rmsprop', RMSprop],
] as const;

/** Error text for optimisers that cannot be replicated. */
function notReplicable(optimizer: unknown): string {
  const name = (optimizer as { constructor?: { name?: string } } | null)?.constructor?.name ?? typeof optimizer;
  return (
    `data-parallel training builds the same optimiser in every thread and can replicate SGD, Adam, AdamW and RMSprop ` +
    `from createOptimizer (or their specs), not ${name}; pass an optimizer spec such as { name: 'sgd', learningRate: 0.1 }`
  );
}

/** Whether `optimizer` is one of the optimisers data-parallel training can replicate exactly (not a subclass). */
export function isReplicableOptimizer(optimizer: unknown): optimizer is TorchOptimizer {
  return REPLICABLE.some(([, cls]) => (optimizer as object | null)?.constructor === cls);
}

/**
 * The spec that rebuilds `optimizer` (its current learning rates included) and, for each of `model`'s trainable
 * weights, the index of its parameter group. Throws for optimisers other than SGD, Adam, AdamW and RMSprop.
 */
export function describeOptimizer(optimizer: tf.Optimizer, model: tfl.LayersModel): { spec: PortableOptimizerSpec; groupOfWeight: number[] } {
  const entry = REPLICABLE.find(([, cls]) => optimizer.constructor === cls);
  if (entry === undefined) throw new Error(notReplicable(optimizer));
  const torch = optimizer as TorchOptimizer;
  const config = torch.getConfig() as Record<string, unknown> & { groups: { lr: number; weightDecay: number }[]; maxGradNorm: number | null };
  const { groups, maxGradNorm, ...rest } = config;
  const [first, ...others] = groups;
  // gradNormType is not part of getConfig(); read the field TorchOptimizer keeps it in
  const gradNormType = (torch as unknown as { gradNormType: NormType }).gradNormType;
  const spec = {
    ...rest,
    name: entry[0],
    lr: first!.lr > 0 ? first!.lr : 1, // createOptimizer needs lr > 0; every step sets the main thread's rates anyway
    weightDecay: first!.weightDecay,
    ...(maxGradNorm === null ? {} : { maxGradNorm, gradNormType }),
    ...(others.length === 0 ? {} : { paramGroups: others.map((g) => ({ lr: g.lr, weightDecay: g.weightDecay })) }),
  } as PortableOptimizerSpec;
  const groupOfWeight = model.trainableWeights.map((w) => torch.groupIndex((w.read() as tf.Variable).name));
  return { spec, groupOfWeight };
}
