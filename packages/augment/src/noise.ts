/** Additive Gaussian noise and salt-and-pepper noise, as scikit-image's `random_noise` (seed 002) and torchvision v2's `GaussianNoise`. */
import type { AnyImage, RandomSource } from '@cnn/data';
import * as tf from '@tensorflow/tfjs-core';
import { checkImage, clampByte, emptyLike, isFloatImage } from './image.js';
import { checkNumber, checkProbability } from './options.js';
import { tensorSeed } from './sampling.js';
import { Transform, type TransformConfig } from './transform-base.js';

/** Options of {@link GaussianNoise}. Units are fractions of white (as on 0..1 images): 0.1 is 25.5 levels of a byte image. */
export interface GaussianNoiseOptions {
  /** Mean of the noise; default 0. */
  mean?: number;
  /** Standard deviation, >= 0; default 0.1 (seed 002's `var=0.01`). */
  sigma?: number;
  /** Clip the result to `[0, white]`; default `true`. Byte images are always clipped (and rounded). */
  clip?: boolean;
  /** Probability of adding noise to an image; default 1. */
  p?: number;
  /** White in batches given to `applyBatch`: 255 (default, raw `DataLoader` batches) or 1. */
  maxValue?: number;
}

/** Adds `N(mean, sigma²)` to every value (per channel), scaled to the image's white (1 for floats, 255 for bytes). */
export class GaussianNoise extends Transform {
  readonly mean: number;
  readonly sigma: number;
  readonly clip: boolean;
  readonly p: number;
  readonly maxValue: number;

  constructor(options: GaussianNoiseOptions = {}) {
    super();
    this.mean = checkNumber('GaussianNoise', 'mean', options.mean ?? 0);
    this.sigma = checkNumber('GaussianNoise', 'sigma', options.sigma ?? 0.1, 0);
    this.clip = options.clip ?? true;
    this.p = checkProbability('GaussianNoise', 'p', options.p ?? 1);
    this.maxValue = checkNumber('GaussianNoise', 'maxValue', options.maxValue ?? 255, Number.MIN_VALUE);
  }

  override apply(image: AnyImage, random: RandomSource): AnyImage {
    checkImage(image, 'GaussianNoise');
    if (this.p < 1 && !(random() < this.p)) return { ...image, data: image.data.slice() } as AnyImage;
    const out = emptyLike(image, image.height, image.width);
    const white = isFloatImage(image) ? 1 : 255;
    const store = (i: number, normal: number): void => {
      const v = (image.data[i] as number) + white * (this.mean + this.sigma * normal);
      out.data[i] = white === 255 ? clampByte(v) : this.clip ? Math.min(1, Math.max(0, v)) : v;
    };
    const length = image.data.length;
    for (let i = 0; i < length; i += 2) {
      // Box–Muller, both normals of each pair of uniforms.
      let u = random();
      while (u <= Number.MIN_VALUE) u = random();
      const radius = Math.sqrt(-2 * Math.log(u));
      const angle = 2 * Math.PI * random();
      store(i, radius * Math.cos(angle));
      if (i + 1 < length) store(i + 1, radius * Math.sin(angle));
    }
    return out;
  }

  /** Noise from `tf.randomNormal` seeded from `random`; samples skipped with probability `1 - p`. */
  override applyBatch(images: tf.Tensor4D, random: RandomSource): tf.Tensor4D {
    const keep = Array.from({ length: images.shape[0] }, () => (this.p < 1 ? (random() < this.p ? 1 : 0) : 1));
    const seed = tensorSeed(random);
    return tf.tidy(() => {
      let noise: tf.Tensor = tf.randomNormal(images.shape, this.mean * this.maxValue, this.sigma * this.maxValue, 'float32', seed);
      if (this.p < 1) noise = tf.mul(noise, tf.tensor4d(keep, [keep.length, 1, 1, 1]));
      const out = tf.add(images, noise);
      return (this.clip ? tf.clipByValue(out, 0, this.maxValue) : out) as tf.Tensor4D;
    });
  }

  override toConfig(): TransformConfig {
    return { name: 'GaussianNoise', mean: this.mean, sigma: this.sigma, clip: this.clip, p: this.p, maxValue: this.maxValue };
  }
}

/** Options of {@link SaltAndPepperNoise}. */
export interface SaltAndPepperNoiseOptions {
  /** Fraction of values replaced, 0..1; default 0.05 (scikit-image's; seed 002 uses 0.1). */
  amount?: number;
  /** Fraction of the replaced values that become white (salt) rather than black (pepper); default 0.5. */
  saltVsPepper?: number;
  /** `true` (default, scikit-image): each channel value independently; `false`: whole pixels. */
  perChannel?: boolean;
  /** Probability of noising an image; default 1. */
  p?: number;
  /** White in batches given to `applyBatch`: 255 (default) or 1. */
  maxValue?: number;
}

/** Replaces a random `amount` of the values with white (salt) or black (pepper), as `random_noise(mode='s&p')`. */
export class SaltAndPepperNoise extends Transform {
  readonly amount: number;
  readonly saltVsPepper: number;
  readonly perChannel: boolean;
  readonly p: number;
  readonly maxValue: number;

  constructor(options: SaltAndPepperNoiseOptions = {}) {
    super();
    this.amount = checkProbability('SaltAndPepperNoise', 'amount', options.amount ?? 0.05);
    this.saltVsPepper = checkProbability('SaltAndPepperNoise', 'saltVsPepper', options.saltVsPepper ?? 0.5);
    this.perChannel = options.perChannel ?? true;
    this.p = checkProbability('SaltAndPepperNoise', 'p', options.p ?? 1);
    this.maxValue = checkNumber('SaltAndPepperNoise', 'maxValue', options.maxValue ?? 255, Number.MIN_VALUE);
  }

  override apply(image: AnyImage, random: RandomSource): AnyImage {
    checkImage(image, 'SaltAndPepperNoise');
    const out = { ...image, data: image.data.slice() } as AnyImage;
    if (this.p < 1 && !(random() < this.p)) return out;
    const white = isFloatImage(image) ? 1 : 255;
    const step = this.perChannel ? 1 : image.channels;
    const width = this.perChannel ? 1 : image.channels;
    for (let i = 0; i < image.data.length; i += step) {
      if (!(random() < this.amount)) continue;
      const value = random() < this.saltVsPepper ? white : 0;
      for (let c = 0; c < width; c++) out.data[i + c] = value;
    }
    return out;
  }

  /** Masks from `tf.randomUniform` seeded from `random`. */
  override applyBatch(images: tf.Tensor4D, random: RandomSource): tf.Tensor4D {
    const [n, h, w, c] = images.shape;
    const keep = Array.from({ length: n }, () => (this.p < 1 ? (random() < this.p ? 1 : 0) : 1));
    const seeds = [tensorSeed(random), tensorSeed(random)];
    return tf.tidy(() => {
      const maskShape: [number, number, number, number] = [n, h, w, this.perChannel ? c : 1];
      let flipped: tf.Tensor = tf.cast(tf.less(tf.randomUniform(maskShape, 0, 1, 'float32', seeds[0]), this.amount), 'float32');
      if (this.p < 1) flipped = tf.mul(flipped, tf.tensor4d(keep, [n, 1, 1, 1]));
      const salt = tf.mul(tf.cast(tf.less(tf.randomUniform(maskShape, 0, 1, 'float32', seeds[1]), this.saltVsPepper), 'float32'), this.maxValue);
      return tf.add(tf.mul(images, tf.sub(1, flipped)), tf.mul(flipped, salt)) as tf.Tensor4D;
    });
  }

  override toConfig(): TransformConfig {
    return { name: 'SaltAndPepperNoise', amount: this.amount, saltVsPepper: this.saltVsPepper, perChannel: this.perChannel, p: this.p, maxValue: this.maxValue };
  }
}
