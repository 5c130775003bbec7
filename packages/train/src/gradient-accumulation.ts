/**
 * Micro-batching with gradient accumulation: one optimiser step over a batch too large to run at once.
 */
import * as tf from '@tensorflow/tfjs-core';

/** A mean loss over a batch of images and their labels. */
export type BatchLoss<L extends tf.Tensor = tf.Tensor> = (images: tf.Tensor4D, labels: L) => tf.Scalar;

/** What {@link accumulateGradients} returns; the caller disposes `loss` and every gradient. */
export interface AccumulatedGradients {
  /** The batch's loss: the micro-batch losses weighted by their share of the batch. */
  loss: tf.Scalar;
  /** One gradient per variable name, the same weighted sum. */
  grads: tf.NamedTensorMap;
}

function checkMicroBatchSize(value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`microBatchSize must be a positive integer, got ${String(value)}`);
  }
}

/**
 * The loss and gradients of a batch computed `microBatchSize` images at a time, so that only one micro-batch's
 * activations are alive at once. Micro-batch `k` of `nₖ` images contributes `nₖ / N` of its mean loss and gradients,
 * so for a loss that is a mean over images the result equals the whole batch's (up to float rounding).
 *
 * Two things make it differ, as they do for gradient accumulation in PyTorch: BatchNorm normalises each micro-batch
 * with that micro-batch's statistics (and updates its moving averages once per micro-batch), and a class-weighted
 * cross-entropy normalised by the batch's total weight is normalised per micro-batch instead.
 *
 * @param loss The mean loss of a (micro-)batch; called once per micro-batch.
 * @param variables The variables to differentiate, e.g. `model.trainableWeights.map((w) => w.read())`.
 * @throws RangeError for a bad `microBatchSize` or images and labels of different lengths.
 */
export function accumulateGradients<L extends tf.Tensor>(
  loss: BatchLoss<L>,
  images: tf.Tensor4D,
  labels: L,
  variables: readonly tf.Variable[],
  microBatchSize: number,
): AccumulatedGradients {
  checkMicroBatchSize(microBatchSize);
  const total = images.shape[0];
  if (labels.shape[0] !== total) {
    throw new RangeError(`accumulateGradients: ${total} images but ${labels.shape[0]} labels`);
  }
  let sumLoss: tf.Scalar | undefined;
  let sums: tf.NamedTensorMap | undefined;
  for (let start = 0; start < total; start += microBatchSize) {
    const count = Math.min(microBatchSize, total - start);
    const share = count / total;
    const { value, grads } = tf.tidy(() => {
      const x = count === total ? images : tf.slice(images, start, count);
      const y = count === total ? labels : (tf.slice(labels, start, count) as L);
      return tf.variableGrads(() => tf.mul(loss(x, y), share) as tf.Scalar, variables as tf.Variable[]);
    });
    if (sumLoss === undefined || sums === undefined) {
      sumLoss = value;
      sums = grads;
      continue;
    }
    const previousLoss = sumLoss;
    sumLoss = tf.add(previousLoss, value) as tf.Scalar;
    tf.dispose([previousLoss, value]);
    for (const name of Object.keys(grads)) {
      const previous = sums[name];
      sums[name] = previous === undefined ? grads[name]! : tf.add(previous, grads[name]!);
      if (previous !== undefined) tf.dispose([previous, grads[name]!]);
    }
  }
  if (sumLoss === undefined || sums === undefined) throw new RangeError('accumulateGradients: the batch is empty');
  return { loss: sumLoss, grads: sums };
}

/**
 * One optimiser step over a batch in micro-batches ({@link accumulateGradients}), then `optimizer.applyGradients`.
 * With `microBatchSize` at least the batch size it is `optimizer.minimize(...)`. Returns the batch's loss (the
 * caller disposes it).
 */
export function accumulatedStep<L extends tf.Tensor>(
  optimizer: tf.Optimizer,
  loss: BatchLoss<L>,
  images: tf.Tensor4D,
  labels: L,
  variables: readonly tf.Variable[],
  microBatchSize: number,
): tf.Scalar {
  checkMicroBatchSize(microBatchSize);
  if (microBatchSize >= images.shape[0]) {
    const value = optimizer.minimize(() => loss(images, labels), true, variables as tf.Variable[]);
    if (value === null) throw new Error('the optimiser returned no loss');
    return value;
  }
  const { loss: value, grads } = accumulateGradients(loss, images, labels, variables, microBatchSize);
  try {
    optimizer.applyGradients(grads);
  } finally {
    tf.dispose(Object.values(grads));
  }
  return value;
}
