import type { Dataset } from './dataset.js';
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
  const count = indices.length;
  let images = new Float32Array(0);
  const labels = new Int32Array(count);
  let shape: [number, number, number, number] = [count, 0, 0, 0];
  for (let i = 0; i < count; i++) {
    const index = indices[i] as number;
    const sample = dataset.get(index);
    if (sample instanceof Promise) {
      throw new TypeError(`collate: the dataset returned a promise for sample ${index}; batch asynchronous datasets with a DataLoader.`);
    }
    const { image, label } = sample;
    if (i === 0) {
      shape = [count, image.height, image.width, image.channels];
      images = new Float32Array(count * image.height * image.width * image.channels);
    } else if (image.height !== shape[1] || image.width !== shape[2] || image.channels !== shape[3]) {
      throw new Error(`collate: sample ${index} is ${image.height}x${image.width}x${image.channels} but the batch's first sample is ${shape[1]}x${shape[2]}x${shape[3]}; resize images to one shape (e.g. with a transform) before batching.`);
    }
    const size = shape[1] * shape[2] * shape[3];
    if (image.data.length !== size) {
      throw new Error(`collate: sample ${index} has ${image.data.length} bytes of data, but ${image.height}x${image.width}x${image.channels} needs ${size}.`);
    }
    if (!Number.isInteger(label)) {
      throw new Error(`collate: sample ${index} has label ${label}; labels must be integers.`);
    }
    images.set(image.data, i * size);
    labels[i] = label;
  }
  return { images, labels, shape };
}
