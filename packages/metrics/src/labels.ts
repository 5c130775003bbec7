/**
 * Class-label input handling shared by every metric: accepts plain arrays, typed arrays and
 * rank-1 tensors, and checks that each value is a non-negative integer.
 */
import type { Tensor } from '@tensorflow/tfjs-core';

/**
 * 1-D integer class labels: a plain or typed array, or a rank-1 tensor (read with `dataSync`).
 * One-hot or probability tensors must be reduced first, e.g. `tf.argMax(probabilities, -1)`.
 */
export type LabelsLike = ArrayLike<number> | Tensor;

/** The largest label an `Int32Array` can hold. */
const MAX_LABEL = 2 ** 31 - 1;

/** True for a tfjs tensor; duck-typed so that two copies of tfjs-core (or none) still work. */
function isTensor(value: unknown): value is Tensor {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Tensor).dataSync === 'function' &&
    Array.isArray((value as Tensor).shape)
  );
}

/** Reads a tensor's values after checking that it is a numeric rank-1 tensor. */
function readTensor(tensor: Tensor, name: string): ArrayLike<number> {
  if (tensor.rank !== 1) {
    throw new Error(
      `${name} must be a rank-1 tensor of class labels, got shape [${tensor.shape.join(', ')}]; ` +
        'reduce one-hot or probability tensors with tf.argMax(x, -1) first.',
    );
  }
  if (tensor.dtype === 'string' || tensor.dtype === 'complex64') {
    throw new Error(`${name} must hold integer class labels, got a ${tensor.dtype} tensor; cast it with tf.cast(x, 'int32').`);
  }
  return tensor.dataSync() as ArrayLike<number>;
}

/**
 * Converts class labels to an `Int32Array`, checking that they are 1-D and that every value is a
 * finite integer >= 0. An empty input gives an empty array; the metrics reject it themselves.
 *
 * @param labels The labels to convert; a tensor is read with `dataSync` and is not disposed.
 * @param name The argument name used in error messages (default `'labels'`).
 */
export function toLabelArray(labels: LabelsLike, name = 'labels'): Int32Array {
  let values: ArrayLike<number>;
  if (isTensor(labels)) {
    values = readTensor(labels, name);
  } else if (labels !== null && typeof labels === 'object' && typeof labels.length === 'number') {
    values = labels;
  } else {
    throw new Error(`${name} must be an array, typed array or rank-1 tensor of class labels, got ${String(labels)}.`);
  }
  const result = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_LABEL) {
      throw new Error(
        `${name}[${i}] is ${String(value)}, but class labels must be integers from 0 to ${MAX_LABEL}; ` +
          'pass class indices, not scores or one-hot rows.',
      );
    }
    result[i] = value;
  }
  return result;
}

/**
 * Converts a pair of label inputs and checks that they have the same length.
 * @internal Shared by the metrics in this package.
 */
export function toLabelPair(yTrue: LabelsLike, yPred: LabelsLike): [Int32Array, Int32Array] {
  const trueLabels = toLabelArray(yTrue, 'yTrue');
  const predLabels = toLabelArray(yPred, 'yPred');
  if (trueLabels.length !== predLabels.length) {
    throw new Error(
      `yTrue and yPred must have the same length, got ${trueLabels.length} and ${predLabels.length}; ` +
        'pass one prediction per example.',
    );
  }
  return [trueLabels, predLabels];
}

/**
 * Like {@link toLabelPair}, but also rejects empty input, which no metric is defined for.
 * @internal Shared by the metrics in this package.
 */
export function toNonEmptyLabelPair(yTrue: LabelsLike, yPred: LabelsLike, metric: string): [Int32Array, Int32Array] {
  const pair = toLabelPair(yTrue, yPred);
  if (pair[0].length === 0) {
    throw new Error(`${metric} needs at least one example, but yTrue and yPred are empty.`);
  }
  return pair;
}
