import type { Dataset } from './dataset.js';
import { ImageArrayDataset } from './image-array-dataset.js';
import type { WorkerRecipe } from './image-transform.js';
import { mulberry32, shuffleInPlace } from './random.js';

/** A dataset that may expose its labels without decoding (as every dataset of this package does). */
type Labelled = { labels?: ArrayLike<number>; classes?: readonly string[] };

/**
 * The samples of `dataset` at `indices`, in that order, like `torch.utils.data.Subset`. Forwards `get`, and
 * `labels`, `classes` and `workerRecipe` when the parent has them.
 */
export class Subset<S> implements Dataset<S> {
  /** Number of samples: `indices.length`. */
  readonly size: number;
  /** The parent dataset. */
  readonly dataset: Dataset<S>;
  /** Parent index of each sample. */
  readonly indices: Uint32Array;
  /** Class names of the parent, when it has them. */
  readonly classes: readonly string[] | undefined;
  /** Labels of the samples, when the parent exposes `labels`; else `undefined`. */
  readonly labels: Int32Array | undefined;

  /** @throws RangeError for an index outside the parent's `0..size - 1`. */
  constructor(dataset: Dataset<S>, indices: ArrayLike<number>) {
    const chosen = Uint32Array.from(indices);
    for (let i = 0; i < indices.length; i++) {
      const index = indices[i] as number;
      if (!Number.isInteger(index) || index < 0 || index >= dataset.size) {
        throw new RangeError(`Subset: index ${index} is out of range for a dataset of ${dataset.size} samples.`);
      }
    }
    this.dataset = dataset;
    this.indices = chosen;
    this.size = chosen.length;
    const parent = dataset as Dataset<S> & Labelled;
    this.classes = parent.classes;
    const labels = parent.labels;
    this.labels = labels === undefined ? undefined : Int32Array.from(chosen, (index) => labels[index] as number);
    if (dataset.workerRecipe !== undefined) {
      this.workerRecipe = () => ({ module: import.meta.url, factory: 'subsetFromRecipe', args: [dataset.workerRecipe!(), Array.from(chosen)] });
    }
  }

  /** The parent's sample at `indices[index]`. */
  get(index: number): S | Promise<S> {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`Subset: index ${index} is out of range for ${this.size} samples; use an integer in 0..${this.size - 1}.`);
    }
    return this.dataset.get(this.indices[index] as number);
  }

  /** How a worker rebuilds this subset: its parent's recipe plus the indices. Present only when the parent has one. */
  workerRecipe?: () => WorkerRecipe;
}

/** Rebuilds a {@link Subset} in a worker: builds the parent from its recipe, then selects `indices`. */
export async function subsetFromRecipe(parent: WorkerRecipe, indices: number[]): Promise<Subset<unknown>> {
  const module = (await import(parent.module)) as Record<string, (...args: unknown[]) => unknown>;
  const factory = module[parent.factory];
  if (typeof factory !== 'function') throw new Error(`subsetFromRecipe: ${parent.module} has no export ${parent.factory}.`);
  return new Subset((await factory(...parent.args)) as Dataset<unknown>, indices);
}

/**
 * One part per entry of `lengthsOrFractions`: a tuple when the sizes are written out (`[0.7, 0.15, 0.15]` gives three
 * parts, so `const [train, val, test] = ...` needs no `undefined` checks), an array otherwise.
 */
export type SplitParts<L extends readonly number[], P> = { -readonly [K in keyof L]: P };

/**
 * Turns split sizes into sample counts that add up to `total`, as `torch.utils.data.random_split` does: integers
 * summing to `total` are counts; fractions summing to 1 (e.g. `[0.7, 0.15, 0.15]`) or any other positive ratios
 * (e.g. `[6, 1, 3]`, normalised) give `floor(total * fraction)` each, and the samples left over go one each to the
 * first splits, round robin.
 *
 * @throws RangeError for an empty list, a negative or non-finite entry, or all zeros.
 */
export function splitLengths(total: number, lengthsOrFractions: readonly number[]): number[] {
  if (lengthsOrFractions.length === 0 || lengthsOrFractions.some((value) => !Number.isFinite(value) || value < 0)) {
    throw new RangeError(`Split sizes must be non-negative numbers, got [${lengthsOrFractions.join(', ')}]; pass counts, fractions such as [0.8, 0.2], or ratios such as [6, 1, 3].`);
  }
  const sum = lengthsOrFractions.reduce((a, b) => a + b, 0);
  if (sum === 0) throw new RangeError(`Split sizes [${lengthsOrFractions.join(', ')}] are all zero.`);
  if (sum === total && lengthsOrFractions.every(Number.isInteger)) return [...lengthsOrFractions];
  const lengths = lengthsOrFractions.map((value) => Math.floor((total * value) / sum + 1e-9));
  let remainder = total - lengths.reduce((a, b) => a + b, 0);
  for (let i = 0; remainder > 0; i = (i + 1) % lengths.length) {
    if ((lengthsOrFractions[i] as number) > 0) {
      lengths[i] = (lengths[i] as number) + 1;
      remainder--;
    }
  }
  return lengths;
}

/** Sample indices of each split of a seeded random permutation of `0..total - 1`. */
export function randomSplitIndices(total: number, lengthsOrFractions: readonly number[], seed: number): Uint32Array[] {
  const lengths = splitLengths(total, lengthsOrFractions);
  const order = new Uint32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  shuffleInPlace(order, mulberry32(seed));
  const parts: Uint32Array[] = [];
  let start = 0;
  for (const length of lengths) {
    parts.push(order.slice(start, start + length));
    start += length;
  }
  return parts;
}

/**
 * Splits a dataset at random into non-overlapping parts, like `torch.utils.data.random_split`, reproducibly:
 * the same `(size, sizes, seed)` always gives the same parts. Sizes as {@link splitLengths}: `[0.8, 0.2]`,
 * `[0.7, 0.15, 0.15]`, `[6, 1, 3]` or counts. An {@link ImageArrayDataset} splits into ImageArrayDatasets (copied,
 * fast to batch); any other dataset into {@link Subset}s.
 */
export function randomSplit<const L extends readonly number[]>(dataset: ImageArrayDataset, lengthsOrFractions: L, seed: number): SplitParts<L, ImageArrayDataset>;
export function randomSplit<S, const L extends readonly number[]>(dataset: Dataset<S>, lengthsOrFractions: L, seed: number): SplitParts<L, Subset<S>>;
export function randomSplit<S>(dataset: Dataset<S>, lengthsOrFractions: readonly number[], seed: number): (Subset<S> | ImageArrayDataset)[] {
  return split(dataset, randomSplitIndices(dataset.size, lengthsOrFractions, seed));
}

function split<S>(dataset: Dataset<S>, parts: Uint32Array[]): (Subset<S> | ImageArrayDataset)[] {
  return parts.map((indices) => (dataset instanceof ImageArrayDataset ? dataset.subset(indices) : new Subset(dataset, indices)));
}

/**
 * Indices of a stratified split: each class's samples are shuffled (seeded) and cut in the given proportions, so
 * every part keeps the class proportions: exactly when each class's count divides evenly, else within one sample
 * per class (left-over samples go to the part furthest behind its overall share). Sizes as {@link splitLengths}.
 * Each part's indices are in increasing order.
 *
 * @param labels One integer class label per sample.
 */
export function stratifiedSplitIndices(labels: ArrayLike<number>, lengthsOrFractions: readonly number[], seed: number): Uint32Array[] {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    let members = byClass.get(label);
    if (members === undefined) byClass.set(label, (members = []));
    members.push(i);
  }
  splitLengths(labels.length, lengthsOrFractions); // validates
  const isCounts = lengthsOrFractions.every(Number.isInteger) && lengthsOrFractions.reduce((a, b) => a + b, 0) === labels.length;
  const sum = lengthsOrFractions.reduce((a, b) => a + b, 0);
  const fractions = lengthsOrFractions.map((value) => (isCounts ? value / labels.length : value / sum));
  const parts: number[][] = fractions.map(() => []);
  const assigned = fractions.map(() => 0);
  let processed = 0;
  const random = mulberry32(seed);
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = Uint32Array.from(byClass.get(label) as number[]);
    shuffleInPlace(members, random);
    // Each part gets floor(n * fraction) of the class (exact when that is whole); the few left over go, one at a
    // time, to the part furthest behind its overall target, so the parts' totals stay close to their fractions.
    const counts = fractions.map((fraction) => Math.floor(members.length * fraction + 1e-9));
    processed += members.length;
    counts.forEach((count, p) => (assigned[p]! += count));
    for (let left = members.length - counts.reduce((a, b) => a + b, 0); left > 0; left--) {
      let best = 0;
      for (let p = 1; p < fractions.length; p++) {
        if (processed * fractions[p]! - assigned[p]! > processed * fractions[best]! - assigned[best]! + 1e-9) best = p;
      }
      counts[best]!++;
      assigned[best]!++;
    }
    let start = 0;
    for (const [p, count] of counts.entries()) {
      for (let k = start; k < start + count; k++) parts[p]!.push(members[k] as number);
      start += count;
    }
  }
  return parts.map((part) => Uint32Array.from(part.sort((a, b) => a - b)));
}

/** The labels of `dataset`: its `labels` property when it has one, else read sample by sample. */
export async function datasetLabels(dataset: Dataset<{ label: number }>): Promise<ArrayLike<number>> {
  const known = (dataset as Dataset<{ label: number }> & Labelled).labels;
  if (known !== undefined) return known;
  const labels = new Int32Array(dataset.size);
  for (let i = 0; i < dataset.size; i++) labels[i] = (await dataset.get(i)).label;
  return labels;
}

/**
 * Splits a dataset so that each part keeps the class proportions (like scikit-learn's `train_test_split` with
 * `stratify`), seeded and reproducible. Sizes as {@link splitLengths}. Labels come from `dataset.labels` when the
 * dataset has them (every dataset of this package), else from reading each sample.
 */
export async function stratifiedSplit<const L extends readonly number[]>(dataset: ImageArrayDataset, lengthsOrFractions: L, seed: number): Promise<SplitParts<L, ImageArrayDataset>>;
export async function stratifiedSplit<S extends { label: number }, const L extends readonly number[]>(dataset: Dataset<S>, lengthsOrFractions: L, seed: number): Promise<SplitParts<L, Subset<S>>>;
export async function stratifiedSplit<S extends { label: number }>(dataset: Dataset<S>, lengthsOrFractions: readonly number[], seed: number): Promise<(Subset<S> | ImageArrayDataset)[]> {
  return split(dataset, stratifiedSplitIndices(await datasetLabels(dataset), lengthsOrFractions, seed));
}
