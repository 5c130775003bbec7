import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfusionMatrixAccumulator } from './confusion-matrix-accumulator.js';
import { confusionMatrix } from './confusion-matrix.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('ConfusionMatrixAccumulator', () => {
  it('sums batches to the same matrix and accuracy as one call over all examples', () => {
    const yTrue = [2, 0, 2, 2, 0, 1, 3];
    const yPred = [0, 0, 2, 2, 0, 2, 3];
    const accumulator = new ConfusionMatrixAccumulator(4);
    accumulator.update(yTrue.slice(0, 3), yPred.slice(0, 3));
    accumulator.update([], []);
    const trueTensor = tf.tensor1d(yTrue.slice(3), 'int32');
    const predTensor = tf.tensor1d(yPred.slice(3), 'int32');
    accumulator.update(trueTensor, predTensor);
    tf.dispose([trueTensor, predTensor]);
    expect(accumulator.counts).toEqual(confusionMatrix(yTrue, yPred, { numClasses: 4 }));
    expect(accumulator.total).toBe(7);
    expect(accumulator.accuracy()).toBeCloseTo(5 / 7, 15);
  });

  it('returns a copy of the counts and clears on reset', () => {
    const accumulator = new ConfusionMatrixAccumulator(2);
    accumulator.update([0, 1], [1, 1]);
    const counts = accumulator.counts;
    counts[0]![0] = 99;
    expect(accumulator.counts).toEqual([[0, 1], [0, 1]]);
    accumulator.reset();
    expect(accumulator.counts).toEqual([[0, 0], [0, 0]]);
    expect(accumulator.total).toBe(0);
  });

  it('rejects a bad batch without adding any of it', () => {
    const accumulator = new ConfusionMatrixAccumulator(3);
    accumulator.update([0], [0]);
    expect(() => accumulator.update([0, 1, 2], [0, 1, 3])).toThrow('yPred[2] is 3, but this accumulator has numClasses 3');
    expect(() => accumulator.update([0, 1], [0])).toThrow('same length, got 2 and 1');
    expect(() => accumulator.update([0, -1], [0, 0])).toThrow('yTrue[1] is -1');
    expect(accumulator.total).toBe(1);
    expect(accumulator.counts[0]).toEqual([1, 0, 0]);
  });

  it('rejects a bad numClasses and accuracy before any example', () => {
    expect(() => new ConfusionMatrixAccumulator(0)).toThrow('numClasses is 0');
    expect(() => new ConfusionMatrixAccumulator(2.5)).toThrow('numClasses is 2.5');
    expect(() => new ConfusionMatrixAccumulator(2).accuracy()).toThrow('no examples yet');
  });
});
