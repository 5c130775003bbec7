import type { Dataset, Sample } from './dataset.js';
import { decodeImage, type DecodeImageOptions } from './decode-image.js';
import type { WorkerRecipe } from './image-transform.js';

/** A sample read from an image file: the decoded image, its class, and the file it came from. */
export interface FileSample extends Sample {
  /** The image file's path. */
  file: string;
}

/** How images are decoded: {@link DecodeImageOptions} without the per-call `file`. Structured-cloneable. */
export type ImageDecoding = Omit<DecodeImageOptions, 'file'>;

/** Everything a {@link FileImageDataset} is: its files, labels, class names and decoding. Structured-cloneable. */
export interface FileImageDatasetState {
  /** Image paths, one per sample. */
  files: readonly string[];
  /** Class index of each file; as long as `files`. */
  labels: readonly number[] | Int32Array;
  /** Class names, indexed by label. */
  classes: readonly string[];
  /** How images are decoded; default RGB at the original size. */
  decode?: ImageDecoding;
}

/**
 * A dataset of image files on disk with one class label each, decoded lazily by {@link decodeImage} when a sample
 * is read (`get` returns a promise). What {@link imageFolder} and {@link ip102} return; build one directly from any
 * listing. Its {@link FileImageDataset.workerRecipe} hands the listing to worker threads, which decode in parallel.
 */
export class FileImageDataset implements Dataset<FileSample> {
  /** Number of samples. */
  readonly size: number;
  /** Image paths, indexed like samples. */
  readonly files: readonly string[];
  /** Class index of each sample. */
  readonly labels: Int32Array;
  /** Class names, indexed by label. */
  readonly classes: readonly string[];
  /** How images are decoded. */
  readonly decode: ImageDecoding;

  /** @throws RangeError when `files` and `labels` differ in length or a label is not a class index. */
  constructor(state: FileImageDatasetState) {
    const { files, classes, decode = {} } = state;
    if (files.length !== state.labels.length) {
      throw new RangeError(`FileImageDataset: ${files.length} files but ${state.labels.length} labels; pass one label per file.`);
    }
    const labels = Int32Array.from(state.labels);
    const bad = labels.findIndex((label) => !(label >= 0 && label < classes.length));
    if (bad >= 0) {
      throw new RangeError(`FileImageDataset: ${files[bad]} has label ${labels[bad]}, but there are ${classes.length} classes (labels 0..${classes.length - 1}).`);
    }
    this.size = files.length;
    this.files = files;
    this.labels = labels;
    this.classes = classes;
    this.decode = decode;
  }

  /** Decodes sample `index`; rejects with `ImageDecodeError` (naming the file) for a bad image, `RangeError` for a bad index. */
  async get(index: number): Promise<FileSample> {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`FileImageDataset: index ${index} is out of range for ${this.size} samples; use an integer in 0..${this.size - 1}.`);
    }
    const file = this.files[index] as string;
    return { image: await decodeImage(file, this.decode), label: this.labels[index] as number, file };
  }

  /** Number of samples of each class, indexed by label. */
  classCounts(): number[] {
    const counts = new Array<number>(this.classes.length).fill(0);
    for (const label of this.labels) counts[label] = (counts[label] as number) + 1;
    return counts;
  }

  /** Rebuilds this dataset in a worker from its listing, without scanning the disk again. */
  workerRecipe(): WorkerRecipe {
    const state: FileImageDatasetState = { files: [...this.files], labels: this.labels, classes: [...this.classes], decode: this.decode };
    return { module: import.meta.url, factory: 'fileImageDataset', args: [state] };
  }
}

/** Builds a {@link FileImageDataset} from its state; the factory of its worker recipe. */
export function fileImageDataset(state: FileImageDatasetState): FileImageDataset {
  return new FileImageDataset(state);
}
