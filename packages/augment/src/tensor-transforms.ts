/** `ToTensor` and `Normalize` as per-image transforms (floats, channels last) with batch versions. */
import type { AnyImage, FloatImage, RandomSource } from '@cnn/data';
import type * as tf from '@tensorflow/tfjs-core';
import { checkImage, isFloatImage } from './image.js';
import { normalize as normalizeBatch, toUnitRange, type BatchTransform } from './transform.js';
import { Transform, type TransformConfig } from './transform-base.js';

/**
 * `transforms.ToTensor`: bytes 0..255 → floats 0..1 (`/ 255`, float32), keeping the channels-last layout. A float
 * image passes through unchanged (copied), as torchvision leaves float arrays unscaled.
 */
export class ToTensor extends Transform {
  readonly #batch = toUnitRange();

  override apply(image: AnyImage, _random?: RandomSource): FloatImage {
    checkImage(image, 'ToTensor');
    if (isFloatImage(image)) return { ...image, data: image.data.slice() };
    const data = new Float32Array(image.data.length);
    for (let i = 0; i < data.length; i++) data[i] = (image.data[i] as number) / 255;
    return { data, height: image.height, width: image.width, channels: image.channels };
  }

  /** Multiplies the batch by 1/255. */
  override applyBatch(images: tf.Tensor4D): tf.Tensor4D {
    return this.#batch(images);
  }

  override toConfig(): TransformConfig {
    return { name: 'ToTensor' };
  }
}

/** Options of {@link Normalize}. */
export interface NormalizeTransformOptions {
  /** Per-channel means in the units of the input (0..1 after {@link ToTensor}); one per channel. */
  mean: number[];
  /** Per-channel standard deviations, same units and length, each > 0. */
  std: number[];
}

/** `transforms.Normalize`: `(x - mean) / std` per channel on a float image (apply {@link ToTensor} first). */
export class Normalize extends Transform {
  readonly mean: number[];
  readonly std: number[];
  readonly #batch: BatchTransform;

  constructor(options: NormalizeTransformOptions) {
    super();
    this.#batch = normalizeBatch(options); // validates
    this.mean = [...options.mean];
    this.std = [...options.std];
  }

  override apply(image: AnyImage, _random?: RandomSource): FloatImage {
    checkImage(image, 'Normalize');
    if (!isFloatImage(image)) {
      throw new TypeError('Normalize: expected a float image; put ToTensor before Normalize (torchvision normalizes tensors, not bytes)');
    }
    const { channels, data } = image;
    if (channels !== this.mean.length) {
      throw new RangeError(`Normalize: configured for ${this.mean.length} channel(s) but the image has ${channels}`);
    }
    const mean = Float32Array.from(this.mean);
    const std = Float32Array.from(this.std);
    const out = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = Math.fround((data[i] as number) - mean[i % channels]!) / std[i % channels]!; // float32 steps, as torch
    return { data: out, height: image.height, width: image.width, channels };
  }

  /** `(x - mean) / std` on the batch. */
  override applyBatch(images: tf.Tensor4D): tf.Tensor4D {
    return this.#batch(images);
  }

  override toConfig(): TransformConfig {
    return { name: 'Normalize', mean: this.mean, std: this.std };
  }
}
