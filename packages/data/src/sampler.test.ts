import { describe, expect, it } from 'vitest';
import { sampleSeed } from './random.js';
import { classBalancedWeights, SubsetRandomSampler, WeightedRandomSampler } from './sampler.js';

/** An imbalanced labelling: class c has counts[c] samples, labels in blocks. */
function imbalancedLabels(counts: number[]): Int32Array {
  return Int32Array.from(counts.flatMap((count, label) => Array.from({ length: count }, () => label)));
}

function classFrequencies(indices: ArrayLike<number>, labels: ArrayLike<number>, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < indices.length; i++) counts[labels[indices[i] as number] as number]! += 1;
  return counts.map((count) => count / indices.length);
}

describe('classBalancedWeights', () => {
  it('weighs each sample by 1 / its class count, so every class totals 1', () => {
    expect(Array.from(classBalancedWeights([0, 1, 1, 0, 0, 2]))).toEqual([1 / 3, 1 / 2, 1 / 2, 1 / 3, 1 / 3, 1]);
    expect(() => classBalancedWeights([0, 1.5])).toThrow('classBalancedWeights: labels[1] is 1.5; labels must be non-negative integers.');
  });
});

describe('WeightedRandomSampler', () => {
  // IP102-like imbalance: the largest class is 76x the smallest (7.6% .. 0.1%).
  const counts = [760, 400, 200, 120, 80, 40, 25, 15, 10];
  const labels = imbalancedLabels(counts);

  it('draws classes uniformly with class-balanced weights (within 0.012 of 1/9 over 20,000 draws)', () => {
    const sampler = new WeightedRandomSampler({ weights: classBalancedWeights(labels), numSamples: 20_000, seed: 1 });
    expect(sampler.length).toBe(20_000);
    for (const epoch of [0, 1]) {
      const frequencies = classFrequencies(sampler.indices(epoch), labels, counts.length);
      // binomial standard deviation sqrt(p (1 - p) / n) = 0.0022: the tolerance is over 5 of them
      for (const frequency of frequencies) expect(Math.abs(frequency - 1 / 9)).toBeLessThan(0.012);
    }
    // unweighted, the smallest class would get 0.6%; without the weights the test above must fail
    const plain = new WeightedRandomSampler({ weights: new Float64Array(labels.length).fill(1), numSamples: 20_000, seed: 1 });
    expect(classFrequencies(plain.indices(0), labels, counts.length)[8]).toBeLessThan(0.012);
  });

  it('draws in proportion to arbitrary weights and never draws a zero weight', () => {
    const sampler = new WeightedRandomSampler({ weights: [0, 1, 3, 0, 6], numSamples: 30_000, seed: 4 });
    const drawn = sampler.indices(0);
    const frequency = (index: number) => drawn.filter((i) => i === index).length / drawn.length;
    expect(frequency(0) + frequency(3)).toBe(0);
    expect(frequency(1)).toBeCloseTo(0.1, 1);
    expect(Math.abs(frequency(2) - 0.3)).toBeLessThan(0.015);
    expect(Math.abs(frequency(4) - 0.6)).toBeLessThan(0.015);
  });

  it('repeats an epoch exactly from (seed, epoch) and changes across epochs and seeds', () => {
    const options = { weights: classBalancedWeights(labels), numSamples: 64 };
    const sampler = new WeightedRandomSampler({ ...options, seed: 7 });
    expect(new WeightedRandomSampler({ ...options, seed: 7 }).indices(3)).toEqual(sampler.indices(3));
    expect(sampler.indices(4)).not.toEqual(sampler.indices(3));
    expect(new WeightedRandomSampler({ ...options, seed: 8 }).indices(3)).not.toEqual(sampler.indices(3));
  });

  it('draws distinct indices without replacement, heavy ones first more often', () => {
    const sampler = new WeightedRandomSampler({ weights: [1, 0, 1, 1, 100], numSamples: 4, replacement: false, seed: 3 });
    let heavyFirst = 0;
    for (let epoch = 0; epoch < 200; epoch++) {
      const drawn = Array.from(sampler.indices(epoch));
      expect([...drawn].sort()).toEqual([0, 2, 3, 4]);
      if (drawn[0] === 4) heavyFirst++;
    }
    expect(heavyFirst).toBeGreaterThan(180); // probability 100/103 each
  });

  it('validates its options', () => {
    expect(() => new WeightedRandomSampler({ weights: [] })).toThrow('weights must be a non-empty array');
    expect(() => new WeightedRandomSampler({ weights: [1, -1] })).toThrow('WeightedRandomSampler: weights[1] is -1; weights must be finite and non-negative.');
    expect(() => new WeightedRandomSampler({ weights: [0, 0] })).toThrow('all weights are 0');
    expect(() => new WeightedRandomSampler({ weights: [1], numSamples: 0 })).toThrow('numSamples must be a positive integer, got 0');
    expect(() => new WeightedRandomSampler({ weights: [1, 0, 1], numSamples: 3, replacement: false })).toThrow(
      'cannot draw 3 samples without replacement from 2 with a positive weight',
    );
    expect(() => new WeightedRandomSampler({ weights: [1] }).indices(-1)).toThrow('epoch must be a non-negative integer, got -1');
  });
});

describe('SubsetRandomSampler', () => {
  it('visits its indices once per epoch in a seeded order', () => {
    const sampler = new SubsetRandomSampler([10, 20, 30, 40, 50], { seed: 5 });
    const epoch0 = Array.from(sampler.indices(0));
    expect([...epoch0].sort()).toEqual([10, 20, 30, 40, 50]);
    expect(Array.from(new SubsetRandomSampler([10, 20, 30, 40, 50], { seed: 5 }).indices(0))).toEqual(epoch0);
    const orders = new Set(Array.from({ length: 6 }, (_, e) => sampler.indices(e).join(',')));
    expect(orders.size).toBeGreaterThan(1);
    expect(() => new SubsetRandomSampler([1, -2])).toThrow('SubsetRandomSampler: indices[1] is -2; indices must be non-negative integers.');
  });
});

describe('sampleSeed', () => {
  it('depends on seed, epoch and position, and gives distinct seeds to a batch of positions', () => {
    expect(sampleSeed(1, 2, 3)).toBe(sampleSeed(1, 2, 3));
    expect(sampleSeed(1, 2, 3)).not.toBe(sampleSeed(2, 2, 3));
    expect(sampleSeed(1, 2, 3)).not.toBe(sampleSeed(1, 3, 3));
    const seeds = new Set(Array.from({ length: 10_000 }, (_, i) => sampleSeed(0, 0, i)));
    expect(seeds.size).toBe(10_000);
  });
});
