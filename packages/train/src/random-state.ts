/**
 * Reproducible training randomness. TensorFlow.js seeds every unseeded random op (dropout, random initialisers,
 * `tf.randomUniform`/`randomNormal` without a seed) from `Math.random()`; replacing `Math.random` by a seeded
 * generator whose state can be saved makes those ops reproducible and lets a checkpoint restore where they were.
 */

/** A seeded generator of uniform numbers in [0, 1) (sfc32), whose whole state is four 32-bit integers. */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `seed`: any finite number (its integer part modulo 2^32 is used). */
  constructor(seed: number) {
    if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new Error(`SeededRandom: seed must be a finite number, got ${String(seed)}`);
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = Math.trunc(seed) >>> 0;
    for (let i = 0; i < 15; i += 1) this.next();
  }

  /** The next number in [0, 1). */
  next(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    const t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    const result = (t + this.d) | 0;
    this.c = (this.c + result) | 0;
    return (result >>> 0) / 4294967296;
  }

  /** The generator's state, JSON-serialisable. */
  getState(): number[] {
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
  }

  /** Restores {@link getState}'s result. */
  setState(state: unknown): void {
    if (!Array.isArray(state) || state.length !== 4 || state.some((v) => !Number.isInteger(v))) {
      throw new Error(`SeededRandom.setState: expected four integers, got ${JSON.stringify(state)}`);
    }
    [this.a, this.b, this.c, this.d] = state as [number, number, number, number];
  }
}

const originalRandom = Math.random;
let installed: SeededRandom | undefined;

/**
 * Replaces `Math.random` by a {@link SeededRandom} (process-wide: every caller of `Math.random` draws from it) and
 * returns it; {@link restoreGlobalRandom} puts the original back. Installing again replaces the previous generator.
 */
export function seedGlobalRandom(seed: number): SeededRandom {
  const generator = new SeededRandom(seed);
  installed = generator;
  Math.random = () => generator.next();
  return generator;
}

/** The generator installed by {@link seedGlobalRandom}, or undefined when `Math.random` is the original. */
export function globalRandom(): SeededRandom | undefined {
  return installed;
}

/** Puts the original `Math.random` back. */
export function restoreGlobalRandom(): void {
  installed = undefined;
  Math.random = originalRandom;
}

/** Runs `fn` with `Math.random` seeded by `seed`, then restores whatever was installed before. */
export async function withSeed<T>(seed: number, fn: () => T | Promise<T>): Promise<T> {
  const previous = installed;
  const previousRandom = Math.random;
  seedGlobalRandom(seed);
  try {
    return await fn();
  } finally {
    installed = previous;
    Math.random = previousRandom;
  }
}
