import type { Dataset } from './dataset.js';
import type { AnyImage } from './image-transform.js';
import { ImageArrayDataset } from './image-array-dataset.js';

/** A batch as plain arrays, before it becomes tensors. */
export interface CollatedBatch {
  /** Pixel values, `count * height * width * channels`, NHWC. */
  images: Float32Array;
  /** One integer label per image. */
  labels: Int32Array;
  /** `[count, height, width, channels]`. */
  shape: [number, number, number, number];
}

/**
 * Gathers the samples at `indices` into one NHWC `Float32Array` and an `Int32Array`
 * of labels. Copies straight from the backing arrays of an {@link ImageArrayDataset};
 * otherwise calls `dataset.get` for each index.
 *
 * @throws Error when images differ in shape or a label is not an integer.
 */
export function collate(dataset: Dataset, indices: ArrayLike<number>): CollatedBatch {
  return dataset instanceof ImageArrayDataset ? collateArrays(dataset, indices) : collateSamples(dataset, indices);
}

function collateArrays(dataset: ImageArrayDataset, indices: ArrayLike<number>): CollatedBatch {
  const size = dataset.imageSize;
  const source = dataset.images;
  const sourceLabels = dataset.labels;
  const count = indices.length;
  const images = new Float32Array(count * size);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const index = indices[i] as number;
    if (!(index >= 0 && index < dataset.size)) {
      throw new RangeError(`collate: index ${index} is out of range for ${dataset.size} samples.`);
    }
    images.set(source.subarray(index * size, (index + 1) * size), i * size);
    labels[i] = sourceLabels[index] as number;
  }
  return { images, labels, shape: [count, dataset.height, dataset.width, dataset.channels] };
}

function collateSamples(dataset: Dataset, indices: ArrayLike<number>): CollatedBatch {
  const images: AnyImage[] = [];
  const labels: number[] = [];
  const order: number[] = [];
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i] as number;
    const sample = dataset.get(index);
    if (sample instanceof Promise) {
      throw new TypeError(`collate: the dataset returned a promise for sample ${index}; batch asynchronous datasets with a DataLoader.`);
    }
    images.push(sample.image);
    labels.push(sample.label);
    order.push(index);
  }
  return collateImages(images, labels, order);
}

/**
 * Gathers images of one shape (bytes 0..255 or floats, as per-sample transforms leave them) and their labels into one
 * NHWC `Float32Array` and an `Int32Array`.
 *
 * @param images The images, all `height x width x channels` alike.
 * @param labels One integer label per image.
 * @param indices The dataset index of each image, named in errors.
 * @throws Error naming the sample when an image is malformed or differs in shape from the first, or a label is not an integer.
 */
export function collateImages(images: readonly AnyImage[], labels: ArrayLike<number>, indices: ArrayLike<number>): CollatedBatch {
  const count = images.length;
  const out = new Int32Array(count);
  let data = new Float32Array(0);
  let shape: [number, number, number, number] = [count, 0, 0, 0];
  for (let i = 0; i < count; i++) {
    const index = indices[i] as number;
    const image = images[i];
    if (image === null || typeof image !== 'object' || !(image.data instanceof Uint8Array || image.data instanceof Float32Array)) {
      throw new TypeError(`collate: sample ${index} has no image of { data: Uint8Array | Float32Array, height, width, channels }, got ${describe(image)}.`);
    }
    if (i === 0) {
      shape = [count, image.height, image.width, image.channels];
      if (!shape.every((side) => Number.isSafeInteger(side) && side > 0)) {
        throw new RangeError(`collate: sample ${index} is ${image.height}x${image.width}x${image.channels}; image sides and channels must be positive integers.`);
      }
      data = new Float32Array(count * image.height * image.width * image.channels);
    } else if (image.height !== shape[1] || image.width !== shape[2] || image.channels !== shape[3]) {
      throw new Error(`collate: sample ${index} is ${image.height}x${image.width}x${image.channels} but the batch's first sample is ${shape[1]}x${shape[2]}x${shape[3]}; resize images to one shape (e.g. with a transform) before batching.`);
    }
    const size = shape[1] * shape[2] * shape[3];
    if (image.data.length !== size) {
      throw new Error(`collate: sample ${index} has ${image.data.length} values of data, but ${image.height}x${image.width}x${image.channels} needs ${size}.`);
    }
    const label = labels[i];
    if (!Number.isInteger(label)) {
      throw new Error(`collate: sample ${index} has label ${String(label)}; labels must be integers.`);
    }
    data.set(image.data, i * size);
    out[i] = label as number;
  }
  return { images: data, labels: out, shape };
}

function describe(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  const data = (value as { data?: unknown }).data;
  return `an object with data ${data === undefined ? 'missing' : Object.prototype.toString.call(data)}`;
}
