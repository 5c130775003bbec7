/** Containers: `Compose` (in order), `RandomSubset` (seed 002's random subset of manipulations, in random order). */
import type { AnyImage, RandomSource } from '@cnn/data';
import * as tf from '@tensorflow/tfjs-core';
import { checkInteger } from './options.js';
import { randomInteger, randomPermutation } from './sampling.js';
import { Transform, type TransformConfig } from './transform-base.js';

function checkTransforms(who: string, transforms: unknown): Transform[] {
  if (!Array.isArray(transforms) || !transforms.every((t) => t instanceof Transform)) {
    throw new TypeError(`${who}: transforms must be an array of @cnn/augment transforms (Transform instances), got ${String(transforms)}`);
  }
  return [...transforms];
}

/** `transforms.Compose`: applies `transforms` left to right, each drawing from the same random source. */
export class Compose extends Transform {
  readonly transforms: readonly Transform[];

  constructor(transforms: readonly Transform[]) {
    super();
    this.transforms = checkTransforms('Compose', transforms);
  }

  override apply(image: AnyImage, random: RandomSource): AnyImage {
    let out = image;
    for (const t of this.transforms) out = t.apply(out, random);
    return out === image ? { ...image, data: image.data.slice() } as AnyImage : out;
  }

  /** The batch versions in order; throws if one of the transforms has none. */
  override applyBatch(images: tf.Tensor4D, random: RandomSource): tf.Tensor4D {
    const missing = this.transforms.filter((t) => typeof t.applyBatch !== 'function').map((t) => t.toConfig().name);
    if (missing.length > 0) throw new Error(`Compose: no batch version for ${missing.join(', ')}; apply these per image`);
    return tf.tidy(() => this.transforms.reduce<tf.Tensor4D>((x, t) => t.applyBatch!(x, random), images));
  }

  override toConfig(): TransformConfig {
    return { name: 'Compose', transforms: this.transforms.map((t) => t.toConfig()) };
  }
}

/** Options of {@link RandomSubset}. */
export interface RandomSubsetOptions {
  /** The candidate transforms. */
  transforms: readonly Transform[];
  /** Fewest transforms applied; default 1. */
  min?: number;
  /** Most transforms applied; default `transforms.length`. */
  max?: number;
}

/**
 * Applies a random number `k ~ U{min..max}` of distinct `transforms`, in random order: Python's
 * `random.sample(manipulations, random.randint(min, max))` of seed 002 (also torchvision's `RandomChoice` with
 * `min = max = 1`).
 */
export class RandomSubset extends Transform {
  readonly transforms: readonly Transform[];
  readonly min: number;
  readonly max: number;

  constructor(options: RandomSubsetOptions) {
    super();
    this.transforms = checkTransforms('RandomSubset', options?.transforms);
    this.min = checkInteger('RandomSubset', 'min', options.min ?? 1, 0);
    this.max = checkInteger('RandomSubset', 'max', options.max ?? this.transforms.length, this.min);
    if (this.max > this.transforms.length) {
      throw new RangeError(`RandomSubset: max ${this.max} exceeds the ${this.transforms.length} transforms given`);
    }
  }

  /** The indices of the transforms applied, in order. */
  sampleParameters(random: RandomSource): number[] {
    const k = randomInteger(random, this.min, this.max + 1);
    return randomPermutation(random, this.transforms.length).slice(0, k);
  }

  override apply(image: AnyImage, random: RandomSource): AnyImage {
    let out = image;
    for (const index of this.sampleParameters(random)) out = this.transforms[index]!.apply(out, random);
    return out === image ? { ...image, data: image.data.slice() } as AnyImage : out;
  }

  override toConfig(): TransformConfig {
    return { name: 'RandomSubset', transforms: this.transforms.map((t) => t.toConfig()), min: this.min, max: this.max };
  }
}
