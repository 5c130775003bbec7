import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// Registers tfjs-core's gradient functions, which `minimize` needs.
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOptimizer, OPTIMIZER_NAMES } from '../optimizers.js';
import { Adam, AdamW } from './adam.js';
import { isNormOrBias, noWeightDecayOnNormAndBias } from './param-groups.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';
import type { NamedTensor, TorchOptimizer } from './torch-optimizer.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let run = 0;
function variables(): tf.Variable[] {
  run += 1;
  return [
    tf.variable(tf.tensor2d([[0.5, -1.2], [2.0, 0.3]]), true, `state${run}_dense/kernel`),
    tf.variable(tf.tensor1d([0.1, -0.4]), true, `state${run}_dense/bias`),
  ];
}

/** A deterministic gradient for step `t`: the quadratic loss's gradient 2(w − c) plus a step-dependent term. */
function gradients(vars: tf.Variable[], t: number): NamedTensor[] {
  return vars.map((v, i) => ({ name: v.name, tensor: tf.tidy(() => tf.add(tf.mul(v, 2), Math.sin(t + i) * 0.7)) }));
}

function step(optimizer: TorchOptimizer, vars: tf.Variable[], t: number): void {
  const grads = gradients(vars, t);
  optimizer.applyGradients(grads);
  tf.dispose(grads.map((g) => g.tensor));
}

const makers: Record<string, () => TorchOptimizer> = {
  'SGD nesterov': () => new SGD({ lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
  'Adam amsgrad': () => new Adam({ lr: 0.01, amsgrad: true, weightDecay: 0.01 }),
  AdamW: () => new AdamW({ lr: 0.01, paramGroups: [noWeightDecayOnNormAndBias()] }),
  'RMSprop centred momentum': () => new RMSprop({ lr: 0.01, momentum: 0.5, centered: true, maxGradNorm: 0.5 }),
};

describe('getWeights → setWeights continues identically', () => {
  for (const [label, make] of Object.entries(makers)) {
    it(label, async () => {
      const straight = variables();
      const reference = make();
      for (let t = 0; t < 8; t += 1) step(reference, straight, t);

      const resumed = variables();
      const first = make();
      for (let t = 0; t < 4; t += 1) step(first, resumed, t);
      const saved = await first.getWeights();
      expect(saved.map((w) => w.name)).toContain('iter');
      expect(saved.map((w) => w.name)).toContain(`${resumed[0]!.name}/step`);
      first.dispose();
      const before = tf.memory().numTensors;
      const second = make();
      await second.setWeights(saved);
      tf.dispose(saved.map((w) => w.tensor));
      expect(second.iterations).toBe(4);
      for (let t = 4; t < 8; t += 1) step(second, resumed, t);
      straight.forEach((v, i) => {
        expect(Array.from(resumed[i]!.dataSync())).toEqual(Array.from(v.dataSync()));
      });
      second.dispose();
      reference.dispose();
      expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
      tf.dispose([...straight, ...resumed]);
    });
  }
});

describe('parameter groups', () => {
  it('noWeightDecayOnNormAndBias matches gamma, beta and bias by the last name segment', () => {
    for (const name of ['conv2d_Conv2D1/bias', 'batch_normalization_BatchNormalization1/gamma', 'bn/beta', 'dense_Dense2/bias_1']) {
      expect(isNormOrBias(name), name).toBe(true);
    }
    for (const name of ['conv2d_Conv2D1/kernel', 'alphabet_Dense1/kernel', 'bias_layer/kernel', 'dense/kernel_1']) {
      expect(isNormOrBias(name), name).toBe(false);
    }
  });

  it('the first matching group wins; unmatched variables form group 0; rates are per group', () => {
    const optimizer = new SGD({ lr: 0.1, paramGroups: [{ filter: (n) => n.endsWith('/bias'), lr: 0.5 }, noWeightDecayOnNormAndBias({ lr: 0.2 })] });
    expect(optimizer.groupIndex('a/kernel')).toBe(0);
    expect(optimizer.groupIndex('a/bias')).toBe(1);
    expect(optimizer.groupIndex('bn/gamma')).toBe(2);
    expect(optimizer.getLearningRates()).toEqual([0.1, 0.5, 0.2]);
    optimizer.setLearningRates([0.01, 0.05, 0.02]);
    expect(optimizer.getLearningRates()).toEqual([0.01, 0.05, 0.02]);
    expect(() => optimizer.setLearningRates([0.1])).toThrow(/needs 3 rate\(s\) \(one per parameter group\), got \[0.1\]/);
  });

  it('a group learning rate changes that group only', () => {
    const vars = variables();
    const optimizer = new SGD({ lr: 0.1, paramGroups: [noWeightDecayOnNormAndBias({ lr: 0 })] });
    const bias = Array.from(vars[1]!.dataSync());
    step(optimizer, vars, 0);
    expect(Array.from(vars[1]!.dataSync())).toEqual(bias);
    expect(Array.from(vars[0]!.dataSync())).not.toEqual([0.5, -1.2, 2.0, 0.3]);
    optimizer.dispose();
    tf.dispose(vars);
  });
});

describe('minimize (as fit calls it)', () => {
  it('trains a quadratic with every optimiser, without leaking tensors', () => {
    for (const name of OPTIMIZER_NAMES) {
      const w = tf.variable(tf.tensor1d([3, -2]), true, `minimize_${name}_${run++}/kernel`);
      const optimizer = createOptimizer({ name, learningRate: 0.1 });
      const loss = (): tf.Scalar => tf.sum(tf.square(w));
      optimizer.minimize(loss, false, [w]);
      const count = tf.memory().numTensors;
      let last = Number.POSITIVE_INFINITY;
      for (let i = 0; i < 20; i += 1) {
        const value = optimizer.minimize(loss, true, [w])!;
        last = value.dataSync()[0]!;
        value.dispose();
      }
      expect(tf.memory().numTensors).toBe(count);
      expect(last, name).toBeLessThan(13);
      optimizer.dispose();
      w.dispose();
    }
  });
});

describe('createOptimizer', () => {
  it('builds each optimiser with PyTorch names and keeps the sgd spec working', () => {
    expect(createOptimizer({ name: 'sgd', learningRate: 0.5 })).toBeInstanceOf(SGD);
    expect(createOptimizer({ name: 'sgd', learningRate: 0.5 }).getLearningRates()).toEqual([0.5]);
    expect(createOptimizer({ name: 'adam' }).getLearningRates()).toEqual([1e-3]);
    expect(createOptimizer({ name: 'adamw', lr: 0.01 })).toBeInstanceOf(AdamW);
    expect(createOptimizer({ name: 'rmsprop' }).getLearningRates()).toEqual([1e-2]);
    expect(createOptimizer({ name: 'sgd', lr: 0.1, momentum: 0.9, paramGroups: [noWeightDecayOnNormAndBias()] }).getLearningRates()).toEqual([0.1, 0.1]);
  });

  it('refuses unknown names and bad values with the value', () => {
    expect(() => createOptimizer({ name: 'adagrad' } as never)).toThrow(/Unknown optimizer 'adagrad'; known optimizers: sgd, adam, adamw, rmsprop/);
    expect(() => createOptimizer({ name: 'sgd', learningRate: -1 })).toThrow(/learningRate must be a finite number > 0, got -1/);
    expect(() => createOptimizer({ name: 'sgd', lr: 0.1, learningRate: 0.2 })).toThrow(/differ/);
    expect(() => createOptimizer({ name: 'sgd', lr: 0.1, nesterov: true })).toThrow(/nesterov needs momentum > 0/);
    expect(() => createOptimizer({ name: 'adam', betas: [0.9, 1] })).toThrow(/betas must be two numbers in \[0, 1\), got \[0.9,1\]/);
    expect(() => createOptimizer({ name: 'adamw', maxGradNorm: 0 })).toThrow(/maxNorm must be a finite number > 0, got 0/);
  });
});
