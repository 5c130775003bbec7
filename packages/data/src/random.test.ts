import { describe, expect, it } from 'vitest';
import { epochSeed, mulberry32, shuffledIndices, shuffleInPlace } from './random.js';

describe('mulberry32', () => {
  it('is deterministic, in [0, 1), and roughly uniform', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const values = Array.from({ length: 10000 }, () => a());
    expect(values.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    expect(mulberry32(43)()).not.toBe(values[0]);
  });

  it('takes seeds modulo 2^32', () => {
    expect(mulberry32(2 ** 32 + 5)()).toBe(mulberry32(5)());
    expect(mulberry32(-1)()).toBe(mulberry32(2 ** 32 - 1)());
  });
});

describe('shuffledIndices', () => {
  it('is a permutation that depends only on (count, seed, epoch)', () => {
    const order = shuffledIndices(100, 7, 3);
    expect(Array.from(order).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(shuffledIndices(100, 7, 3)).toEqual(order);
    expect(shuffledIndices(100, 7, 4)).not.toEqual(order);
    expect(shuffledIndices(100, 8, 3)).not.toEqual(order);
    expect(epochSeed(7, 3)).not.toBe(epochSeed(3, 7));
  });

  it('handles empty and single-element inputs', () => {
    expect(Array.from(shuffledIndices(0, 1, 0))).toEqual([]);
    expect(Array.from(shuffledIndices(1, 1, 0))).toEqual([0]);
    expect(shuffleInPlace([5], mulberry32(0))).toEqual([5]);
  });

  it('puts each element first about equally often', () => {
    const firsts = new Array<number>(4).fill(0);
    for (let epoch = 0; epoch < 4000; epoch++) firsts[shuffledIndices(4, 0, epoch)[0] as number]! += 1;
    for (const count of firsts) expect(Math.abs(count - 1000)).toBeLessThan(120);
  });
});
