/**
 * Small seeded pseudo-random number generation for reproducible shuffling.
 * Not for cryptography.
 */

/** A function returning uniformly distributed numbers in `[0, 1)`. */
export type RandomSource = () => number;

/**
 * Mulberry32, Tommy Ettinger's 32-bit generator: one `uint32` of state, period 2^32,
 * passes gjrand and PractRand up to a few GB — plenty for shuffling datasets.
 *
 * @param seed Any integer; it is taken modulo 2^32.
 * @returns A generator of numbers in `[0, 1)`, identical for identical seeds.
 */
export function mulberry32(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** MurmurHash3's 32-bit finaliser: spreads every input bit over the whole output. */
function fmix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Derives the seed for one epoch from a run's seed, so that epochs get unrelated
 * orders and each is reproducible on its own: `fmix32(fmix32(seed) ^ epoch)`.
 *
 * @param seed The run's seed; taken modulo 2^32.
 * @param epoch The epoch number, a non-negative integer; taken modulo 2^32.
 */
export function epochSeed(seed: number, epoch: number): number {
  return fmix32(fmix32(seed) ^ (epoch >>> 0));
}

/**
 * Shuffles `values` in place with the Fisher–Yates algorithm and returns it.
 *
 * @param values The array to permute.
 * @param random The source of randomness, e.g. {@link mulberry32}.
 */
export function shuffleInPlace<T extends { length: number; [index: number]: number }>(values: T, random: RandomSource): T {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = values[i] as number;
    values[i] = values[j] as number;
    values[j] = swap;
  }
  return values;
}

/**
 * The order in which a loader visits `count` samples in one epoch: a permutation of
 * `0..count - 1` that depends only on `(count, seed, epoch)`.
 *
 * @param count Number of samples.
 * @param seed The run's seed (see {@link epochSeed}).
 * @param epoch The epoch number.
 */
export function shuffledIndices(count: number, seed: number, epoch: number): Uint32Array {
  const indices = new Uint32Array(count);
  for (let i = 0; i < count; i++) indices[i] = i;
  return shuffleInPlace(indices, mulberry32(epochSeed(seed, epoch)));
}

/**
 * The seed of the random source a loader gives its per-sample transform for the sample at `index` in the order of
 * epoch `epoch`: `fmix32(epochSeed(seed, epoch) ^ fmix32(index + 0x9e3779b9))`. It depends only on these three
 * numbers, so augmentations repeat exactly whatever the number of worker threads and the batch size.
 *
 * @param seed The run's seed; taken modulo 2^32.
 * @param epoch The epoch number, a non-negative integer.
 * @param index The sample's position in the epoch's order (0 for the first sample drawn), a non-negative integer.
 */
export function sampleSeed(seed: number, epoch: number, index: number): number {
  return fmix32(epochSeed(seed, epoch) ^ fmix32((index + 0x9e3779b9) >>> 0));
}
