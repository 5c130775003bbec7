/**
 * Seeded generators, bit-identical to `@cnn/data`'s `mulberry32` and `epochSeed`. Copied rather than imported because
 * `@cnn/data`'s entry point loads Node-only modules (sharp, worker threads) and this package must run in browsers;
 * `seeded.test.ts` checks that the copies agree.
 */
import type { RandomSource } from '@cnn/data';

/** Mulberry32: numbers in `[0, 1)` from a 32-bit seed (as `@cnn/data`'s). */
export function mulberry32(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fmix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** `fmix32(fmix32(seed) ^ index)`: unrelated seeds for the items of one seeded run (as `@cnn/data`'s `epochSeed`). */
export function derivedSeed(seed: number, index: number): number {
  return fmix32(fmix32(seed) ^ (index >>> 0));
}
