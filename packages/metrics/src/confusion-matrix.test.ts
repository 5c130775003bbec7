import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { confusionMatrix } from './confusion-matrix.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** scikit-learn's documented example: confusion_matrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2]). */
const yTrue = [2, 0, 2, 2, 0, 1];
const yPred = [0, 0, 2, 2, 0, 2];

/** Expects every entry of `actual` to be close to `expected`. */
function expectMatrixClose(actual: number[][], expected: number[][]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => row.forEach((value, j) => expect(value).toBeCloseTo(expected[i]?.[j] ?? Number.NaN, 12)));
}

describe('confusionMatrix', () => {
  it('counts with rows true and columns predicted, as scikit-learn', () => {
    expect(confusionMatrix(yTrue, yPred)).toEqual([
      [2, 0, 0],
      [0, 0, 1],
      [1, 0, 2],
    ]);
  });

  it('normalises over rows, columns and everything, as scikit-learn', () => {
    expectMatrixClose(confusionMatrix(yTrue, yPred, { normalize: 'true' }), [
      [1, 0, 0],
      [0, 0, 1],
      [1 / 3, 0, 2 / 3],
    ]);
    // Column 1 is never predicted: its zero sum gives 0, not NaN.
    expectMatrixClose(confusionMatrix(yTrue, yPred, { normalize: 'pred' }), [
      [2 / 3, 0, 0],
      [0, 0, 1 / 3],
      [1 / 3, 0, 2 / 3],
    ]);
    expectMatrixClose(confusionMatrix(yTrue, yPred, { normalize: 'all' }), [
      [2 / 6, 0, 0],
      [0, 0, 1 / 6],
      [1 / 6, 0, 2 / 6],
    ]);
  });

  it('gives a zero row for a class with no true examples when rows are normalised', () => {
    expect(confusionMatrix([0, 0, 2], [0, 1, 2], { numClasses: 3, normalize: 'true' })).toEqual([
      [0.5, 0.5, 0],
      [0, 0, 0],
      [0, 0, 1],
    ]);
  });

  it('uses the sorted labels that occur in either input by default', () => {
    // Labels {1, 4, 7}: sklearn's confusion_matrix([4, 1, 7], [4, 7, 7]).
    expect(confusionMatrix([4, 1, 7], [4, 7, 7])).toEqual([
      [0, 0, 1],
      [0, 1, 0],
      [0, 0, 1],
    ]);
  });

  it('orders by options.labels and leaves out examples with unlisted labels, as scikit-learn', () => {
    // scikit-learn: confusion_matrix(y_true, y_pred, labels=[2, 0]); the example with true label 1 is left out.
    expect(confusionMatrix(yTrue, yPred, { labels: [2, 0] })).toEqual([
      [2, 1],
      [0, 2],
    ]);
  });

  it('includes absent classes with numClasses', () => {
    expect(confusionMatrix([0, 1], [1, 1], { numClasses: 4 })).toEqual([
      [0, 1, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
  });

  it('accepts tensors', () => {
    const trueTensor = tf.tensor1d(yTrue, 'int32');
    const predTensor = tf.tensor1d(yPred, 'float32');
    expect(confusionMatrix(trueTensor, predTensor)).toEqual(confusionMatrix(yTrue, yPred));
    tf.dispose([trueTensor, predTensor]);
  });

  it('rejects bad input and options, saying which value was wrong', () => {
    expect(() => confusionMatrix([], [])).toThrow('confusionMatrix needs at least one example');
    expect(() => confusionMatrix([0, 1, 2], [0, 1])).toThrow('same length, got 3 and 2');
    expect(() => confusionMatrix([0, 1.25], [0, 1])).toThrow('yTrue[1] is 1.25');
    expect(() => confusionMatrix([0, 1], [0, 3], { numClasses: 3 })).toThrow('yPred[1] is 3, but numClasses is 3');
    expect(() => confusionMatrix([0], [0], { numClasses: 0 })).toThrow('options.numClasses is 0');
    expect(() => confusionMatrix([0], [0], { labels: [0], numClasses: 1 })).toThrow('not both');
    expect(() => confusionMatrix([0], [0], { labels: [] })).toThrow('options.labels is empty');
    expect(() => confusionMatrix([0], [0], { labels: [0, 0] })).toThrow('lists 0 twice');
    expect(() => confusionMatrix([0], [0], { labels: [0.5] })).toThrow('options.labels[0] is 0.5');
    expect(() => confusionMatrix([0], [0], { labels: [5, 6] })).toThrow('none of options.labels [5, 6] occurs in yTrue');
    expect(() => confusionMatrix([0], [0], { normalize: 'rows' as never })).toThrow(`options.normalize is "rows"`);
  });
});
