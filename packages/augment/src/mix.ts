/**
 * Mixup (Zhang et al. 2018) and CutMix (Yun et al. 2019) on batches, as torchvision v2's `MixUp` / `CutMix`: each
 * image is mixed with the one before it in the batch (image i with image i − 1, image 0 with the last: `roll(1, 0)`), with `λ ~ Beta(alpha, alpha)`, and the labels become
 * the same mixture of one-hot vectors.
 */
import type { RandomSource } from '@cnn/data';
import * as tf from '@tensorflow/tfjs-core';
import { checkInteger, checkNumber } from './options.js';
import { randomInteger, sampleBeta } from './sampling.js';

/** Options of {@link mixup} and {@link cutmix}. */
export interface MixOptions {
  /** Beta distribution parameter, > 0; default 1 (λ uniform). */
  alpha?: number;
  /** Number of classes, needed when `labels` are integer class indices (rank 1); ignored for one-hot labels. */
  numClasses?: number;
}

/** A mixed batch. The caller owns (and disposes) both tensors. */
export interface MixedBatch {
  /** The mixed images, same shape as the input. */
  images: tf.Tensor4D;
  /** Soft labels `[N, numClasses]`, float32, each row summing to 1. */
  labels: tf.Tensor2D;
  /** The weight of each image's own label (for cutmix, adjusted to the pasted box's area). */
  lambda: number;
  /** CutMix only: the pasted box `[x1, y1, x2, y2)` in pixels. */
  box?: [number, number, number, number];
}

function oneHot(labels: tf.Tensor, numClasses: number | undefined, who: string): tf.Tensor2D {
  if (labels.rank === 2) return tf.cast(labels, 'float32') as tf.Tensor2D;
  if (labels.rank !== 1) throw new RangeError(`${who}: labels must be rank 1 (class indices) or rank 2 (one-hot), got shape [${labels.shape.join(', ')}]`);
  if (numClasses === undefined) throw new RangeError(`${who}: integer labels need numClasses`);
  checkInteger(who, 'numClasses', numClasses, 1);
  return tf.cast(tf.oneHot(tf.cast(labels, 'int32') as tf.Tensor1D, numClasses), 'float32') as tf.Tensor2D;
}

function check(images: tf.Tensor4D, labels: tf.Tensor, who: string): void {
  if (images.rank !== 4) throw new RangeError(`${who}: images must be NHWC rank 4, got shape [${images.shape.join(', ')}]`);
  if (labels.shape[0] !== images.shape[0]) {
    throw new RangeError(`${who}: ${images.shape[0]} images but ${labels.shape[0]} labels`);
  }
}

function roll(t: tf.Tensor): tf.Tensor {
  const n = t.shape[0]!;
  if (n === 1) return t.clone();
  return tf.concat([tf.slice(t, [n - 1], [1]), tf.slice(t, [0], [n - 1])], 0);
}

/** Mixup: `λ x + (1 - λ) roll(x)`, `λ y + (1 - λ) roll(y)`, with `λ ~ Beta(alpha, alpha)` drawn from `random`. */
export function mixup(images: tf.Tensor4D, labels: tf.Tensor, random: RandomSource, options: MixOptions = {}): MixedBatch {
  check(images, labels, 'mixup');
  const alpha = checkNumber('mixup', 'alpha', options.alpha ?? 1, Number.MIN_VALUE);
  const lambda = sampleBeta(random, alpha, alpha);
  return tf.tidy(() => {
    const y = oneHot(labels, options.numClasses, 'mixup');
    const mixedImages = tf.add(tf.mul(images, lambda), tf.mul(roll(images), 1 - lambda)) as tf.Tensor4D;
    const mixedLabels = tf.add(tf.mul(y, lambda), tf.mul(roll(y), 1 - lambda)) as tf.Tensor2D;
    return { images: mixedImages, labels: mixedLabels, lambda };
  });
}

/**
 * CutMix as torchvision v2: `λ ~ Beta(alpha, alpha)`, a box centred at a uniform pixel `(rx, ry)` with half-sides
 * `int(0.5 sqrt(1 - λ) W)` and `int(0.5 sqrt(1 - λ) H)`, clipped to the image; the box's pixels come from the previous image (i − 1)
 * (`roll(1, 0)`), and `λ` becomes `1 - box area / image area`, so label weights equal pixel shares.
 */
export function cutmix(images: tf.Tensor4D, labels: tf.Tensor, random: RandomSource, options: MixOptions = {}): MixedBatch {
  check(images, labels, 'cutmix');
  const alpha = checkNumber('cutmix', 'alpha', options.alpha ?? 1, Number.MIN_VALUE);
  const [, height, width] = images.shape;
  const lambdaDrawn = sampleBeta(random, alpha, alpha);
  const rx = randomInteger(random, 0, width);
  const ry = randomInteger(random, 0, height);
  const r = 0.5 * Math.sqrt(1 - lambdaDrawn);
  const halfW = Math.trunc(r * width);
  const halfH = Math.trunc(r * height);
  const x1 = Math.max(rx - halfW, 0);
  const y1 = Math.max(ry - halfH, 0);
  const x2 = Math.min(rx + halfW, width);
  const y2 = Math.min(ry + halfH, height);
  const lambda = 1 - ((x2 - x1) * (y2 - y1)) / (width * height);
  return tf.tidy(() => {
    const y = oneHot(labels, options.numClasses, 'cutmix');
    const mask = new Float32Array(height * width);
    for (let yy = y1; yy < y2; yy++) mask.fill(1, yy * width + x1, yy * width + x2);
    const m = tf.tensor4d(mask, [1, height, width, 1]);
    const mixedImages = tf.add(tf.mul(images, tf.sub(1, m)), tf.mul(roll(images), m)) as tf.Tensor4D;
    const mixedLabels = tf.add(tf.mul(y, lambda), tf.mul(roll(y), 1 - lambda)) as tf.Tensor2D;
    return { images: mixedImages, labels: mixedLabels, lambda, box: [x1, y1, x2, y2] as [number, number, number, number] };
  });
}
