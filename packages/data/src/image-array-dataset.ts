import type { Dataset, Sample } from './dataset.js';

/** Integer class labels, one per image. */
export type LabelArray = Uint8Array | Uint16Array | Int32Array;

/** What an {@link ImageArrayDataset} is made of. */
export interface ImageArrayDatasetOptions {
  /** All images back to back, channels last: `size * height * width * channels` bytes. Not copied. */
  images: Uint8Array;
  /** One class index per image; its length is the dataset's size. Not copied. */
  labels: LabelArray;
  /** Image rows, in pixels. */
  height: number;
  /** Image columns, in pixels. */
  width: number;
  /** Values per pixel: 1 for greyscale, 3 for RGB. */
  channels: number;
  /** Class names, indexed by label; default `[]` (unnamed classes). */
  classes?: readonly string[];
}

function checkDimension(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`ImageArrayDataset: ${name} must be a positive integer, got ${value}.`);
  }
}

/**
 * A dataset of equally sized images held in memory as one `Uint8Array`
 * (`N * H * W * C`, channels last) plus a label array — the layout of IDX files.
 * {@link DataLoader} copies batches straight from these arrays.
 */
export class ImageArrayDataset implements Dataset {
  /** Number of samples. */
  readonly size: number;
  /** Image rows, in pixels. */
  readonly height: number;
  /** Image columns, in pixels. */
  readonly width: number;
  /** Values per pixel. */
  readonly channels: number;
  /** Class names, indexed by label (may be empty). */
  readonly classes: readonly string[];
  readonly #images: Uint8Array;
  readonly #labels: LabelArray;

  /**
   * @throws RangeError when a dimension is not a positive integer or `images.length`
   *   is not `labels.length * height * width * channels`.
   */
  constructor(options: ImageArrayDatasetOptions) {
    const { images, labels, height, width, channels, classes = [] } = options;
    checkDimension('height', height);
    checkDimension('width', width);
    checkDimension('channels', channels);
    const expected = labels.length * height * width * channels;
    if (images.length !== expected) {
      throw new RangeError(`ImageArrayDataset: images has ${images.length} bytes but ${labels.length} labels of ${height}x${width}x${channels} images need ${expected}; pass one label per image.`);
    }
    this.size = labels.length;
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.classes = classes;
    this.#images = images;
    this.#labels = labels;
  }

  /** Bytes per image: `height * width * channels`. */
  get imageSize(): number {
    return this.height * this.width * this.channels;
  }

  /** The backing image bytes, `size * imageSize` long. Shared, not copied: do not modify. */
  get images(): Uint8Array {
    return this.#images;
  }

  /** The backing labels, `size` long. Shared, not copied: do not modify. */
  get labels(): LabelArray {
    return this.#labels;
  }

  /** The sample at `index`; its image data is a copy, safe to modify. */
  get(index: number): Sample {
    this.#checkIndex(index);
    const start = index * this.imageSize;
    return {
      image: { data: this.#images.slice(start, start + this.imageSize), height: this.height, width: this.width, channels: this.channels },
      label: this.#labels[index] as number,
    };
  }

  /** The first `count` samples (all of them when `count >= size`), sharing this dataset's arrays. */
  limit(count: number): ImageArrayDataset {
    if (!Number.isInteger(count) || count < 0) {
      throw new RangeError(`ImageArrayDataset.limit: count must be a non-negative integer, got ${count}.`);
    }
    const n = Math.min(count, this.size);
    return this.#with(this.#images.subarray(0, n * this.imageSize), this.#labels.subarray(0, n));
  }

  /** A new dataset of the samples at `indices`, in that order (copied; repeats allowed). */
  subset(indices: ArrayLike<number>): ImageArrayDataset {
    const size = this.imageSize;
    const images = new Uint8Array(indices.length * size);
    const labels = new (this.#labels.constructor as new (length: number) => LabelArray)(indices.length);
    for (let i = 0; i < indices.length; i++) {
      const index = indices[i] as number;
      this.#checkIndex(index);
      images.set(this.#images.subarray(index * size, (index + 1) * size), i * size);
      labels[i] = this.#labels[index] as number;
    }
    return this.#with(images, labels);
  }

  #with(images: Uint8Array, labels: LabelArray): ImageArrayDataset {
    return new ImageArrayDataset({ images, labels, height: this.height, width: this.width, channels: this.channels, classes: this.classes });
  }

  #checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`ImageArrayDataset: index ${index} is out of range for ${this.size} samples; use an integer in 0..${this.size - 1}.`);
    }
  }
}
