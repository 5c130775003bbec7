import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StepLR } from '../schedules/step-lr.js';
import { Adam, AdamW } from './adam.js';
import { clipGradNorm } from './clip-grad-norm.js';
import { noWeightDecayOnNormAndBias } from './param-groups.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';
import type { NamedTensor, TorchOptimizer } from './torch-optimizer.js';

/** Written by tools/reference/optim_golden.py (torch.optim, float32). */
interface Fixture {
  names: string[];
  shapes: number[][];
  initial: Record<string, number[]>;
  gradients: Record<string, number[]>[];
  cases: Record<string, { optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop'; options: Record<string, unknown>; params: Record<string, number[]>[] }>;
  clip: { maxNorm: number; normType: number | 'inf'; totalNorm: number; grads: Record<string, number[]> }[];
}
const fixture = JSON.parse(readFileSync(new URL('../__fixtures__/optim-golden.json', import.meta.url), 'utf8')) as Fixture;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let run = 0;
/** Fresh variables with the fixture's initial values, under unique tfjs-style names (`golden<run>_dense/kernel`, ...). */
function makeVariables(): { variables: tf.Variable[]; names: string[] } {
  run += 1;
  const names = fixture.names.map((n) => `golden${run}_${n}`);
  const variables = fixture.names.map((n, i) => tf.variable(tf.tensor(fixture.initial[n]!, fixture.shapes[i]), true, names[i]));
  return { variables, names };
}

function build(kind: string, options: Record<string, unknown>): TorchOptimizer {
  const { groups, stepLr, ...rest } = options;
  const opts = { ...rest, ...(groups === 'noDecayLr0.05' ? { paramGroups: [noWeightDecayOnNormAndBias({ lr: 0.05 })] } : {}) };
  switch (kind) {
    case 'SGD':
      return new SGD(opts as unknown as ConstructorParameters<typeof SGD>[0]);
    case 'Adam':
      return new Adam(opts);
    case 'AdamW':
      return new AdamW(opts);
    case 'RMSprop':
      return new RMSprop(opts);
    default:
      throw new Error(`unknown optimiser ${kind}`);
  }
}

function gradientsAt(step: number, names: string[]): NamedTensor[] {
  return fixture.names.map((n, i) => ({ name: names[i]!, tensor: tf.tensor(fixture.gradients[step]![n]!, fixture.shapes[i]) }));
}

/**
 * Largest |a − b| / max(|b|, 0.1) over all entries: relative error, with a floor for the few entries that cancel to
 * near zero (there float32 rounding — torch fuses multiply-adds, tfjs does not — is ~1e-8 absolute).
 */
function relativeError(actual: ArrayLike<number>, expected: readonly number[]): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i += 1) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(Math.abs(expected[i]!), 0.1));
  }
  return worst;
}

describe('optimisers match torch.optim step by step (1e-6 relative)', () => {
  for (const [key, c] of Object.entries(fixture.cases)) {
    it(key, () => {
      const { variables, names } = makeVariables();
      const optimizer = build(c.optimizer, c.options);
      const stepLr = c.options['stepLr'] as { stepSize: number; gamma: number } | undefined;
      const scheduler = stepLr === undefined ? undefined : new StepLR(optimizer, stepLr);
      let worst = 0;
      c.params.forEach((expected, step) => {
        const grads = gradientsAt(step, names);
        optimizer.applyGradients(grads);
        tf.dispose(grads.map((g) => g.tensor));
        scheduler?.step();
        fixture.names.forEach((n, i) => {
          worst = Math.max(worst, relativeError(variables[i]!.dataSync(), expected[n]!));
        });
      });
      expect(worst).toBeLessThan(1e-6);
      optimizer.dispose();
      tf.dispose(variables);
    });
  }
});

describe('no tensor leaks', () => {
  it('after the first step, each step keeps the tensor count constant; dispose frees the state', () => {
    for (const kind of ['SGD', 'Adam', 'AdamW', 'RMSprop'] as const) {
      const { variables, names } = makeVariables();
      const start = tf.memory().numTensors;
      const optimizer = build(kind, pick(kind));
      const step = (t: number): void => {
        const grads = gradientsAt(t, names);
        optimizer.applyGradients(grads);
        tf.dispose(grads.map((g) => g.tensor));
      };
      step(0);
      const afterFirst = tf.memory().numTensors;
      expect(afterFirst).toBeGreaterThan(start);
      for (let t = 1; t < 5; t += 1) step(t);
      expect(tf.memory().numTensors).toBe(afterFirst);
      optimizer.dispose();
      expect(tf.memory().numTensors).toBe(start);
      tf.dispose(variables);
    }
  });
});

function pick(kind: string): Record<string, unknown> {
  switch (kind) {
    case 'SGD':
      return { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01, maxGradNorm: 1 };
    case 'RMSprop':
      return { lr: 0.01, momentum: 0.9, centered: true, weightDecay: 0.01, maxGradNorm: 1 };
    default:
      return { lr: 0.01, amsgrad: true, weightDecay: 0.01, maxGradNorm: 1 };
  }
}

describe('clipGradNorm matches torch.nn.utils.clip_grad_norm_', () => {
  for (const c of fixture.clip) {
    it(`maxNorm ${c.maxNorm}, normType ${c.normType}`, () => {
      const grads = fixture.names.map((n, i) => tf.tensor(fixture.gradients[0]![n]!, fixture.shapes[i]));
      const before = tf.memory().numTensors;
      const result = clipGradNorm(grads, c.maxNorm, c.normType === 'inf' ? Number.POSITIVE_INFINITY : c.normType);
      expect(Math.abs(result.totalNorm - c.totalNorm) / c.totalNorm).toBeLessThan(1e-6);
      fixture.names.forEach((n, i) => {
        expect(relativeError(result.grads[i]!.dataSync(), c.grads[n]!)).toBeLessThan(1e-6);
      });
      expect(tf.memory().numTensors).toBe(before + grads.length);
      tf.dispose([...grads, ...result.grads]);
    });
  }
});

afterAll(() => {
  tf.disposeVariables();
});
