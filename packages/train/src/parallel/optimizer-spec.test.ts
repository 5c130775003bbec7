import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { noWeightDecayOnNormAndBias } from '../optim/param-groups.js';
import { SGD } from '../optim/sgd.js';
import { createOptimizer, type OptimizerSpec } from '../optimizers.js';
import { describeOptimizer, isReplicableOptimizer } from './optimizer-spec.js';
import { replicaOptimizer } from './replica.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function model(): tfl.LayersModel {
  return tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2 }), tfl.layers.dense({ units: 2 })] });
}

describe('describeOptimizer', () => {
  const specs: OptimizerSpec[] = [
    { name: 'sgd', learningRate: 0.1, momentum: 0.8, dampening: 0.1, weightDecay: 1e-4, maxGradNorm: 2, gradNormType: 1 },
    { name: 'sgd', learningRate: 0.1, momentum: 0.9, nesterov: true },
    { name: 'adam', lr: 3e-4, betas: [0.8, 0.99], eps: 1e-6, amsgrad: true, weightDecay: 0.01 },
    { name: 'adamw', lr: 2e-3, weightDecay: 0.05, paramGroups: [noWeightDecayOnNormAndBias()] },
    { name: 'rmsprop', lr: 0.01, alpha: 0.9, momentum: 0.5, centered: true },
  ];
  it.each(specs.map((s, i) => [i, s] as const))('rebuilds optimiser %i with the same class, settings and groups', (_i, spec) => {
    const m = model();
    const original = createOptimizer(spec);
    original.setLearningRates(original.getLearningRates().map((r) => r / 2)); // as a schedule would
    const { spec: portable, groupOfWeight } = describeOptimizer(original, m);
    const rebuilt = replicaOptimizer(structuredClone(portable), groupOfWeight, m);
    expect(rebuilt.constructor).toBe(original.constructor);
    expect(rebuilt.getConfig()).toEqual(original.getConfig());
    expect((rebuilt as unknown as { gradNormType: unknown }).gradNormType).toBe((original as unknown as { gradNormType: unknown }).gradNormType);
    const names = m.trainableWeights.map((w) => (w.read() as tf.Variable).name);
    expect(names.map((n) => rebuilt.groupIndex(n))).toEqual(names.map((n) => original.groupIndex(n)));
    m.dispose();
  });

  it('refuses optimisers it cannot replicate exactly', () => {
    class Custom extends SGD {}
    expect(isReplicableOptimizer(new SGD({ lr: 1 }))).toBe(true);
    expect(isReplicableOptimizer(new Custom({ lr: 1 }))).toBe(false);
    expect(() => describeOptimizer(tf.train.sgd(0.1), model())).toThrow(/can replicate SGD, Adam, AdamW and RMSprop .* not SGDOptimizer/);
    expect(() => describeOptimizer(new Custom({ lr: 1 }), model())).toThrow(/not Custom/);
  });
});
