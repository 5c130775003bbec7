import type { IdxArray } from './idx.js';
import { ImageArrayDataset } from './image-array-dataset.js';
import { FASHION_MNIST_CLASSES } from './fashion-mnist-files.js';
import { locateFashionMnist, type LocateFashionMnistOptions } from './locate-fashion-mnist.js';
import { readIdxFile } from './read-idx-file.js';

/**
 * Which Fashion-MNIST split to load and where to find it. Lookup and download options
 * are those of {@link locateFashionMnist}: `root`, `cacheDir`, `download` (default `true`),
 * `systemPaths`, `searchPaths`, `mirror`, `checksums`, `onProgress`.
 */
export interface FashionMnistOptions extends LocateFashionMnistOptions {
  /** Keep only the first `limit` samples (in file order), a positive integer; default all (60,000 train, 10,000 test). */
  limit?: number;
}

function checkShape(array: IdxArray, rank: number, path: string, what: string): void {
  if (array.dtype !== 'uint8' || array.shape.length !== rank) {
    throw new Error(`${path} holds ${array.dtype} [${array.shape.join(', ')}], expected uint8 ${what}; is it the right file?`);
  }
}

/**
 * Loads one split of Fashion-MNIST (Node only): 28x28 greyscale images of 10 clothing
 * classes ({@link FASHION_MNIST_CLASSES}), found or downloaded by {@link locateFashionMnist}.
 *
 * @returns A dataset of `28x28x1` images with pixel values 0..255 and labels 0..9.
 * @throws Error when the data cannot be found (see {@link locateFashionMnist}), a file is
 *   not valid IDX, the image and label counts differ, or a label is not below 10.
 */
export async function fashionMnist(options: FashionMnistOptions): Promise<ImageArrayDataset> {
  const { limit } = options;
  if (limit !== undefined && (!Number.isInteger(limit) || limit <= 0)) {
    throw new RangeError(`fashionMnist: limit must be a positive integer, got ${limit}; leave it unset to load the whole split.`);
  }
  const { files } = await locateFashionMnist(options);
  const [images, labels] = await Promise.all([readIdxFile(files.images), readIdxFile(files.labels)]);
  checkShape(images, 3, files.images, '[count, 28, 28] images');
  checkShape(labels, 1, files.labels, '[count] labels');
  const [count, height, width] = images.shape as [number, number, number];
  if (height !== 28 || width !== 28) {
    throw new Error(`${files.images} holds ${height}x${width} images, expected Fashion-MNIST's 28x28; is it the right file?`);
  }
  const labelData = labels.data as Uint8Array;
  if (labelData.length !== count) {
    throw new Error(`Fashion-MNIST files disagree: ${files.images} has ${count} images but ${files.labels} has ${labelData.length} labels. Replace them with a matching pair.`);
  }
  const bad = labelData.findIndex((label) => label >= FASHION_MNIST_CLASSES.length);
  if (bad >= 0) {
    throw new Error(`${files.labels} has label ${labelData[bad]} at index ${bad}; Fashion-MNIST labels are 0..9. The file is corrupt or not Fashion-MNIST.`);
  }
  const dataset = new ImageArrayDataset({ images: images.data as Uint8Array, labels: labelData, height, width, channels: 1, classes: FASHION_MNIST_CLASSES });
  return limit === undefined ? dataset : dataset.limit(limit);
}
