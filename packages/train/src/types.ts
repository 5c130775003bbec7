import type * as tf from '@tensorflow/tfjs-core';

/** One batch: NHWC float32 images and int32 class labels. The consumer disposes both. */
export interface Batch {
  images: tf.Tensor4D;
  labels: tf.Tensor1D;
}

/**
 * Anything that yields batches: `@cnn/data`'s `DataLoader`, or any async iterable of {@link Batch}. `length` (batches
 * per epoch) feeds progress bars and `setEpoch` (reshuffle reproducibly per epoch) is called when present.
 */
export interface BatchSource extends AsyncIterable<Batch> {
  readonly length?: number;
  setEpoch?(epoch: number): void;
}

/** Values reported to callbacks; numbers only, so they serialise to CSV/JSON as they are. */
export type Logs = Record<string, number>;
