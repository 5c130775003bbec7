import { epochSeed, mulberry32 as dataMulberry32 } from '@cnn/data';
import { describe, expect, it } from 'vitest';
import { derivedSeed, mulberry32 } from './seeded.js';

describe('seeded generators', () => {
  it("are bit-identical to @cnn/data's", () => {
    for (const seed of [0, 1, 42, -7, 2 ** 32 + 5]) {
      const a = mulberry32(seed);
      const b = dataMulberry32(seed);
      for (let i = 0; i < 100; i++) expect(a()).toBe(b());
      for (const index of [0, 1, 99, 2 ** 31]) expect(derivedSeed(seed, index)).toBe(epochSeed(seed, index));
    }
  });
});
