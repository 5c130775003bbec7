/** Tensor helpers shared by the batch versions of the transforms (NHWC float32 batches). */
import * as tf from '@tensorflow/tfjs-core';

/** `[N, 1, 1, 1]` float tensor of per-sample values. */
export function perSample(values: readonly number[]): tf.Tensor4D {
  return tf.tensor4d(values as number[], [values.length, 1, 1, 1]);
}

/**
 * One `tf.gather` that builds a batch pixel by pixel from another: `out[k] = pixels[sources[k]]` over the batch
 * flattened to `[N*H*W, C]` pixels, where a source of -1 takes `fill` (one value or one per channel). Flips, crops and
 * paddings of every image, each with its own parameters, become a single backend op.
 */
export function gatherPixels(
  images: tf.Tensor4D,
  sources: Int32Array,
  outShape: [number, number, number, number],
  fill: number | readonly number[] = 0,
): tf.Tensor4D {
  const [n, h, w, c] = images.shape;
  const pixels = n * h * w;
  let needsFill = false;
  for (let i = 0; i < sources.length; i++) {
    if (sources[i]! < 0) {
      sources[i] = pixels;
      needsFill = true;
    }
  }
  return tf.tidy(() => {
    let table: tf.Tensor2D = tf.reshape(images, [pixels, c]);
    if (needsFill) {
      const values = typeof fill === 'number' ? Array(c).fill(fill) : fill.length === 1 ? Array(c).fill(fill[0]) : [...fill];
      table = tf.concat([table, tf.tensor2d(values, [1, c])], 0);
    }
    return tf.reshape(tf.gather(table, tf.tensor1d(sources, 'int32'), 0), outShape) as tf.Tensor4D;
  });
}
