/**
 * Geometric transforms, torchvision's: `Resize`, `CenterCrop`, `RandomCrop`, `RandomResizedCrop`,
 * `RandomHorizontalFlip`, `RandomVerticalFlip`. Each works on one image (bytes or floats); the crops and flips also on
 * NHWC batches.
 */
import type { AnyImage, RandomSource } from '@cnn/data';
import * as tf from '@tensorflow/tfjs-core';
import { gatherPixels } from './batch-ops.js';
import {
  borderIndex,
  centerCrop,
  crop,
  flip,
  pad,
  paddingSides,
  resize,
  resizedSize,
  type Interpolation,
  type PaddingMode,
} from './functional-geometry.js';
import { checkImage } from './image.js';
import { checkChoice, checkFill, checkInteger, checkProbability, checkRange, checkSize } from './options.js';
import { randomInteger, roundHalfEven, uniform } from './sampling.js';
import { Transform, type TransformConfig } from './transform-base.js';

const INTERPOLATIONS: readonly Interpolation[] = ['nearest', 'bilinear'];
const PADDING_MODES: readonly PaddingMode[] = ['constant', 'edge', 'reflect', 'symmetric'];

/** A size: an integer or `[height, width]`. */
export type Size = number | [number, number];

/** Options of {@link Resize}. */
export interface ResizeOptions {
  /** An integer: the shorter side becomes `size` and the longer keeps the aspect ratio (`floor`); or `[height, width]`. Pixels. */
  size: Size;
  /** `'bilinear'` (default; antialiased when shrinking, as PIL) or `'nearest'`. */
  interpolation?: Interpolation;
}

/** `transforms.Resize`: on PIL semantics (see {@link resize}). */
export class Resize extends Transform {
  readonly size: Size;
  readonly interpolation: Interpolation;

  constructor(options: ResizeOptions) {
    super();
    const { size, interpolation = 'bilinear' } = options ?? ({} as ResizeOptions);
    checkSize('Resize', 'size', size);
    this.size = typeof size === 'number' ? size : [size[0], size[1]];
    this.interpolation = checkChoice('Resize', 'interpolation', interpolation, INTERPOLATIONS);
  }

  override apply(image: AnyImage, _random?: RandomSource): AnyImage {
    checkImage(image, 'Resize');
    const [height, width] = resizedSize(image.height, image.width, this.size);
    return resize(image, height, width, this.interpolation);
  }

  override toConfig(): TransformConfig {
    return { name: 'Resize', size: this.size, interpolation: this.interpolation };
  }
}

/** Options of {@link CenterCrop}. */
export interface CenterCropOptions {
  /** Output size, an integer (square) or `[height, width]`, pixels; a larger crop pads with zeros, as torchvision. */
  size: Size;
}

/** `transforms.CenterCrop`. */
export class CenterCrop extends Transform {
  readonly size: [number, number];

  constructor(options: CenterCropOptions) {
    super();
    this.size = checkSize('CenterCrop', 'size', options?.size);
  }

  override apply(image: AnyImage, _random?: RandomSource): AnyImage {
    checkImage(image, 'CenterCrop');
    return centerCrop(image, this.size[0], this.size[1]);
  }

  /** The same crop of every image of a batch (which must be at least the crop's size). */
  override applyBatch(images: tf.Tensor4D): tf.Tensor4D {
    const [n, h, w] = images.shape;
    const [height, width] = this.size;
    if (height > h || width > w) throw new RangeError(`CenterCrop: batch images ${h}x${w} are smaller than the crop ${height}x${width}`);
    const top = roundHalfEven((h - height) / 2);
    const left = roundHalfEven((w - width) / 2);
    return tf.slice(images, [0, top, left, 0], [n, height, width, images.shape[3]]);
  }

  override toConfig(): TransformConfig {
    return { name: 'CenterCrop', size: this.size };
  }
}

/** Options of {@link RandomCrop}. */
export interface RandomCropOptions {
  /** Output size, an integer (square) or `[height, width]`, pixels. */
  size: Size;
  /** Padding before cropping: one value for all sides, `[leftRight, topBottom]` or `[left, top, right, bottom]`, pixels; default none. */
  padding?: number | number[];
  /** Pad images smaller than `size` up to it (torchvision's `pad_if_needed`); default `false`. */
  padIfNeeded?: boolean;
  /** Value of constant padding: one value or one per channel, in the image's units; default 0. */
  fill?: number | number[];
  /** `'constant'` (default), `'edge'`, `'reflect'` or `'symmetric'`, as `np.pad`. */
  paddingMode?: PaddingMode;
}

/** `transforms.RandomCrop`: pad (optionally), then crop at a uniformly random position. */
export class RandomCrop extends Transform {
  readonly size: [number, number];
  readonly padding: number | number[] | undefined;
  readonly padIfNeeded: boolean;
  readonly fill: number | number[];
  readonly paddingMode: PaddingMode;

  constructor(options: RandomCropOptions) {
    super();
    const { size, padding, padIfNeeded = false, fill = 0, paddingMode = 'constant' } = options ?? ({} as RandomCropOptions);
    this.size = checkSize('RandomCrop', 'size', size);
    if (padding !== undefined) {
      const sides = paddingSides(padding);
      if (!sides.every((v) => Number.isSafeInteger(v) && v >= 0)) {
        throw new RangeError(`RandomCrop: padding must hold non-negative integers, got ${JSON.stringify(padding)}`);
      }
    }
    this.padding = padding === undefined ? undefined : typeof padding === 'number' ? padding : [...padding];
    this.padIfNeeded = Boolean(padIfNeeded);
    this.fill = checkFill('RandomCrop', 'fill', fill);
    this.paddingMode = checkChoice('RandomCrop', 'paddingMode', paddingMode, PADDING_MODES);
  }

  /** The paddings `[left, top, right, bottom]` an image of `height` x `width` gets (explicit padding, then `padIfNeeded`). */
  paddingFor(height: number, width: number): [number, number, number, number] {
    const [l, t, r, b] = this.padding === undefined ? [0, 0, 0, 0] : paddingSides(this.padding);
    let [left, top, right, bottom] = [l, t, r, b];
    const [ch, cw] = this.size;
    if (this.padIfNeeded && width + l + r < cw) {
      const extra = cw - (width + l + r);
      left += extra;
      right += extra;
    }
    if (this.padIfNeeded && height + t + b < ch) {
      const extra = ch - (height + t + b);
      top += extra;
      bottom += extra;
    }
    return [left, top, right, bottom];
  }

  /** torchvision's `get_params` on the padded size: `top ~ U{0..h-th}`, `left ~ U{0..w-tw}`. */
  sampleParameters(paddedHeight: number, paddedWidth: number, random: RandomSource): { top: number; left: number } {
    const [th, tw] = this.size;
    if (paddedHeight < th || paddedWidth < tw) {
      throw new RangeError(`RandomCrop: crop ${th}x${tw} is larger than the (padded) image ${paddedHeight}x${paddedWidth}; pass padIfNeeded: true or a smaller size`);
    }
    if (paddedHeight === th && paddedWidth === tw) return { top: 0, left: 0 };
    return { top: randomInteger(random, 0, paddedHeight - th + 1), left: randomInteger(random, 0, paddedWidth - tw + 1) };
  }

  override apply(image: AnyImage, random: RandomSource): AnyImage {
    checkImage(image, 'RandomCrop');
    const sides = this.paddingFor(image.height, image.width);
    const padded = sides.some((v) => v > 0) ? pad(image, sides, this.paddingMode, this.fill) : image;
    const { top, left } = this.sampleParameters(padded.height, padded.width, random);
    return crop(padded, top, left, this.size[0], this.size[1]);
  }

  /** Pads and crops every image at its own random position in one gather (see {@link gatherPixels}). */
  override applyBatch(images: tf.Tensor4D, random: RandomSource): tf.Tensor4D {
    const [n, h, w, c] = images.shape;
    const [left, top, right, bottom] = this.paddingFor(h, w);
    const [th, tw] = this.size;
    const rows = Array.from({ length: h + top + bottom }, (_, y) => borderIndex(y - top, h, this.paddingMode));
    const cols = Int32Array.from({ length: w + left + right }, (_, x) => borderIndex(x - left, w, this.paddingMode));
    const sources = new Int32Array(n * th * tw);
    for (let s = 0, k = 0; s < n; s++) {
      const { top: y0, left: x0 } = this.sampleParameters(h + top + bottom, w + left + right, random);
      for (let y = 0; y < th; y++) {
        const sy = rows[y0 + y]!;
        for (let x = 0; x < tw; x++, k++) {
          const sx = cols[x0 + x]!;
          sources[k] = sy < 0 || sx < 0 ? -1 : (s * h + sy) * w + sx;
        }
      }
    }
    return gatherPixels(images, sources, [n, th, tw, c], this.fill);
  }

  override toConfig(): TransformConfig {
    return { name: 'RandomCrop', size: this.size, padding: this.padding, padIfNeeded: this.padIfNeeded, fill: this.fill, paddingMode: this.paddingMode };
  }
}

/** Options of {@link RandomResizedCrop}. */
export interface RandomResizedCropOptions {
  /** Output size, an integer (square) or `[height, width]`, pixels. */
  size: Size;
  /** Range of the crop's area as a fraction of the image's; default `[0.08, 1]`. */
  scale?: [number, number];
  /** Range of the crop's aspect ratio width / height (sampled log-uniformly); default `[3/4, 4/3]`. */
  ratio?: [number, number];
  /** `'bilinear'` (default) or `'nearest'`. */
  interpolation?: Interpolation;
}

/** A crop box: `top`, `left`, `height`, `width`, pixels. */
export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** `transforms.RandomResizedCrop`: a random area and aspect ratio (10 attempts, then torchvision's central fallback), resized to `size`. */
export class RandomResizedCrop extends Transform {
  readonly size: [number, number];
  readonly scale: [number, number];
  readonly ratio: [number, number];
  readonly interpolation: Interpolation;

  constructor(options: RandomResizedCropOptions) {
    super();
    const { size, scale = [0.08, 1], ratio = [3 / 4, 4 / 3], interpolation = 'bilinear' } = options ?? ({} as RandomResizedCropOptions);
    this.size = checkSize('RandomResizedCrop', 'size', size);
    this.scale = checkRange('RandomResizedCrop', 'scale', scale, Number.MIN_VALUE, Infinity);
    this.ratio = checkRange('RandomResizedCrop', 'ratio', ratio, Number.MIN_VALUE, Infinity);
    this.interpolation = checkChoice('RandomResizedCrop', 'interpolation', interpolation, INTERPOLATIONS);
  }

  /** torchvision's `RandomResizedCrop.get_params`. */
  sampleParameters(height: number, width: number, random: RandomSource): CropBox {
    const area = height * width;
    const logRatio = [Math.log(this.ratio[0]), Math.log(this.ratio[1])] as const;
    for (let attempt = 0; attempt < 10; attempt++) {
      const targetArea = area * uniform(random, this.scale[0], this.scale[1]);
      const aspect = Math.exp(uniform(random, logRatio[0], logRatio[1]));
      const w = roundHalfEven(Math.sqrt(targetArea * aspect));
      const h = roundHalfEven(Math.sqrt(targetArea / aspect));
      if (w > 0 && w <= width && h > 0 && h <= height) {
        return { top: randomInteger(random, 0, height - h + 1), left: randomInteger(random, 0, width - w + 1), height: h, width: w };
      }
    }
    const inRatio = width / height;
    let w = width;
    let h = height;
    if (inRatio < Math.min(...this.ratio)) h = roundHalfEven(w / Math.min(...this.ratio));
    else if (inRatio > Math.max(...this.ratio)) w = roundHalfEven(h * Math.max(...this.ratio));
    return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
  }

  override apply(image: AnyImage, random: RandomSource): AnyImage {
    checkImage(image, 'RandomResizedCrop');
    const box = this.sampleParameters(image.height, image.width, random);
    return resize(crop(image, box.top, box.left, box.height, box.width), this.size[0], this.size[1], this.interpolation);
  }

  override toConfig(): TransformConfig {
    return { name: 'RandomResizedCrop', size: this.size, scale: this.scale, ratio: this.ratio, interpolation: this.interpolation };
  }
}

/** Options of the random flips. */
export interface RandomFlipOptions {
  /** Probability of flipping each image; default 0.5. */
  p?: number;
}

abstract class RandomFlip extends Transform {
  readonly p: number;
  protected abstract readonly horizontal: boolean;

  constructor(options: RandomFlipOptions = {}) {
    super();
    this.p = checkProbability('RandomHorizontalFlip/RandomVerticalFlip', 'p', options?.p ?? 0.5);
  }

  /** Whether this image is flipped: `random() < p`, as `torch.rand(1) < p`. */
  sampleParameters(random: RandomSource): boolean {
    return random() < this.p;
  }

  override apply(image: AnyImage, random: RandomSource): AnyImage {
    checkImage(image, this.horizontal ? 'RandomHorizontalFlip' : 'RandomVerticalFlip');
    return this.sampleParameters(random) ? flip(image, this.horizontal) : { ...image, data: image.data.slice() } as AnyImage;
  }

  /** Flips each image of the batch with probability `p`, in one gather (see {@link gatherPixels}). */
  override applyBatch(images: tf.Tensor4D, random: RandomSource): tf.Tensor4D {
    const [n, h, w] = images.shape;
    const mask = Array.from({ length: n }, () => this.sampleParameters(random));
    if (mask.every((m) => !m)) return images.clone();
    const sources = new Int32Array(n * h * w);
    for (let s = 0, k = 0; s < n; s++) {
      for (let y = 0; y < h; y++) {
        const sy = mask[s] && !this.horizontal ? h - 1 - y : y;
        for (let x = 0; x < w; x++, k++) sources[k] = (s * h + sy) * w + (mask[s] && this.horizontal ? w - 1 - x : x);
      }
    }
    return gatherPixels(images, sources, images.shape);
  }

  override toConfig(): TransformConfig {
    return { name: this.horizontal ? 'RandomHorizontalFlip' : 'RandomVerticalFlip', p: this.p };
  }
}

/** `transforms.RandomHorizontalFlip`: mirrors left-right with probability `p`. */
export class RandomHorizontalFlip extends RandomFlip {
  protected readonly horizontal = true;
}

/** `transforms.RandomVerticalFlip`: mirrors top-bottom with probability `p`. */
export class RandomVerticalFlip extends RandomFlip {
  protected readonly horizontal = false;
}
