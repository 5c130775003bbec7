import * as tf from '@tensorflow/tfjs-core';
import { collate } from './collate.js';
import type { Dataset } from './dataset.js';
import { shuffledIndices } from './random.js';

/** One batch of a {@link DataLoader}. The consumer owns both tensors and must dispose them. */
export interface Batch {
  /** float32 NHWC images; raw pixel values 0..255 unless a `transform` changed them. */
  images: tf.Tensor4D;
  /** int32 class labels, one per image. */
  labels: tf.Tensor1D;
}

/** How a {@link DataLoader} batches a dataset. */
export interface DataLoaderOptions {
  /** Samples per batch, a positive integer. */
  batchSize: number;
  /** Visit samples in a new random order each epoch; default `false` (dataset order). */
  shuffle?: boolean;
  /** Seed of the shuffle, an integer (taken modulo 2^32); default `0`. */
  seed?: number;
  /** Drop the last batch when it has fewer than `batchSize` samples; default `false`. */
  dropLast?: boolean;
  /** Batches prepared ahead of the consumer, a non-negative integer; default `2`. */
  prefetch?: number;
  /**
   * Applied to each batch's images inside `tf.tidy`, which disposes the input and any
   * intermediates; must return a rank-4 tensor with the same batch size. Default none.
   */
  transform?: (images: tf.Tensor4D) => tf.Tensor4D;
}

function checkInteger(name: string, value: unknown, minimum: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
    const range = minimum === 0 ? 'a non-negative integer' : minimum === 1 ? 'a positive integer' : 'an integer';
    throw new RangeError(`DataLoader: ${name} must be ${range}, got ${String(value)}.`);
  }
}

/** Lets the event loop run before `callback`, so prefetching overlaps the consumer's awaits. */
function later(callback: () => void): () => void {
  const timer = setTimeout(callback, 0);
  return () => clearTimeout(timer);
}

/**
 * Iterates over a dataset in batches of tensors, like `torch.utils.data.DataLoader`:
 * `for await (const { images, labels } of loader) { ...; tf.dispose([images, labels]); }`.
 *
 * Each iteration is one epoch. With `shuffle`, the order of epoch `e` is
 * `shuffledIndices(size, seed, e)`: reproducible from `(seed, epoch)` alone. Every
 * iteration uses the current {@link DataLoader.epoch} and then advances it by one;
 * {@link DataLoader.setEpoch} sets it, e.g. when resuming from a checkpoint.
 *
 * Yielded tensors are `tf.keep`-ed, so no enclosing scope disposes them: the consumer
 * disposes them. Leaving a loop early (`break`, `throw`) disposes the batches prepared
 * ahead; iterating by hand, call `return()` to do the same.
 */
export class DataLoader implements AsyncIterable<Batch> {
  /** Batches per epoch. */
  readonly length: number;
  readonly #dataset: Dataset;
  readonly #batchSize: number;
  readonly #shuffle: boolean;
  readonly #seed: number;
  readonly #prefetch: number;
  readonly #transform: ((images: tf.Tensor4D) => tf.Tensor4D) | undefined;
  #epoch = 0;

  /** @throws RangeError or TypeError naming the invalid option and its value. */
  constructor(dataset: Dataset, options: DataLoaderOptions) {
    if (typeof dataset?.get !== 'function' || !Number.isSafeInteger(dataset.size) || dataset.size < 0) {
      throw new TypeError(`DataLoader: expected a Dataset with an integer size and a get(index) method, got ${String(dataset)}.`);
    }
    const { batchSize, shuffle = false, seed = 0, dropLast = false, prefetch = 2, transform } = options;
    checkInteger('batchSize', batchSize, 1);
    checkInteger('seed', seed, Number.MIN_SAFE_INTEGER);
    checkInteger('prefetch', prefetch, 0);
    if (transform !== undefined && typeof transform !== 'function') {
      throw new TypeError(`DataLoader: transform must be a function (images: Tensor4D) => Tensor4D, got ${typeof transform}.`);
    }
    this.#dataset = dataset;
    this.#batchSize = batchSize;
    this.#shuffle = shuffle;
    this.#seed = seed;
    this.#prefetch = prefetch;
    this.#transform = transform;
    this.length = dropLast ? Math.floor(dataset.size / batchSize) : Math.ceil(dataset.size / batchSize);
  }

  /** The epoch the next iteration will use; starts at 0. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Sets the epoch the next iteration uses (and so its shuffle order); a non-negative integer. */
  setEpoch(epoch: number): void {
    checkInteger('epoch', epoch, 0);
    this.#epoch = epoch;
  }

  /** Starts one epoch; see the class documentation for ownership of the yielded tensors. */
  [Symbol.asyncIterator](): AsyncIterator<Batch> {
    const size = this.#dataset.size;
    const order = this.#shuffle ? shuffledIndices(size, this.#seed, this.#epoch) : undefined;
    this.#epoch += 1;
    const batches = this.length;
    const ready: Batch[] = [];
    let next = 0;
    let closed = false;
    let cancel: (() => void) | undefined;
    let failure: { error: unknown } | undefined;

    const make = (batch: number): Batch => {
      const start = batch * this.#batchSize;
      const end = Math.min(start + this.#batchSize, size);
      const indices = order ? order.subarray(start, end) : Array.from({ length: end - start }, (_, i) => start + i);
      return this.#toTensors(indices);
    };
    const fill = (): void => {
      cancel = undefined;
      if (closed || failure !== undefined || ready.length >= this.#prefetch || next >= batches) return;
      try {
        ready.push(make(next++));
      } catch (error) {
        failure = { error }; // delivered by next() once the batches before it are consumed
        return;
      }
      cancel = later(fill);
    };
    const close = (): IteratorResult<Batch> => {
      closed = true;
      cancel?.();
      tf.dispose(ready.splice(0).flatMap((b) => [b.images, b.labels]));
      return { done: true, value: undefined };
    };

    return {
      next: async () => {
        if (closed) return { done: true, value: undefined };
        let batch = ready.shift();
        if (batch === undefined && failure !== undefined) {
          close();
          throw failure.error;
        }
        if (batch === undefined && next < batches) {
          try {
            batch = make(next++);
          } catch (error) {
            close();
            throw error;
          }
        }
        if (batch === undefined) return close();
        if (cancel === undefined) cancel = later(fill);
        return { done: false, value: batch };
      },
      return: async () => close(),
    };
  }

  #toTensors(indices: ArrayLike<number>): Batch {
    const { images, labels, shape } = collate(this.#dataset, indices);
    const transform = this.#transform;
    const result = tf.tidy(() => {
      const input = tf.tensor4d(images, shape, 'float32');
      const output = transform ? transform(input) : input;
      if (!(output instanceof tf.Tensor) || output.rank !== 4 || output.shape[0] !== shape[0]) {
        const got = output instanceof tf.Tensor ? `shape [${output.shape.join(', ')}]` : String(output);
        throw new Error(`DataLoader: transform must return a rank-4 tensor with batch size ${shape[0]}, got ${got}.`);
      }
      return { images: output, labels: tf.tensor1d(labels, 'int32') };
    });
    return { images: tf.keep(result.images), labels: tf.keep(result.labels) };
  }
}
