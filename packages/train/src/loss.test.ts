import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCrossEntropy, crossEntropy, weightedOutputsLoss } from './loss.js';

interface Golden {
  logits: number[][];
  labels: number[];
  cases: { labelSmoothing: number; classWeights: number[] | null; loss: number }[];
  multiOutput: { outputs: number[][][]; weights: number[]; loss: number };
}
const golden = JSON.parse(readFileSync(new URL('./__fixtures__/losses-golden.json', import.meta.url), 'utf8')) as Golden;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('createCrossEntropy', () => {
  it.each(golden.cases)('matches torch CrossEntropyLoss(label_smoothing=$labelSmoothing, weight=$classWeights)', (c) => {
    const before = tf.memory().numTensors;
    const logits = tf.tensor2d(golden.logits);
    const labels = tf.tensor1d(golden.labels, 'int32');
    const loss = createCrossEntropy({ labelSmoothing: c.labelSmoothing, ...(c.classWeights ? { classWeights: c.classWeights } : {}) })(logits, labels);
    expect(loss.dataSync()[0]).toBeCloseTo(c.loss, 5);
    tf.dispose([logits, labels, loss]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is plain cross-entropy without options and refuses bad options', () => {
    expect(createCrossEntropy()).toBe(crossEntropy);
    expect(() => createCrossEntropy({ labelSmoothing: 1 })).toThrow(/labelSmoothing must be a number in \[0, 1\), got 1/);
    expect(() => createCrossEntropy({ classWeights: [1, -2] })).toThrow(/classWeights must be .* got \[1,-2\]/);
    const loss = createCrossEntropy({ classWeights: [1, 2] });
    expect(() => loss(tf.zeros([1, 3]), tf.tensor1d([0], 'int32'))).toThrow(/classWeights has 2 entries for 3 classes/);
  });
});

describe('weightedOutputsLoss', () => {
  it("is GoogLeNet's loss + 0.3·aux1 + 0.3·aux2 as torch computes it", () => {
    const before = tf.memory().numTensors;
    const outputs = golden.multiOutput.outputs.map((o) => tf.tensor2d(o));
    const labels = tf.tensor1d(golden.labels, 'int32');
    const loss = weightedOutputsLoss(golden.multiOutput.weights.map((weight) => ({ weight })), crossEntropy)(outputs, labels);
    expect(loss.dataSync()[0]).toBeCloseTo(golden.multiOutput.loss, 5);
    tf.dispose([...outputs, labels, loss]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a count that does not match the outputs, and bad weights', () => {
    expect(() => weightedOutputsLoss([{ weight: -1 }], crossEntropy)).toThrow(/losses\[0\].weight must be a finite number ≥ 0, got -1/);
    const loss = weightedOutputsLoss([{ weight: 1 }, { weight: 0.3 }], crossEntropy);
    expect(() => loss([tf.zeros([1, 2])], tf.tensor1d([0], 'int32'))).toThrow(/losses has 2 entries but the model has 1 outputs/);
  });
});
