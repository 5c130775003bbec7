/** `ColorJitter`: torchvision's random brightness, contrast, saturation and hue, in a random order. */
import type { AnyImage, RandomSource } from '@cnn/data';
import * as tf from '@tensorflow/tfjs-core';
import { perSample } from './batch-ops.js';
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation } from './functional-color.js';
import { checkImage } from './image.js';
import { checkNumber } from './options.js';
import { randomPermutation, uniform } from './sampling.js';
import { Transform, type TransformConfig } from './transform-base.js';

/** Options of {@link ColorJitter}. Each adjustment is skipped when left out (or 0). */
export interface ColorJitterOptions {
  /** `b` → factor `U(max(0, 1 - b), 1 + b)`, or the factor range `[min, max]` (min >= 0). */
  brightness?: number | [number, number];
  /** `c` → factor `U(max(0, 1 - c), 1 + c)`, or `[min, max]`. */
  contrast?: number | [number, number];
  /** `s` → factor `U(max(0, 1 - s), 1 + s)`, or `[min, max]`. */
  saturation?: number | [number, number];
  /** `h` → hue shift `U(-h, h)` in turns, 0 <= h <= 0.5, or `[min, max]` within [-0.5, 0.5]. */
  hue?: number | [number, number];
  /** Value of white in batches given to `applyBatch`: 255 (default, a `DataLoader`'s raw batches) or 1 (after scaling). */
  maxValue?: number;
}

/** The factors one image gets, and the order of the four adjustments (0 brightness, 1 contrast, 2 saturation, 3 hue). */
export interface ColorJitterParameters {
  order: number[];
  brightness: number | undefined;
  contrast: number | undefined;
  saturation: number | undefined;
  hue: number | undefined;
}

function factorRange(name: string, value: number | [number, number] | undefined, center: number, bound: [number, number], clipFirst: boolean): [number, number] | undefined {
  if (value === undefined) return undefined;
  let range: [number, number];
  if (typeof value === 'number') {
    checkNumber('ColorJitter', name, value, 0);
    range = [center - value, center + value];
    if (clipFirst) range[0] = Math.max(range[0], 0);
  } else {
    if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => Number.isFinite(v)) || value[0] > value[1]) {
      throw new RangeError(`ColorJitter: ${name} must be a non-negative number or [min, max], got ${JSON.stringify(value)}`);
    }
    range = [value[0], value[1]];
  }
  if (range[0] < bound[0] || range[1] > bound[1]) {
    throw new RangeError(`ColorJitter: ${name} values must lie in [${bound[0]}, ${bound[1]}], got ${JSON.stringify(value)}`);
  }
  return range[0] === center && range[1] === center ? undefined : range;
}

/**
 * `transforms.ColorJitter`. On byte images each adjustment is torchvision's on PIL images (exactly Pillow's
 * `ImageEnhance` and HSV arithmetic); on float images (0..1) torchvision's tensor arithmetic.
 */
export class ColorJitter extends Transform {
  readonly brightness: [number, number] | undefined;
  readonly contrast: [number, number] | undefined;
  readonly saturation: [number, number] | undefined;
  readonly hue: [number, number] | undefined;
  readonly maxValue: number;

  constructor(options: ColorJitterOptions = {}) {
    super();
    this.brightness = factorRange('brightness', options.brightness, 1, [0, Infinity], true);
    this.contrast = factorRange('contrast', options.contrast, 1, [0, Infinity], true);
    this.saturation = factorRange('saturation', options.saturation, 1, [0, Infinity], true);
    this.hue = factorRange('hue', options.hue, 0, [-0.5, 0.5], false);
    this.maxValue = checkNumber('ColorJitter', 'maxValue', options.maxValue ?? 255, Number.MIN_VALUE);
  }

  /** torchvision's `get_params`: a random order (`randperm(4)`), then each factor uniform in its range. */
  sampleParameters(random: RandomSource): ColorJitterParameters {
    const order = randomPermutation(random, 4);
    const draw = (range: [number, number] | undefined): number | undefined => (range ? uniform(random, range[0], range[1]) : undefined);
    return { order, brightness: draw(this.brightness), contrast: draw(this.contrast), saturation: draw(this.saturation), hue: draw(this.hue) };
  }

  /** Applies given parameters to one image (the deterministic half). */
  applyParameters(image: AnyImage, parameters: ColorJitterParameters): AnyImage {
    let out = image;
    for (const index of parameters.order) {
      if (index === 0 && parameters.brightness !== undefined) out = adjustBrightness(out, parameters.brightness);
      else if (index === 1 && parameters.contrast !== undefined) out = adjustContrast(out, parameters.contrast);
      else if (index === 2 && parameters.saturation !== undefined) out = adjustSaturation(out, parameters.saturation);
      else if (index === 3 && parameters.hue !== undefined) out = adjustHue(out, parameters.hue);
    }
    return out === image ? { ...image, data: image.data.slice() } as AnyImage : out;
  }

  override apply(image: AnyImage, random: RandomSource): AnyImage {
    checkImage(image, 'ColorJitter');
    return this.applyParameters(image, this.sampleParameters(random));
  }

  /**
   * Per-image factors and orders on a batch, with torchvision's tensor arithmetic (clamped to `[0, maxValue]`);
   * brightness, contrast and saturation only: a jitter with `hue` has no batch version (use `apply` per image).
   */
  override applyBatch(images: tf.Tensor4D, random: RandomSource): tf.Tensor4D {
    if (this.hue !== undefined) throw new Error('ColorJitter: applyBatch does not do hue; apply it per image (apply) or leave hue out');
    const n = images.shape[0];
    const channels = images.shape[3];
    const parameters = Array.from({ length: n }, () => this.sampleParameters(random));
    const max = this.maxValue;
    return tf.tidy(() => {
      let x: tf.Tensor4D = images;
      const greyOf = (t: tf.Tensor4D): tf.Tensor4D =>
        channels >= 3
          ? (tf.sum(tf.mul(tf.slice(t, [0, 0, 0, 0], [-1, -1, -1, 3]), tf.tensor1d([0.2989, 0.587, 0.114])), 3, true) as tf.Tensor4D)
          : (tf.slice(t, [0, 0, 0, 0], [-1, -1, -1, 1]) as tf.Tensor4D);
      const blendWith = (t: tf.Tensor4D, factors: tf.Tensor4D, degenerate: tf.Tensor): tf.Tensor4D =>
        tf.clipByValue(tf.add(tf.mul(t, factors), tf.mul(tf.sub(1, factors), degenerate)), 0, max) as tf.Tensor4D;
      for (let step = 0; step < 4; step++) {
        // At each step, each image's adjustment is the one its order puts there; the other two are identities (factor 1).
        const factorAt = (which: number, key: 'brightness' | 'contrast' | 'saturation'): number[] =>
          parameters.map((p) => (p.order[step] === which && p[key] !== undefined ? (p[key] as number) : 1));
        const b = factorAt(0, 'brightness');
        const c = factorAt(1, 'contrast');
        const s = factorAt(2, 'saturation');
        if (b.some((v) => v !== 1)) x = tf.clipByValue(tf.mul(x, perSample(b)), 0, max) as tf.Tensor4D;
        if (c.some((v) => v !== 1)) x = blendWith(x, perSample(c), tf.mean(greyOf(x), [1, 2, 3], true));
        if (s.some((v) => v !== 1) && channels >= 3) x = blendWith(x, perSample(s), greyOf(x));
      }
      return x === images ? images.clone() : x;
    });
  }

  override toConfig(): TransformConfig {
    return { name: 'ColorJitter', brightness: this.brightness, contrast: this.contrast, saturation: this.saturation, hue: this.hue, maxValue: this.maxValue };
  }
}
