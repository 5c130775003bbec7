/**
 * Class balancing by synthetic oversampling, as seed 002 does for its cats: minority-class images, each transformed by
 * a random subset of manipulations, are added until every class has as many samples as the largest. On the fly
 * ({@link OversampledDataset}) or written to disk ({@link writeOversampledImages}).
 */
import type { Dataset, Image, ImageTransform, WorkerRecipe } from '@cnn/data';
import { GaussianBlur } from './blur.js';
import { Compose, RandomSubset } from './compose.js';
import { RandomHorizontalFlip, RandomVerticalFlip } from './geometry.js';
import { isFloatImage } from './image.js';
import { GaussianNoise, SaltAndPepperNoise } from './noise.js';
import { RandomRotation } from './rotation.js';
import { epochSeed as derivedSeed, mulberry32 } from '@cnn/data/browser';

/**
 * Seed 002's manipulations: a random subset of 1 or 2 (`random.sample(manipulations, randint(1, 5 // 2))`) of
 * rotation by U(0, 360)° with wrap-around (bilinear, scikit-image's `rotate(mode='wrap')`), salt-and-pepper noise on
 * 10% of the values, Gaussian noise of variance 0.01, a flip of both axes (`img[::-1, ::-1]`) and a Gaussian blur of
 * sigma 1 (9x9 kernel, scikit-image's truncation at 4 sigma).
 */
export function seed002Manipulations(): RandomSubset {
  return new RandomSubset({
    transforms: [
      new RandomRotation({ degrees: [0, 360], interpolation: 'bilinear', fillMode: 'wrap' }),
      new SaltAndPepperNoise({ amount: 0.1 }),
      new GaussianNoise({ sigma: 0.1 }),
      new Compose([new RandomHorizontalFlip({ p: 1 }), new RandomVerticalFlip({ p: 1 })]),
      new GaussianBlur({ kernelSize: 9, sigma: 1 }),
    ],
    min: 1,
    max: 2,
  });
}

/** A labelled sample with a byte image (structurally `@cnn/data`'s `Sample`; extra fields are kept). */
export interface LabelledSample {
  image: Image;
  label: number;
}

/** Options of {@link OversampledDataset.create}. */
export interface OversampleOptions {
  /** Transform of each synthetic image; default {@link seed002Manipulations}. It must return byte images. */
  transform?: ImageTransform;
  /** Seed of the choice of source images and of each synthetic sample's randomness; default 0. */
  seed?: number;
  /** The label of every sample, to avoid reading the whole dataset to count classes; default: read them. */
  labels?: ArrayLike<number>;
  /** Samples per class after balancing; default the largest class's count. Classes already larger are left as they are. */
  targetCount?: number;
}

/** Which source sample each synthetic sample transforms. */
export interface OversamplingPlan {
  /** Index (in the wrapped dataset) of the source of synthetic sample `j`. */
  sources: number[];
  /** Class of synthetic sample `j`. */
  labels: number[];
}

/**
 * A dataset plus synthetic samples that balance its classes: indices `0..base.size - 1` are the original samples,
 * the rest synthetic, each a random (seeded by `(seed, j)`) transform of a random sample of its class. Deterministic:
 * the same seed gives the same synthetic images in any order of access, in any thread.
 */
export class OversampledDataset<S extends LabelledSample = LabelledSample> implements Dataset<S> {
  readonly size: number;
  /** Number of synthetic samples (indices `base.size ..`). */
  readonly syntheticCount: number;
  /** Samples per class before balancing (filled by {@link OversampledDataset.create}; empty in a worker's copy). */
  readonly classCounts: ReadonlyMap<number, number>;
  readonly #base: Dataset<S>;
  readonly #transform: ImageTransform;
  readonly #seed: number;
  readonly #plan: OversamplingPlan;

  /** Use {@link OversampledDataset.create}; this takes a ready plan (for worker threads). */
  constructor(base: Dataset<S>, plan: OversamplingPlan, transform: ImageTransform = seed002Manipulations(), seed = 0) {
    if (typeof base?.get !== 'function' || !Number.isSafeInteger(base.size)) {
      throw new TypeError(`OversampledDataset: expected a dataset { size, get(index) }, got ${String(base)}`);
    }
    if (typeof transform?.apply !== 'function') throw new TypeError('OversampledDataset: transform must have apply(image, random)');
    this.#base = base;
    this.#plan = { sources: [...plan.sources], labels: [...plan.labels] };
    this.#transform = transform;
    this.#seed = seed;
    this.syntheticCount = plan.sources.length;
    this.size = base.size + this.syntheticCount;
    const counts = new Map<number, number>();
    this.classCounts = counts;
  }

  /** Counts the classes (from `options.labels` or by reading every sample) and plans the synthetic samples. */
  static async create<S extends LabelledSample>(base: Dataset<S>, options: OversampleOptions = {}): Promise<OversampledDataset<S>> {
    const seed = options.seed ?? 0;
    if (!Number.isSafeInteger(seed)) throw new RangeError(`OversampledDataset: seed must be an integer, got ${seed}`);
    let labels: ArrayLike<number>;
    if (options.labels !== undefined) {
      if (options.labels.length !== base.size) {
        throw new RangeError(`OversampledDataset: ${options.labels.length} labels given for a dataset of ${base.size} samples`);
      }
      labels = options.labels;
    } else {
      const read: number[] = [];
      for (let i = 0; i < base.size; i++) read.push((await base.get(i)).label);
      labels = read;
    }
    const byClass = new Map<number, number[]>();
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i]!;
      if (!Number.isSafeInteger(label)) throw new RangeError(`OversampledDataset: label of sample ${i} is ${label}, not an integer`);
      (byClass.get(label) ?? byClass.set(label, []).get(label)!).push(i);
    }
    const largest = Math.max(0, ...[...byClass.values()].map((v) => v.length));
    const target = options.targetCount ?? largest;
    if (!Number.isSafeInteger(target) || target < 0) throw new RangeError(`OversampledDataset: targetCount must be a non-negative integer, got ${target}`);
    const random = mulberry32(seed);
    const plan: OversamplingPlan = { sources: [], labels: [] };
    for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
      const members = byClass.get(label)!;
      for (let k = members.length; k < target; k++) {
        plan.sources.push(members[Math.floor(random() * members.length)]!);
        plan.labels.push(label);
      }
    }
    const dataset = new OversampledDataset(base, plan, options.transform ?? seed002Manipulations(), seed);
    const counts = dataset.classCounts as Map<number, number>;
    for (const [label, members] of [...byClass.entries()].sort((a, b) => a[0] - b[0])) counts.set(label, members.length);
    return dataset;
  }

  /** The plan: source index and class of each synthetic sample. */
  get plan(): OversamplingPlan {
    return { sources: [...this.#plan.sources], labels: [...this.#plan.labels] };
  }

  /** Whether `index` is a synthetic sample. */
  isSynthetic(index: number): boolean {
    return index >= this.#base.size && index < this.size;
  }

  get(index: number): S | Promise<S> {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`OversampledDataset: index ${index} outside 0..${this.size - 1}`);
    }
    if (index < this.#base.size) return this.#base.get(index);
    const j = index - this.#base.size;
    const source = this.#base.get(this.#plan.sources[j]!);
    const make = (sample: S): S => {
      const image = this.#transform.apply(sample.image, mulberry32(derivedSeed(this.#seed, j)));
      if (isFloatImage(image)) throw new TypeError('OversampledDataset: the transform returned a float image; synthetic samples must stay bytes');
      return { ...sample, image, label: this.#plan.labels[j]! };
    };
    return source instanceof Promise ? source.then(make) : make(source);
  }

  /** Rebuilt in a worker from the wrapped dataset's and the transform's recipes; only when both have one. */
  workerRecipe(): WorkerRecipe {
    const base = this.#base.workerRecipe?.();
    const transform = this.#transform.workerRecipe?.();
    if (base === undefined || transform === undefined) {
      throw new Error('OversampledDataset: the wrapped dataset and the transform both need workerRecipe() to run in worker threads');
    }
    return { module: import.meta.url, factory: 'oversampledDatasetFromRecipes', args: [base, transform, this.#plan, this.#seed] };
  }
}

async function fromRecipe<T>(recipe: WorkerRecipe): Promise<T> {
  const module = (await import(recipe.module)) as Record<string, (...args: unknown[]) => unknown>;
  const factory = module[recipe.factory];
  if (typeof factory !== 'function') throw new Error(`no export '${recipe.factory}' in ${recipe.module}`);
  return (await factory(...recipe.args)) as T;
}

/** Worker-side factory of {@link OversampledDataset.workerRecipe}. */
export async function oversampledDatasetFromRecipes(
  base: WorkerRecipe,
  transform: WorkerRecipe,
  plan: OversamplingPlan,
  seed: number,
): Promise<OversampledDataset> {
  return new OversampledDataset(await fromRecipe<Dataset<LabelledSample>>(base), plan, await fromRecipe<ImageTransform>(transform), seed);
}

/** Options of {@link writeOversampledImages}. */
export interface WriteOversampledOptions {
  /** Output directory (created if missing). */
  directory: string;
  /** Encodes one image to a file's bytes, e.g. `(im) => sharp(im.data, { raw: im }).jpeg().toBuffer()`. */
  encode: (image: Image) => Promise<Uint8Array>;
  /** File extension without the dot; default `'jpg'`. */
  extension?: string;
  /** File name prefix; default `'generated'` (seed 002's `generated{i}.jpg`). */
  prefix?: string;
  /** Writes a file; default `node:fs/promises`' `writeFile` (after `mkdir -p directory`). Pass your own in browsers. */
  writeFile?: (path: string, bytes: Uint8Array) => Promise<void>;
}

/** One written synthetic image. */
export interface WrittenImage {
  /** Path of the file (`directory/prefix{j}.extension`). */
  path: string;
  /** Its class. */
  label: number;
  /** Index of its source sample in the wrapped dataset. */
  sourceIndex: number;
}

/** Writes every synthetic sample of `dataset` to `directory` with the caller's encoder; returns what it wrote, in order. */
export async function writeOversampledImages(dataset: OversampledDataset, options: WriteOversampledOptions): Promise<WrittenImage[]> {
  const { directory, encode, extension = 'jpg', prefix = 'generated' } = options;
  if (typeof directory !== 'string' || directory.length === 0) throw new TypeError('writeOversampledImages: directory must be a non-empty path');
  if (typeof encode !== 'function') throw new TypeError('writeOversampledImages: encode must be a function (image) => Promise<Uint8Array>, e.g. with sharp');
  let writeFile = options.writeFile;
  if (writeFile === undefined) {
    const fsName = 'node:fs/promises';
    const fs = (await import(/* @vite-ignore */ fsName)) as typeof import('node:fs/promises');
    await fs.mkdir(directory, { recursive: true });
    writeFile = (path, bytes) => fs.writeFile(path, bytes);
  }
  const base = dataset.size - dataset.syntheticCount;
  const { sources, labels } = dataset.plan;
  const written: WrittenImage[] = [];
  for (let j = 0; j < dataset.syntheticCount; j++) {
    const sample = await dataset.get(base + j);
    const path = `${directory.replace(/[\\/]+$/, '')}/${prefix}${j}.${extension}`;
    await writeFile(path, await encode(sample.image));
    written.push({ path, label: labels[j]!, sourceIndex: sources[j]! });
  }
  return written;
}
