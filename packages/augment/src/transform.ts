/**
 * Batch transforms: functions from an NHWC float32 image batch to another. Deterministic transforms (scaling,
 * normalisation) have no random parameters; random ones (later) split "sample parameters" from "apply", seeded.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32 } from '@cnn/data/browser';

/** A transform of an NHWC image batch. It must not dispose its input; callers run it inside `tf.tidy`. */
export type BatchTransform = (images: tf.Tensor4D) => tf.Tensor4D;

/** Applies `transforms` left to right, like `torchvision.transforms.Compose`. */
export function compose(transforms: readonly BatchTransform[]): BatchTransform {
  if (!Array.isArray(transforms) || transforms.some((t) => typeof t !== 'function')) {
    throw new Error('compose: expected an array of transform functions');
  }
  return (images) => transforms.reduce((x, t) => t(x), images);
}

/**
 * Scales raw pixel values 0..255 to 0..1, as `torchvision.transforms.ToTensor` does for 8-bit images
 * (the layout stays channels last).
 */
export function toUnitRange(): BatchTransform {
  return (images) => tf.mul(images, 1 / 255);
}

/** Options of {@link normalize}. */
export interface NormalizeOptions {
  /** Per-channel means, in the units of the input (0..1 after {@link toUnitRange}). One value per channel. */
  mean: readonly number[];
  /** Per-channel standard deviations, same units and length; each > 0. */
  std: readonly number[];
}

/** `(x - mean) / std` per channel, as `torchvision.transforms.Normalize`. */
export function normalize(options: NormalizeOptions): BatchTransform {
  const { mean, std } = options ?? ({} as NormalizeOptions);
  if (!Array.isArray(mean) || !Array.isArray(std) || mean.length === 0 || mean.length !== std.length) {
    throw new Error(
      `normalize: mean and std must be non-empty arrays of equal length (one value per channel), got mean=${JSON.stringify(mean)} std=${JSON.stringify(std)}`,
    );
  }
  if (!mean.every(Number.isFinite)) throw new Error(`normalize: mean must be finite numbers, got ${JSON.stringify(mean)}`);
  if (!std.every((s) => Number.isFinite(s) && s > 0)) {
    throw new Error(`normalize: std must be finite numbers > 0, got ${JSON.stringify(std)}`);
  }
  const channels = mean.length;
  return (images) => {
    const actual = images.shape[3];
    if (actual !== channels) {
      throw new Error(`normalize: configured for ${channels} channel(s) but the batch has ${actual} (shape [${images.shape.join(', ')}])`);
    }
    return tf.tidy(() => tf.div(tf.sub(images, tf.tensor1d(mean as number[])), tf.tensor1d(std as number[])));
  };
}

/** Anything with a batch version: the transforms of this package that have `applyBatch`. */
export interface HasBatchVersion {
  applyBatch?(images: tf.Tensor4D, random: () => number): tf.Tensor4D;
  toConfig(): { name: string };
}

/**
 * A {@link BatchTransform} (e.g. for `DataLoader`'s `transform` option) from a transform's batch version, drawing
 * from one seeded generator (`mulberry32(seed)`) that runs on from batch to batch, so a run repeats exactly when
 * batches are transformed in the same order.
 */
export function toBatchTransform(transform: HasBatchVersion, seed = 0): BatchTransform {
  if (typeof transform?.applyBatch !== 'function') {
    throw new Error(`toBatchTransform: ${transform?.toConfig?.().name ?? String(transform)} has no batch version; apply it per image`);
  }
  const random = mulberry32(seed);
  return (images) => transform.applyBatch!(images, random);
}
