import * as tf from '@tensorflow/tfjs-core';
import { collate, type CollatedBatch } from './collate.js';
import type { Dataset } from './dataset.js';
import { ImageArrayDataset } from './image-array-dataset.js';
import type { ImageTransform, WorkerRecipe } from './image-transform.js';
import { shuffledIndices } from './random.js';
import { loadBatch, type BatchSpec, type LoadedBatch, type OnSampleError, type SkippedSample } from './sample-batch.js';
import type { Sampler } from './sampler.js';
import type { LoaderWorkerData, LoaderWorkerPool } from './worker-pool.js';

/** One batch of a {@link DataLoader}. The consumer owns both tensors and must dispose them. */
export interface Batch {
  /** float32 NHWC images; raw pixel values 0..255 unless a `sampleTransform` or `transform` changed them. */
  images: tf.Tensor4D;
  /** int32 class labels, one per image. */
  labels: tf.Tensor1D;
}

/** How a {@link DataLoader} batches a dataset. */
export interface DataLoaderOptions {
  /** Samples per batch, a positive integer. */
  batchSize: number;
  /** Visit samples in a new random order each epoch; default `false` (dataset order). Not with `sampler`. */
  shuffle?: boolean;
  /** Seed of the shuffle and of the per-sample transform's random sources, an integer (taken modulo 2^32); default `0`. */
  seed?: number;
  /** Drop the last batch when it has fewer than `batchSize` samples; default `false`. */
  dropLast?: boolean;
  /**
   * Batches prepared ahead of the consumer, a non-negative integer; default `2 * max(1, numWorkers)` (so each worker
   * has about two batches to work on). With workers, fewer than `numWorkers` leaves workers idle.
   */
  prefetch?: number;
  /**
   * Chooses the dataset indices of each epoch instead of `shuffle`, e.g. a {@link WeightedRandomSampler} for
   * imbalanced datasets; its `length` replaces the dataset's size in the batch count. Default none.
   */
  sampler?: Sampler;
  /**
   * Applied to each sample's image before batching (in the worker threads when `numWorkers > 0`), with the random
   * source `mulberry32(sampleSeed(seed, epoch, position))` where `position` is the sample's place in the epoch's
   * order: results do not depend on `numWorkers` or `prefetch`. All images of a batch must come out the same shape.
   * Default none.
   */
  sampleTransform?: ImageTransform;
  /**
   * Worker threads that fetch, decode and transform samples in parallel, a non-negative integer; default `0` (all in
   * the main thread; asynchronous `get` calls of a batch still run concurrently). With workers, the dataset and the
   * `sampleTransform` must have a `workerRecipe()`. Workers start with the first epoch, serve every later one, and end
   * with {@link DataLoader.close}; idle workers do not keep the process alive.
   */
  numWorkers?: number;
  /**
   * What a sample whose `get`, decoding or transform fails does: `'throw'` (default) ends the epoch with a
   * {@link SampleError} naming the sample's index and file; `'skip'` drops it from its batch (a batch may come out
   * short, and one whose samples all fail is left out) and lists it in {@link DataLoader.skipped}.
   */
  onError?: OnSampleError;
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

/** The worker recipe of `owner`, or a clear error when workers are asked for and it has none. */
function recipeOf(owner: { workerRecipe?(): WorkerRecipe }, what: string, numWorkers: number): WorkerRecipe {
  if (typeof owner.workerRecipe !== 'function') {
    const name = (owner as object).constructor?.name ?? 'object';
    throw new TypeError(
      `DataLoader: numWorkers is ${numWorkers}, but the ${what} (${name}) has no workerRecipe(), so worker threads cannot rebuild it; ` +
        `give it one (see WorkerRecipe) or use numWorkers: 0.`,
    );
  }
  const recipe = owner.workerRecipe();
  if (typeof recipe?.module !== 'string' || typeof recipe.factory !== 'string' || !Array.isArray(recipe.args)) {
    throw new TypeError(`DataLoader: the ${what}'s workerRecipe() must return { module, factory, args }, got ${JSON.stringify(recipe)}.`);
  }
  return recipe;
}

const disposeBatch = (batch: Batch | undefined): void => {
  if (batch !== undefined && !batch.images.isDisposed) tf.dispose([batch.images, batch.labels]);
};

/** A batch being prepared, and, once it is, its tensors. */
interface Pending {
  promise: Promise<{ batch: Batch | undefined; skipped: SkippedSample[] }>;
  batch?: Batch | undefined;
}

/**
 * Imports the worker pool only when a loader asks for workers: it needs Node's worker threads, so the specifier is
 * computed at run time and bundlers leave it out of browser builds (where `numWorkers > 0` then fails to import).
 */
let workerPoolModule: Promise<typeof import('./worker-pool.js')> | undefined;
function loadWorkerPool(): Promise<typeof import('./worker-pool.js')> {
  const file = import.meta.url.endsWith('.ts') ? './worker-pool.ts' : './worker-pool.js';
  workerPoolModule ??= import(/* @vite-ignore */ /* webpackIgnore: true */ new URL(file, import.meta.url).href) as Promise<typeof import('./worker-pool.js')>;
  return workerPoolModule;
}

/**
 * Iterates over a dataset in batches of tensors, like `torch.utils.data.DataLoader`:
 * `for await (const { images, labels } of loader) { ...; tf.dispose([images, labels]); }`.
 *
 * Each iteration is one epoch. With `shuffle`, the order of epoch `e` is
 * `shuffledIndices(size, seed, e)`: reproducible from `(seed, epoch)` alone; with a `sampler`, it is
 * `sampler.indices(e)`. Every iteration uses the current {@link DataLoader.epoch} and then advances it by one;
 * {@link DataLoader.setEpoch} sets it, e.g. when resuming from a checkpoint.
 *
 * Datasets may return samples or promises of them (files decoded on demand). Batches are yielded in order whatever
 * `numWorkers`, and are identical bit for bit for any `numWorkers` and `prefetch`. With workers, call
 * {@link DataLoader.close} (or `await using loader = ...`) when done to end the threads.
 *
 * Yielded tensors are `tf.keep`-ed, so no enclosing scope disposes them: the consumer
 * disposes them. Leaving a loop early (`break`, `throw`) disposes the batches prepared
 * ahead; iterating by hand, call `return()` to do the same.
 */
export class DataLoader implements AsyncIterable<Batch> {
  /** Batches per epoch (an upper bound under `onError: 'skip'`, which leaves out batches whose samples all fail). */
  readonly length: number;
  readonly #dataset: Dataset;
  readonly #batchSize: number;
  readonly #shuffle: boolean;
  readonly #seed: number;
  readonly #prefetch: number;
  readonly #transform: ((images: tf.Tensor4D) => tf.Tensor4D) | undefined;
  readonly #sampler: Sampler | undefined;
  readonly #sampleTransform: ImageTransform | undefined;
  readonly #numWorkers: number;
  readonly #onError: OnSampleError;
  readonly #workerData: LoaderWorkerData | undefined;
  #pool: LoaderWorkerPool | undefined;
  #epoch = 0;
  #skipped: readonly SkippedSample[] = [];

  /** @throws RangeError or TypeError naming the invalid option and its value. */
  constructor(dataset: Dataset, options: DataLoaderOptions) {
    if (typeof dataset?.get !== 'function' || !Number.isSafeInteger(dataset.size) || dataset.size < 0) {
      throw new TypeError(`DataLoader: expected a Dataset with an integer size and a get(index) method, got ${String(dataset)}.`);
    }
    const { batchSize, shuffle = false, seed = 0, dropLast = false, transform, sampler, sampleTransform, numWorkers = 0, onError = 'throw' } = options;
    const { prefetch = 2 * Math.max(1, typeof numWorkers === 'number' ? numWorkers : 1) } = options;
    checkInteger('batchSize', batchSize, 1);
    checkInteger('seed', seed, Number.MIN_SAFE_INTEGER);
    checkInteger('prefetch', prefetch, 0);
    checkInteger('numWorkers', numWorkers, 0);
    if (transform !== undefined && typeof transform !== 'function') {
      throw new TypeError(`DataLoader: transform must be a function (images: Tensor4D) => Tensor4D, got ${typeof transform}.`);
    }
    if (sampleTransform !== undefined && (typeof sampleTransform !== 'object' || typeof sampleTransform?.apply !== 'function')) {
      throw new TypeError(`DataLoader: sampleTransform must be an ImageTransform (an object with apply(image, random)), got ${String(sampleTransform)}.`);
    }
    if (sampler !== undefined && (typeof sampler?.indices !== 'function' || !Number.isSafeInteger(sampler.length) || sampler.length < 0)) {
      throw new TypeError(`DataLoader: sampler must have an integer length and an indices(epoch) method, got ${String(sampler)}.`);
    }
    if (sampler !== undefined && shuffle) {
      throw new TypeError('DataLoader: pass either shuffle or a sampler, not both; a sampler chooses the order itself.');
    }
    if (onError !== 'throw' && onError !== 'skip') {
      throw new TypeError(`DataLoader: onError must be 'throw' or 'skip', got ${JSON.stringify(onError)}.`);
    }
    if (numWorkers > 0) {
      this.#workerData = {
        dataset: recipeOf(dataset, 'dataset', numWorkers),
        size: dataset.size,
        transform: sampleTransform === undefined ? undefined : recipeOf(sampleTransform, 'sampleTransform', numWorkers),
        seed,
        onError,
      };
    }
    this.#dataset = dataset;
    this.#batchSize = batchSize;
    this.#shuffle = shuffle;
    this.#seed = seed;
    this.#prefetch = prefetch;
    this.#transform = transform;
    this.#sampler = sampler;
    this.#sampleTransform = sampleTransform;
    this.#numWorkers = numWorkers;
    this.#onError = onError;
    const count = sampler?.length ?? dataset.size;
    this.length = dropLast ? Math.floor(count / batchSize) : Math.ceil(count / batchSize);
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

  /**
   * Samples dropped under `onError: 'skip'` in the latest epoch (the one under way, up to the last batch yielded),
   * in order; empty under `'throw'`.
   */
  get skipped(): readonly SkippedSample[] {
    return this.#skipped;
  }

  /** Ends the worker threads, if any; an epoch under way then fails. A later iteration starts new workers. */
  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.close();
  }

  /** {@link DataLoader.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Starts one epoch; see the class documentation for ownership of the yielded tensors. */
  [Symbol.asyncIterator](): AsyncIterator<Batch> {
    const epoch = this.#epoch;
    const order = this.#order(epoch);
    this.#epoch += 1;
    const size = order?.length ?? this.#dataset.size;
    const batches = this.length;
    const skipped: SkippedSample[] = [];
    this.#skipped = skipped;
    const pending: Pending[] = [];
    let next = 0;
    let closed = false;
    let failed = false;
    let cancel: (() => void) | undefined;

    const start = (batch: number): Pending => {
      const first = batch * this.#batchSize;
      const end = Math.min(first + this.#batchSize, size);
      const indices = order ? order.subarray(first, end) : Uint32Array.from({ length: end - first }, (_, i) => first + i);
      const entry: Pending = {
        promise: this.#produce({ indices, epoch, firstPosition: first }).then((result) => {
          if (closed) disposeBatch(result.batch);
          else entry.batch = result.batch;
          return result;
        }),
      };
      entry.promise.catch(() => {
        failed = true; // delivered by next() once the batches before it are consumed
      });
      return entry;
    };
    const fill = (): void => {
      cancel = undefined;
      if (closed || failed || pending.length >= this.#prefetch || next >= batches) return;
      pending.push(start(next++));
      cancel = later(fill);
    };
    const close = (): IteratorResult<Batch> => {
      closed = true;
      cancel?.();
      cancel = undefined;
      for (const entry of pending.splice(0)) disposeBatch(entry.batch);
      return { done: true, value: undefined };
    };

    return {
      next: async () => {
        for (;;) {
          if (closed) return { done: true, value: undefined };
          if (pending.length === 0) {
            if (next >= batches) return close();
            pending.push(start(next++));
          }
          const entry = pending.shift() as Pending;
          if (cancel === undefined) cancel = later(fill);
          let result: { batch: Batch | undefined; skipped: SkippedSample[] };
          try {
            result = await entry.promise;
          } catch (error) {
            close();
            throw error;
          }
          skipped.push(...result.skipped);
          if (closed) {
            disposeBatch(result.batch);
            return { done: true, value: undefined };
          }
          if (result.batch !== undefined) return { done: false, value: result.batch };
        }
      },
      return: async () => close(),
    };
  }

  /** The dataset indices of `epoch` in order, or `undefined` for `0..size - 1`. */
  #order(epoch: number): Uint32Array | undefined {
    const sampler = this.#sampler;
    if (sampler === undefined) return this.#shuffle ? shuffledIndices(this.#dataset.size, this.#seed, epoch) : undefined;
    const indices = sampler.indices(epoch);
    if (indices?.length !== sampler.length) {
      throw new RangeError(`DataLoader: the sampler's indices(${epoch}) gave ${String(indices?.length)} indices but its length is ${sampler.length}.`);
    }
    const order = Uint32Array.from(indices);
    for (let i = 0; i < order.length; i++) {
      if (order[i] !== indices[i] || (order[i] as number) >= this.#dataset.size) {
        throw new RangeError(`DataLoader: the sampler gave index ${String(indices[i])}, outside the dataset's 0..${this.#dataset.size - 1}.`);
      }
    }
    return order;
  }

  /** Fetches, transforms and collates one batch (in the main thread or a worker), then makes its tensors. */
  #produce(spec: BatchSpec): Promise<{ batch: Batch | undefined; skipped: SkippedSample[] }> {
    const toTensors = (loaded: LoadedBatch) => ({ batch: loaded.batch && this.#toTensors(loaded.batch), skipped: loaded.skipped });
    try {
      if (this.#workerData !== undefined) {
        const workerData = this.#workerData;
        return loadWorkerPool().then(({ LoaderWorkerPool: Pool }) => {
          if (this.#pool === undefined || this.#pool.failed) this.#pool = new Pool(this.#numWorkers, workerData);
          return this.#pool.run(spec).then(toTensors);
        });
      }
      if (this.#dataset instanceof ImageArrayDataset && this.#sampleTransform === undefined) {
        return Promise.resolve(toTensors({ batch: collate(this.#dataset, spec.indices), skipped: [] }));
      }
      const loaded = loadBatch(this.#dataset, spec, { transform: this.#sampleTransform, seed: this.#seed, onError: this.#onError });
      return loaded instanceof Promise ? loaded.then(toTensors) : Promise.resolve(toTensors(loaded));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #toTensors(collated: CollatedBatch): Batch {
    const { images, labels, shape } = collated;
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
