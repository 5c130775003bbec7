import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DownloadProgress } from './download.js';
import { fetchDataset } from './fetch-dataset.js';
import { ImageArrayDataset } from './image-array-dataset.js';

/** CIFAR-10's class names, indexed by label (`batches.meta.txt`). */
export const CIFAR10_CLASSES: readonly string[] = Object.freeze(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']);

/** The official binary version of CIFAR-10 (Alex Krizhevsky's page) and its MD5. */
export const CIFAR10_ARCHIVE = Object.freeze({ url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz', md5: 'c32a1d4ab5d03f1284b67883e8d87530' });

/** Bytes per record of the binary version: 1 label byte, then 1,024 red, 1,024 green and 1,024 blue bytes of a 32x32 image. */
export const CIFAR10_RECORD_BYTES = 3073;

const BATCH_DIR = 'cifar-10-batches-bin';
const SPLIT_FILES = {
  train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
  test: ['test_batch.bin'],
} as const;

/** Which CIFAR-10 split to load and where to find it. */
export interface Cifar10Options {
  /** `'train'`: the five training batches, 50,000 images; `'test'`: the test batch, 10,000. */
  split: 'train' | 'test';
  /** The directory containing `cifar-10-batches-bin/`; when set, nothing else is searched. Default unset (use the cache). */
  root?: string;
  /** The cache; the dataset lives in `<cacheDir>/cifar-10/cifar-10-batches-bin`. Default `defaultCacheDir()`. */
  cacheDir?: string;
  /** Download `cifar-10-binary.tar.gz` into the cache when it is not there; default `false`. */
  download?: boolean;
  /** Where to download the archive from; default {@link CIFAR10_ARCHIVE}'s URL. */
  url?: string;
  /** Expected MD5 of the archive; default the official one (so another `url` must serve the same bytes or pass its own). */
  md5?: string;
  /** Called as download bytes arrive; default none. */
  onProgress?: (progress: DownloadProgress) => void;
}

/** Reads a batch file and checks it holds whole records. */
async function readBatch(path: string): Promise<Uint8Array> {
  const bytes = await readFile(path);
  if (bytes.length === 0 || bytes.length % CIFAR10_RECORD_BYTES !== 0) {
    const whole = Math.floor(bytes.length / CIFAR10_RECORD_BYTES);
    throw new Error(`CIFAR-10 batch ${path} has ${bytes.length} bytes, not a whole number of ${CIFAR10_RECORD_BYTES}-byte records (${whole} records and ${bytes.length - whole * CIFAR10_RECORD_BYTES} bytes over; an official batch has 10,000 records, 30,730,000 bytes). The file is truncated or corrupt: delete it and extract or download the dataset again.`);
  }
  return bytes;
}

/** Class names from `batches.meta.txt` (one per line, blank lines ignored), or the official ones when it is absent. */
async function readClasses(dir: string): Promise<readonly string[]> {
  const text = await readFile(join(dir, 'batches.meta.txt'), 'utf8').catch(() => undefined);
  if (text === undefined) return CIFAR10_CLASSES;
  const names = text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  return names.length === 10 ? Object.freeze(names) : CIFAR10_CLASSES;
}

/**
 * Loads one split of CIFAR-10 from the official binary version (Node only): 32x32 RGB images of 10 classes
 * ({@link CIFAR10_CLASSES}), held in memory (150 MB for the training split) as an {@link ImageArrayDataset}, so
 * the loader batches them without per-sample copies. Planar records (R, G, B planes) become channels-last pixels.
 *
 * @returns A dataset of `32x32x3` images with pixel values 0..255 and labels 0..9.
 * @throws Error when the data cannot be found or downloaded (listing where it looked), when a batch file is not a
 *   whole number of records (naming the file and its byte count), or a label is not below 10.
 */
export async function cifar10(options: Cifar10Options): Promise<ImageArrayDataset> {
  const { split } = options;
  const files = SPLIT_FILES[split];
  if (files === undefined) throw new Error(`Unknown CIFAR-10 split ${JSON.stringify(split)}; use 'train' or 'test'.`);
  const { dir } = await fetchDataset({
    name: `CIFAR-10 ${split} split`,
    cacheSubdir: 'cifar-10',
    required: files.map((file) => `${BATCH_DIR}/${file}`),
    root: options.root,
    cacheDir: options.cacheDir,
    download: options.download,
    archives: [{ url: options.url ?? CIFAR10_ARCHIVE.url, md5: options.md5 ?? CIFAR10_ARCHIVE.md5, file: 'cifar-10-binary.tar.gz' }],
    howToGet: `pass root (the directory containing ${BATCH_DIR}/), or download: true to fetch ${CIFAR10_ARCHIVE.url}`,
    onProgress: options.onProgress,
  });
  const batchDir = join(dir, BATCH_DIR);
  const batches: Uint8Array[] = [];
  for (const file of files) batches.push(await readBatch(join(batchDir, file)));
  const count = batches.reduce((sum, batch) => sum + batch.length / CIFAR10_RECORD_BYTES, 0);
  const images = new Uint8Array(count * 3072);
  const labels = new Uint8Array(count);
  let n = 0;
  for (const [b, batch] of batches.entries()) {
    for (let offset = 0; offset < batch.length; offset += CIFAR10_RECORD_BYTES, n++) {
      const label = batch[offset] as number;
      if (label >= 10) {
        throw new Error(`CIFAR-10 batch ${join(batchDir, files[b] as string)} has label ${label} in record ${offset / CIFAR10_RECORD_BYTES}; labels are 0..9. The file is corrupt or not the binary version of CIFAR-10.`);
      }
      labels[n] = label;
      const out = n * 3072;
      for (let p = 0; p < 1024; p++) {
        images[out + p * 3] = batch[offset + 1 + p] as number;
        images[out + p * 3 + 1] = batch[offset + 1025 + p] as number;
        images[out + p * 3 + 2] = batch[offset + 2049 + p] as number;
      }
    }
  }
  return new ImageArrayDataset({ images, labels, height: 32, width: 32, channels: 3, classes: await readClasses(batchDir) });
}
