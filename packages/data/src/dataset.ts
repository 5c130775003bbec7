import type { WorkerRecipe } from './image-transform.js';

/** An image stored as bytes, channels last: pixel `(y, x, c)` is at `data[(y * width + x) * channels + c]`. */
export interface Image {
  /** Pixel values 0..255, length `height * width * channels`. */
  data: Uint8Array;
  /** Rows, in pixels. */
  height: number;
  /** Columns, in pixels. */
  width: number;
  /** Values per pixel: 1 for greyscale, 3 for RGB. */
  channels: number;
}

/** One labelled example of an image classification dataset. */
export interface Sample {
  /** The image, channels last. */
  image: Image;
  /** The class index, an integer in `0..classes.length - 1`. */
  label: number;
}

/**
 * A random-access dataset, like `torch.utils.data.Dataset`: a fixed number of
 * samples, each fetched by index. In-memory datasets return samples directly; datasets that read and decode files
 * return promises.
 */
export interface Dataset<S = Sample> {
  /** Number of samples; valid indices are `0..size - 1`. */
  readonly size: number;
  /** The sample at `index`; throws (or rejects with) a `RangeError` for an index outside `0..size - 1`. */
  get(index: number): S | Promise<S>;
  /** How a worker thread rebuilds this dataset, so a loader's workers can read it in parallel; optional. */
  workerRecipe?(): WorkerRecipe;
}
