/**
 * The contract between data loaders (`@cnn/data`) and per-sample image transforms (`@cnn/augment`, or your own):
 * what a transform takes and returns, and how a worker thread rebuilds it.
 */
import type { Image } from './dataset.js';
import type { RandomSource } from './random.js';

/** An image of float values, channels last, laid out as {@link Image}: after `ToTensor` 0..1, after `Normalize` standardised. */
export interface FloatImage {
  /** Values, length `height * width * channels`; pixel `(y, x, c)` at `(y * width + x) * channels + c`. */
  data: Float32Array;
  /** Rows, in pixels. */
  height: number;
  /** Columns, in pixels. */
  width: number;
  /** Values per pixel. */
  channels: number;
}

/** Either kind of image: bytes 0..255 ({@link Image}) or floats ({@link FloatImage}). */
export type AnyImage = Image | FloatImage;

/**
 * How a worker thread rebuilds an object that lives in the main thread (a dataset, a transform): it imports
 * `module` (an absolute `file:` URL, usually the defining module's `import.meta.url`), and calls its export
 * `factory` with `args`, which must survive structured cloning. Like what `pickle` does for PyTorch's workers.
 */
export interface WorkerRecipe {
  /** Absolute URL of the module to import. */
  module: string;
  /** Name of the exported function that rebuilds the object; it may be async. */
  factory: string;
  /** Arguments of `factory`; structured-cloneable. */
  args: unknown[];
}

/**
 * A per-sample image transform, as `torchvision.transforms` has them. The loader applies it to each image, in the
 * main thread or in a worker, with a random source seeded from `(loader seed, epoch, sample index)` so that a run
 * repeats exactly whatever the number of workers.
 */
export interface ImageTransform {
  /** Transforms one image. Must not modify `image`; random transforms draw only from `random`. */
  apply(image: AnyImage, random: RandomSource): AnyImage;
  /** How a worker thread rebuilds this transform; without it the transform can only run in the main thread. */
  workerRecipe?(): WorkerRecipe;
}
