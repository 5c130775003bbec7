/**
 * A dataset and a per-sample transform with worker recipes, for the DataLoader's worker-thread tests: the workers
 * import this module and rebuild them from the recipes.
 */
import { isMainThread, threadId } from 'node:worker_threads';
import type { Dataset, Image, Sample } from '../dataset.js';
import type { AnyImage, FloatImage, ImageTransform, WorkerRecipe } from '../image-transform.js';
import type { RandomSource } from '../random.js';

/** Options of {@link PatternDataset}. */
export interface PatternDatasetOptions {
  /** Number of samples. */
  size: number;
  /** Image sides; default 2x3 with 1 channel. */
  height?: number;
  width?: number;
  /** Indices whose `get` fails like a corrupt image file (an error with a `file`). */
  bad?: number[];
  /** Return samples through promises, as datasets decoding files do; default `false`. */
  async?: boolean;
  /** In a worker thread, `get(crashAt)` throws outside any promise, killing the worker. */
  crashAt?: number;
  /** Name the reading thread's id in the errors of `bad` samples. */
  tellThread?: boolean;
  /** Index whose image is 1x1: a shape mismatch. */
  oddShapeAt?: number;
}

/** Sample `i` has label `i % 4`, file `/data/img-<i>.jpg`, and pixel `j` equal to `(10 * i + j) % 256`. */
export class PatternDataset implements Dataset<Sample & { file: string }> {
  readonly size: number;
  readonly #options: PatternDatasetOptions;

  constructor(options: PatternDatasetOptions) {
    this.size = options.size;
    this.#options = options;
  }

  get(index: number): (Sample & { file: string }) | Promise<Sample & { file: string }> {
    const { height = 2, width = 3, bad = [], crashAt, oddShapeAt } = this.#options;
    if (!Number.isInteger(index) || index < 0 || index >= this.size) throw new RangeError(`PatternDataset: index ${index} out of range`);
    const file = `/data/img-${index}.jpg`;
    if (index === crashAt && !isMainThread) {
      setTimeout(() => {
        throw new Error(`simulated crash reading sample ${index}`);
      }, 0);
      return new Promise(() => {});
    }
    const make = (): Sample & { file: string } => {
      const thread = this.#options.tellThread ? ` (thread ${threadId})` : '';
      if (bad.includes(index)) throw Object.assign(new Error(`Cannot decode image ${file}: the file is corrupt${thread}`), { file });
      const [h, w] = index === oddShapeAt ? [1, 1] : [height, width];
      const image: Image = { data: Uint8Array.from({ length: h * w }, (_, j) => (10 * index + j) % 256), height: h, width: w, channels: 1 };
      return { image, label: index % 4, file };
    };
    return this.#options.async ? new Promise((resolve) => setTimeout(resolve, 1)).then(make) : make();
  }

  workerRecipe(): WorkerRecipe {
    return { module: import.meta.url, factory: 'createPatternDataset', args: [this.#options] };
  }
}

/** Rebuilds a {@link PatternDataset} in a worker. */
export function createPatternDataset(options: PatternDatasetOptions): PatternDataset {
  return new PatternDataset(options);
}

/** Scales pixels to 0..1 and adds uniform noise from `random`; throws for images whose first value is `failOnFirstPixel`. */
export class NoiseTransform implements ImageTransform {
  constructor(readonly failOnFirstPixel = -1) {}

  apply(image: AnyImage, random: RandomSource): FloatImage {
    if (image.data[0] === this.failOnFirstPixel) throw new Error(`NoiseTransform: refusing an image starting with ${this.failOnFirstPixel}`);
    const data = new Float32Array(image.data.length);
    for (let i = 0; i < data.length; i++) data[i] = (image.data[i] as number) / 255 + random();
    return { data, height: image.height, width: image.width, channels: image.channels };
  }

  workerRecipe(): WorkerRecipe {
    return { module: import.meta.url, factory: 'createNoiseTransform', args: [this.failOnFirstPixel] };
  }
}

/** Rebuilds a {@link NoiseTransform} in a worker. */
export function createNoiseTransform(failOnFirstPixel?: number): NoiseTransform {
  return new NoiseTransform(failOnFirstPixel);
}
