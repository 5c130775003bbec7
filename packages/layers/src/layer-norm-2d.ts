/**
 * ConvNeXt's channels-first LayerNorm (`LayerNorm(dim, eps=1e-6, data_format="channels_first")` in
 * facebookresearch/ConvNeXt) ported to NHWC: each pixel's channel vector is normalised to zero mean and unit (biased)
 * variance, then scaled and shifted by learnable per-channel `gamma` (ones) and `beta` (zeros).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ChannelAffineNorm } from './channel-affine-norm.js';
import type { LayerArgs } from './layer-utils.js';

/** Options of {@link LayerNorm2d}. */
export interface LayerNorm2dArgs extends LayerArgs {
  /** Added to the variance before the square root. Default 1e-6, as ConvNeXt (PyTorch's `nn.LayerNorm` uses 1e-5). */
  epsilon?: number;
}

/** Layer normalisation over the channel (last) axis of each pixel; two trainable weights `gamma`, `beta` of [C]. */
export class LayerNorm2d extends ChannelAffineNorm {
  /** @nocollapse */
  static className = 'LayerNorm2d';

  constructor(args: LayerNorm2dArgs = {}) {
    super(args, 1e-6, 'LayerNorm2d');
  }

  protected normalise(x: tf.Tensor): tf.Tensor {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.epsilon)));
  }
}

tf.serialization.registerClass(LayerNorm2d, 'cnn');
