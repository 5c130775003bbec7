/** `RandomErasing` (Zhong et al. 2017), torchvision's: a random box set to a value, per image with probability `p`. */
import type { AnyImage, RandomSource } from '@cnn/data';
import * as tf from '@tensorflow/tfjs-core';
import { checkImage, clampByte, isFloatImage } from './image.js';
import { checkFill, checkNumber, checkProbability, checkRange } from './options.js';
import { randomInteger, roundHalfEven, standardNormal, uniform } from './sampling.js';
import { Transform, type TransformConfig } from './transform-base.js';
import type { CropBox } from './geometry.js';

/** Options of {@link RandomErasing}. */
export interface RandomErasingOptions {
  /** Probability of erasing an image; default 0.5. */
  p?: number;
  /** Range of the box's area as a fraction of the image's; default `[0.02, 0.33]`. */
  scale?: [number, number];
  /** Range of the box's aspect ratio (log-uniform); default `[0.3, 3.3]`. */
  ratio?: [number, number];
  /**
   * Fill: a number or one per channel (image units), or `'random'`: standard normal values on float images (as
   * torchvision), uniform 0..white on byte images and on batches with `maxValue` > 1. Default 0.
   */
  value?: number | number[] | 'random';
  /** White in batches given to `applyBatch`: 255 (default) or 1. */
  maxValue?: number;
}

/** `transforms.RandomErasing`. */
export class RandomErasing extends Transform {
  readonly p: number;
  readonly scale: [number, number];
  readonly ratio: [number, number];
  readonly value: number | number[] | 'random';
  readonly maxValue: number;

  constructor(options: RandomErasingOptions = {}) {
    super();
    this.p = checkProbability('RandomErasing', 'p', options.p ?? 0.5);
    this.scale = checkRange('RandomErasing', 'scale', options.scale ?? [0.02, 0.33], 0, 1);
    this.ratio = checkRange('RandomErasing', 'ratio', options.ratio ?? [0.3, 3.3], Number.MIN_VALUE);
    this.value = options.value === 'random' ? 'random' : checkFill('RandomErasing', 'value', options.value ?? 0);
    this.maxValue = checkNumber('RandomErasing', 'maxValue', options.maxValue ?? 255, Number.MIN_VALUE);
  }

  /**
   * torchvision's `get_params` after the `p` draw: up to 10 attempts at a box with `h < H` and `w < W`; `undefined`
   * when the image is not erased (probability `1 - p`, or all attempts failed).
   */
  sampleParameters(height: number, width: number, random: RandomSource): CropBox | undefined {
    if (!(random() < this.p)) return undefined;
    const area = height * width;
    const logRatio = [Math.log(this.ratio[0]), Math.log(this.ratio[1])] as const;
    for (let attempt = 0; attempt < 10; attempt++) {
      const eraseArea = area * uniform(random, this.scale[0], this.scale[1]);
      const aspect = Math.exp(uniform(random, logRatio[0], logRatio[1]));
      const h = roundHalfEven(Math.sqrt(eraseArea * aspect));
      const w = roundHalfEven(Math.sqrt(eraseArea / aspect));
      if (!(h < height && w < width)) continue;
      return { top: randomInteger(random, 0, height - h + 1), left: randomInteger(random, 0, width - w + 1), height: h, width: w };
    }
    return undefined;
  }

  /** The fill values of one box, `box.height * box.width * channels` of them. */
  #values(box: CropBox, channels: number, white: number, random: RandomSource): Float64Array {
    const values = new Float64Array(box.height * box.width * channels);
    if (this.value === 'random') {
      for (let i = 0; i < values.length; i++) values[i] = white === 1 ? standardNormal(random) : random() * white;
    } else {
      const v = typeof this.value === 'number' ? [this.value] : this.value;
      if (v.length !== 1 && v.length !== channels) {
        throw new RangeError(`RandomErasing: value ${JSON.stringify(this.value)} has ${v.length} entries but the image has ${channels} channel(s)`);
      }
      for (let i = 0; i < values.length; i++) values[i] = v.length === 1 ? v[0]! : v[i % channels]!;
    }
    return values;
  }

  override apply(image: AnyImage, random: RandomSource): AnyImage {
    checkImage(image, 'RandomErasing');
    const out = { ...image, data: image.data.slice() } as AnyImage;
    const box = this.sampleParameters(image.height, image.width, random);
    if (box === undefined) return out;
    const float = isFloatImage(image);
    const values = this.#values(box, image.channels, float ? 1 : 255, random);
    eraseInPlace(out, box, values);
    return out;
  }

  /** Boxes drawn per image in JS; one masked blend on the backend. */
  override applyBatch(images: tf.Tensor4D, random: RandomSource): tf.Tensor4D {
    const [n, h, w, c] = images.shape;
    const mask = new Float32Array(n * h * w);
    const fill = new Float32Array(n * h * w * c);
    let any = false;
    for (let s = 0; s < n; s++) {
      const box = this.sampleParameters(h, w, random);
      if (box === undefined) continue;
      any = true;
      const values = this.#values(box, c, this.maxValue, random);
      for (let y = 0; y < box.height; y++) {
        for (let x = 0; x < box.width; x++) {
          const p = (s * h + box.top + y) * w + box.left + x;
          mask[p] = 1;
          for (let k = 0; k < c; k++) fill[p * c + k] = values[(y * box.width + x) * c + k]!;
        }
      }
    }
    if (!any) return images.clone();
    return tf.tidy(() => {
      const m = tf.tensor4d(mask, [n, h, w, 1]);
      return tf.add(tf.mul(images, tf.sub(1, m)), tf.tensor4d(fill, [n, h, w, c])) as tf.Tensor4D;
    });
  }

  override toConfig(): TransformConfig {
    return { name: 'RandomErasing', p: this.p, scale: this.scale, ratio: this.ratio, value: this.value, maxValue: this.maxValue };
  }
}

/** `F.erase`: sets `box` of `image` to `values` (row-major over the box, channels last), rounding and clamping for bytes. */
export function eraseInPlace(image: AnyImage, box: CropBox, values: ArrayLike<number>): void {
  const { width, channels, data } = image;
  const bytes = data instanceof Uint8Array;
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) {
      for (let c = 0; c < channels; c++) {
        const v = values[(y * box.width + x) * channels + c]!;
        data[((box.top + y) * width + box.left + x) * channels + c] = bytes ? clampByte(v) : v;
      }
    }
  }
}
