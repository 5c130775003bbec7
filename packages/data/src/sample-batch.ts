/**
 * Fetching, transforming and collating the samples of one batch: what a {@link DataLoader} does in the main thread,
 * and what each of its worker threads does, with the same code so that results match bit for bit.
 */
import { collateImages, type CollatedBatch } from './collate.js';
import type { Dataset, Sample } from './dataset.js';
import type { AnyImage, ImageTransform } from './image-transform.js';
import { mulberry32, sampleSeed } from './random.js';

/** What a loader does with a sample whose `get`, decoding or transform fails: `'throw'` ends the epoch with a {@link SampleError}; `'skip'` drops the sample and records it. */
export type OnSampleError = 'throw' | 'skip';

/** A sample a loader dropped under `onError: 'skip'`. */
export interface SkippedSample {
  /** The sample's dataset index. */
  index: number;
  /** The file it came from, when the sample or its error names one. */
  file?: string;
  /** Why it was dropped: the error's message. */
  reason: string;
}

/** Where a sample failed: reading it (`dataset.get`, which includes decoding) or in the per-sample transform. */
export type SampleStage = 'get' | 'transform';

/** A sample that could not be read, decoded or transformed; names the sample's index and, when known, its file. */
export class SampleError extends Error {
  /** The sample's dataset index. */
  readonly index: number;
  /** The sample's file, when the sample or the underlying error names one. */
  readonly file: string | undefined;
  /** Where it failed. */
  readonly stage: SampleStage;
  /** The underlying error's message. */
  readonly reason: string;

  /**
   * @param details The sample's index, the stage that failed, the underlying message and the file, if known.
   * @param options `cause`: the underlying error.
   */
  constructor(details: { index: number; stage: SampleStage; reason: string; file?: string | undefined }, options?: { cause?: unknown }) {
    const { index, stage, reason, file } = details;
    const where = file !== undefined && !reason.includes(file) ? ` (${file})` : '';
    const verb = stage === 'get' ? 'read' : 'transformed';
    super(`DataLoader: sample ${index}${where} could not be ${verb}: ${reason} (the DataLoader option onError: 'skip' drops bad samples and lists them in loader.skipped)`, options);
    this.name = 'SampleError';
    this.index = index;
    this.file = file;
    this.stage = stage;
    this.reason = reason;
  }
}

/** The samples of one batch: dataset indices, in order, and the epoch and position of the first one. */
export interface BatchSpec {
  /** Dataset indices of the batch's samples, in order. */
  indices: ArrayLike<number>;
  /** The epoch, for the per-sample random sources. */
  epoch: number;
  /** Position of the batch's first sample in the epoch's order; sample `i` of the batch is at `firstPosition + i`. */
  firstPosition: number;
}

/** How {@link loadBatch} treats samples. */
export interface LoadBatchOptions {
  /** Applied to each sample's image with a random source from {@link sampleSeed}; default none. */
  transform?: ImageTransform | undefined;
  /** The loader's seed. */
  seed: number;
  /** What to do with a failing sample. */
  onError: OnSampleError;
}

/** One batch as arrays, or `undefined` when every sample was skipped, and the samples skipped. */
export interface LoadedBatch {
  /** The collated batch; `undefined` when no sample survived. */
  batch: CollatedBatch | undefined;
  /** Samples dropped under `onError: 'skip'`, in batch order. */
  skipped: SkippedSample[];
}

class Failure {
  constructor(readonly error: unknown) {}
}

function stringProperty(value: unknown, key: string): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const property = (value as Record<string, unknown>)[key];
  return typeof property === 'string' ? property : undefined;
}

/** The file a failing sample came from: the error's `file` (e.g. `ImageDecodeError`) or `path` (Node's fs errors), else the sample's `file`. */
function fileOf(error: unknown, sample: unknown): string | undefined {
  return stringProperty(error, 'file') ?? stringProperty(error, 'path') ?? stringProperty(sample, 'file');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Fetches the samples of `spec`, applies `options.transform` to each (the random source of the sample at position
 * `p` of epoch `e` is `mulberry32(sampleSeed(seed, e, p))`), and collates them. Synchronous when every `get` is;
 * otherwise the batch's `get` calls run concurrently and a promise is returned.
 *
 * @throws SampleError (under `onError: 'throw'`) naming the first failing sample in batch order.
 * @throws Error from {@link collateImages} when the images differ in shape.
 */
export function loadBatch(dataset: Dataset, spec: BatchSpec, options: LoadBatchOptions): LoadedBatch | Promise<LoadedBatch> {
  const count = spec.indices.length;
  const fetched: Array<Sample | Failure | Promise<Sample | Failure>> = new Array(count);
  let pending = false;
  for (let i = 0; i < count; i++) {
    try {
      const sample = dataset.get(spec.indices[i] as number);
      if (sample instanceof Promise) {
        pending = true;
        fetched[i] = sample.then(
          (value) => value,
          (error: unknown) => new Failure(error),
        );
      } else {
        fetched[i] = sample;
      }
    } catch (error) {
      fetched[i] = new Failure(error);
    }
  }
  if (pending) return Promise.all(fetched).then((samples) => finish(samples, spec, options));
  return finish(fetched as Array<Sample | Failure>, spec, options);
}

function finish(samples: ReadonlyArray<Sample | Failure>, spec: BatchSpec, options: LoadBatchOptions): LoadedBatch {
  const { transform, seed, onError } = options;
  const images: AnyImage[] = [];
  const labels: number[] = [];
  const kept: number[] = [];
  const skipped: SkippedSample[] = [];
  const fail = (index: number, stage: SampleStage, error: unknown, sample: unknown): void => {
    const file = fileOf(error, sample);
    const reason = messageOf(error);
    if (onError === 'throw') throw new SampleError({ index, stage, reason, file }, { cause: error });
    skipped.push(file === undefined ? { index, reason } : { index, file, reason });
  };
  for (let i = 0; i < samples.length; i++) {
    const index = spec.indices[i] as number;
    const sample = samples[i];
    if (sample instanceof Failure) {
      fail(index, 'get', sample.error, undefined);
      continue;
    }
    if (sample === null || typeof sample !== 'object' || sample.image === null || typeof sample.image !== 'object') {
      fail(index, 'get', new TypeError(`dataset.get returned ${String(sample)}, not a sample { image, label }`), sample);
      continue;
    }
    let image: AnyImage = sample.image;
    if (transform !== undefined) {
      try {
        image = transform.apply(image, mulberry32(sampleSeed(seed, spec.epoch, spec.firstPosition + i)));
      } catch (error) {
        fail(index, 'transform', error, sample);
        continue;
      }
    }
    images.push(image);
    labels.push(sample.label);
    kept.push(index);
  }
  return { batch: images.length > 0 ? collateImages(images, labels, kept) : undefined, skipped };
}
