/** Gradient clipping by total norm, as `torch.nn.utils.clip_grad_norm_`. */
import * as tf from '@tensorflow/tfjs-core';

/** The norm's order: a positive number (2 is Euclidean) or `Infinity` (largest absolute value). */
export type NormType = number;

/** Checks `maxNorm` and `normType`; throws with the bad value. */
export function checkClipOptions(maxNorm: number, normType: NormType, where: string): void {
  if (typeof maxNorm !== 'number' || !(maxNorm > 0) || !Number.isFinite(maxNorm)) {
    throw new Error(`${where}: maxNorm must be a finite number > 0, got ${String(maxNorm)}`);
  }
  if (typeof normType !== 'number' || !(normType > 0)) {
    throw new Error(`${where}: normType must be a number > 0 or Infinity, got ${String(normType)}`);
  }
}

function vectorNorm(x: tf.Tensor, normType: NormType): tf.Scalar {
  if (normType === Number.POSITIVE_INFINITY) return tf.max(tf.abs(x));
  if (normType === 2) return tf.sqrt(tf.sum(tf.square(x))) as tf.Scalar;
  if (normType === 1) return tf.sum(tf.abs(x));
  return tf.pow(tf.sum(tf.pow(tf.abs(x), normType)), 1 / normType) as tf.Scalar;
}

/**
 * Clips tensors in a tidy scope: returns the scaled tensors and the total norm as tensors (no download). The caller
 * owns the results. Torch's rule: total = ‖(‖g₁‖, …, ‖gₙ‖)‖, every g is multiplied by min(1, maxNorm / (total + 1e-6)).
 */
export function clipTensors(grads: readonly tf.Tensor[], maxNorm: number, normType: NormType): { grads: tf.Tensor[]; totalNorm: tf.Scalar } {
  return tf.tidy(() => {
    if (grads.length === 0) return { grads: [], totalNorm: tf.scalar(0) };
    const norms = tf.stack(grads.map((g) => vectorNorm(g, normType)));
    const totalNorm = vectorNorm(norms, normType);
    const coefficient = tf.minimum(tf.div(maxNorm, tf.add(totalNorm, 1e-6)), 1);
    return { grads: grads.map((g) => tf.mul(g, coefficient)), totalNorm };
  });
}

/**
 * Scales gradients so that their total norm is at most `maxNorm`, as `torch.nn.utils.clip_grad_norm_(params, maxNorm,
 * normType)`: the norm is taken over all gradients together, and all are scaled by the same factor
 * min(1, maxNorm / (totalNorm + 1e-6)). tfjs tensors are immutable, so new tensors are returned (the caller disposes
 * them; the inputs are untouched), in the same container as given (array or name → tensor map).
 *
 * @param maxNorm Largest allowed total norm, > 0.
 * @param normType Order of the norm: 2 (default), 1, any p > 0, or `Infinity`.
 * @returns The clipped gradients and the total norm before clipping (downloaded, as torch returns it).
 */
export function clipGradNorm<T extends tf.Tensor[] | tf.NamedTensorMap>(
  grads: T,
  maxNorm: number,
  normType: NormType = 2,
): { grads: T; totalNorm: number } {
  checkClipOptions(maxNorm, normType, 'clipGradNorm');
  const names = Array.isArray(grads) ? undefined : Object.keys(grads);
  const list = Array.isArray(grads) ? grads : names!.map((n) => (grads as tf.NamedTensorMap)[n]!);
  const clipped = clipTensors(list, maxNorm, normType);
  const totalNorm = clipped.totalNorm.dataSync()[0]!;
  clipped.totalNorm.dispose();
  if (names === undefined) return { grads: clipped.grads as T, totalNorm };
  const map: tf.NamedTensorMap = {};
  names.forEach((n, i) => {
    map[n] = clipped.grads[i]!;
  });
  return { grads: map as T, totalNorm };
}
