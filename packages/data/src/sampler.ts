/**
 * Samplers: which dataset indices a {@link DataLoader} visits in each epoch, and in what order, like
 * `torch.utils.data.Sampler`. Each is seeded and gives epoch `e` an order that depends only on `(seed, e)`.
 */
import { epochSeed, mulberry32, shuffleInPlace } from './random.js';

/** Chooses the dataset indices of each epoch, in order. */
export interface Sampler {
  /** Indices per epoch, a non-negative integer. */
  readonly length: number;
  /** The dataset indices to visit in epoch `epoch`, `length` of them, in order; repeats are allowed. */
  indices(epoch: number): ArrayLike<number>;
}

/** Options of a {@link WeightedRandomSampler}. */
export interface WeightedRandomSamplerOptions {
  /** One non-negative weight per dataset sample (not necessarily summing to 1); at least one must be positive. */
  weights: ArrayLike<number>;
  /** Samples drawn per epoch, a positive integer; default the number of weights. */
  numSamples?: number;
  /** Draw with replacement (an index may appear many times in an epoch); default `true`. */
  replacement?: boolean;
  /** Seed of the draws, an integer taken modulo 2^32; default `0`. */
  seed?: number;
}

/** Distinguishes the samplers' random streams from the loader's shuffle with the same seed. */
const SAMPLER_STREAM = 0x5bd1e995;

function checkSeed(owner: string, seed: unknown): number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new RangeError(`${owner}: seed must be an integer, got ${String(seed)}.`);
  }
  return seed;
}

function checkEpoch(owner: string, epoch: number): void {
  if (!Number.isSafeInteger(epoch) || epoch < 0) {
    throw new RangeError(`${owner}: epoch must be a non-negative integer, got ${String(epoch)}.`);
  }
}

/**
 * Draws dataset indices with probability proportional to `weights`, like `torch.utils.data.WeightedRandomSampler`:
 * with {@link classBalancedWeights}, every class is drawn equally often in expectation, which counters imbalanced
 * datasets (IP102's classes range from 7.6% to 0.1% of the images).
 *
 * With replacement, each draw is independent (inverse-CDF sampling, `O(log n)` a draw). Without replacement,
 * `numSamples` distinct indices are drawn in sequence, each with probability proportional to its weight among those
 * not yet drawn (Efraimidis–Spirakis keys).
 */
export class WeightedRandomSampler implements Sampler {
  /** Indices drawn per epoch. */
  readonly length: number;
  /** Whether an index may be drawn more than once per epoch. */
  readonly replacement: boolean;
  readonly #weights: Float64Array;
  readonly #cumulative: Float64Array;
  readonly #seed: number;

  /** @throws RangeError naming the invalid option: a negative or non-finite weight, no positive weight, a bad `numSamples`. */
  constructor(options: WeightedRandomSamplerOptions) {
    const { weights, replacement = true, seed = 0 } = options ?? ({} as WeightedRandomSamplerOptions);
    if (weights === null || typeof weights !== 'object' || typeof weights.length !== 'number' || weights.length === 0) {
      throw new RangeError('WeightedRandomSampler: weights must be a non-empty array of numbers, one per dataset sample.');
    }
    const { numSamples = weights.length } = options;
    this.#weights = Float64Array.from(weights);
    this.#cumulative = new Float64Array(weights.length);
    let total = 0;
    let positive = 0;
    for (let i = 0; i < this.#weights.length; i++) {
      const w = this.#weights[i] as number;
      if (!Number.isFinite(w) || w < 0) {
        throw new RangeError(`WeightedRandomSampler: weights[${i}] is ${String(weights[i])}; weights must be finite and non-negative.`);
      }
      if (w > 0) positive++;
      total += w;
      this.#cumulative[i] = total;
    }
    if (positive === 0) throw new RangeError('WeightedRandomSampler: all weights are 0; at least one must be positive.');
    if (!Number.isSafeInteger(numSamples) || numSamples < 1) {
      throw new RangeError(`WeightedRandomSampler: numSamples must be a positive integer, got ${String(numSamples)}.`);
    }
    if (!replacement && numSamples > positive) {
      throw new RangeError(`WeightedRandomSampler: cannot draw ${numSamples} samples without replacement from ${positive} with a positive weight; lower numSamples or set replacement: true.`);
    }
    this.length = numSamples;
    this.replacement = replacement;
    this.#seed = checkSeed('WeightedRandomSampler', seed);
  }

  /** The indices of epoch `epoch`, reproducible from `(seed, epoch)`. */
  indices(epoch: number): Uint32Array {
    checkEpoch('WeightedRandomSampler', epoch);
    const random = mulberry32(epochSeed(this.#seed ^ SAMPLER_STREAM, epoch));
    return this.replacement ? this.#withReplacement(random) : this.#withoutReplacement(random);
  }

  #withReplacement(random: () => number): Uint32Array {
    const cumulative = this.#cumulative;
    const last = cumulative.length - 1;
    const total = cumulative[last] as number;
    const out = new Uint32Array(this.length);
    for (let k = 0; k < out.length; k++) {
      const target = random() * total;
      let low = 0;
      let high = last;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if ((cumulative[middle] as number) > target) high = middle;
        else low = middle + 1;
      }
      out[k] = low; // the first index whose cumulative weight exceeds the target: never a zero-weight index
    }
    return out;
  }

  #withoutReplacement(random: () => number): Uint32Array {
    const weights = this.#weights;
    const keys = new Float64Array(weights.length);
    const candidates: number[] = [];
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i] as number;
      if (w > 0) {
        keys[i] = Math.log(1 - random()) / w; // log of u^(1/w), u in (0, 1]; largest keys are drawn first
        candidates.push(i);
      }
    }
    candidates.sort((a, b) => (keys[b] as number) - (keys[a] as number) || a - b);
    return Uint32Array.from(candidates.slice(0, this.length));
  }
}

/**
 * Visits the given dataset indices in a new random order each epoch, without replacement, like
 * `torch.utils.data.SubsetRandomSampler`: e.g. the training part of a split that shares one dataset.
 */
export class SubsetRandomSampler implements Sampler {
  /** Number of indices, visited once each per epoch. */
  readonly length: number;
  readonly #indices: Uint32Array;
  readonly #seed: number;

  /**
   * @param indices Dataset indices, non-negative integers; copied. The loader reports an index its dataset lacks.
   * @param options `seed`, an integer taken modulo 2^32; default `0`.
   */
  constructor(indices: ArrayLike<number>, options: { seed?: number } = {}) {
    if (indices === null || typeof indices !== 'object' || typeof indices.length !== 'number') {
      throw new TypeError('SubsetRandomSampler: indices must be an array of dataset indices.');
    }
    for (let i = 0; i < indices.length; i++) {
      const index = indices[i];
      if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0 || index > 0xffffffff) {
        throw new RangeError(`SubsetRandomSampler: indices[${i}] is ${String(index)}; indices must be non-negative integers.`);
      }
    }
    this.#indices = Uint32Array.from(indices);
    this.length = this.#indices.length;
    this.#seed = checkSeed('SubsetRandomSampler', options.seed ?? 0);
  }

  /** The indices in the order of epoch `epoch`, reproducible from `(seed, epoch)`. */
  indices(epoch: number): Uint32Array {
    checkEpoch('SubsetRandomSampler', epoch);
    return shuffleInPlace(this.#indices.slice(), mulberry32(epochSeed(this.#seed ^ SAMPLER_STREAM, epoch)));
  }
}

/**
 * Per-sample weights that balance classes: sample `i` weighs `1 / (number of samples with label labels[i])`, so each
 * class has total weight 1. Pass them to a {@link WeightedRandomSampler} to draw every class equally often.
 *
 * @param labels One integer class label per dataset sample.
 * @throws RangeError when a label is not a non-negative integer.
 */
export function classBalancedWeights(labels: ArrayLike<number>): Float64Array {
  const counts = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (typeof label !== 'number' || !Number.isSafeInteger(label) || label < 0) {
      throw new RangeError(`classBalancedWeights: labels[${i}] is ${String(label)}; labels must be non-negative integers.`);
    }
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const weights = new Float64Array(labels.length);
  for (let i = 0; i < labels.length; i++) weights[i] = 1 / (counts.get(labels[i] as number) as number);
  return weights;
}
