import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { accuracyScore } from './accuracy.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('accuracyScore', () => {
  // scikit-learn: accuracy_score([0, 1, 2, 3], [0, 2, 1, 3]) == 0.5, normalize=False gives 2.
  it('matches scikit-learn on its documented example', () => {
    expect(accuracyScore([0, 1, 2, 3], [0, 2, 1, 3])).toBe(0.5);
    expect(accuracyScore([0, 1, 2, 3], [0, 2, 1, 3], { normalize: false })).toBe(2);
    expect(accuracyScore([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2])).toBeCloseTo(4 / 6, 15);
  });

  it('accepts tensors and mixes of tensors and arrays', () => {
    const yTrue = tf.tensor1d([1, 1, 0, 2], 'int32');
    const yPred = tf.tidy(() => tf.argMax(tf.tensor2d([[0, 1, 0], [1, 0, 0], [1, 0, 0], [0, 0, 1]]), -1));
    expect(accuracyScore(yTrue, yPred)).toBe(0.75);
    expect(accuracyScore(yTrue, [1, 1, 0, 2])).toBe(1);
    tf.dispose([yTrue, yPred]);
  });

  it('rejects empty, mismatched and invalid input with the argument named', () => {
    expect(() => accuracyScore([], [])).toThrow('accuracyScore needs at least one example');
    expect(() => accuracyScore([0, 1], [0])).toThrow('same length, got 2 and 1');
    expect(() => accuracyScore([0, 1], [0, 0.5])).toThrow('yPred[1] is 0.5');
    expect(() => accuracyScore([0, -2], [0, 0])).toThrow('yTrue[1] is -2');
  });
});
