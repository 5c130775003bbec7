/**
 * ConvNeXt's channels-first LayerNorm (`LayerNorm(dim, eps=1e-6, data_format="channels_first")` in
 * facebookresearch/ConvNeXt) ported to NHWC: each pixel's channel vector is normalised to zero mean and unit (biased)
 * variance, then scaled and shifted by learnable per-channel `gamma` (ones) and `beta` (zeros).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { channelsOf, oneShape, oneTensor, type Kwargs, type LayerArgs, type Shape } from './layer-utils.js';

/** Options of {@link LayerNorm2d}. */
export interface LayerNorm2dArgs extends LayerArgs {
  /** Added to the variance before the square root. Default 1e-6, as ConvNeXt (PyTorch's `nn.LayerNorm` uses 1e-5). */
  epsilon?: number;
}

/** Layer normalisation over the channel (last) axis of each pixel; two trainable weights `gamma`, `beta` of [C]. */
export class LayerNorm2d extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'LayerNorm2d';
  readonly epsilon: number;
  private gamma: tfl.LayerVariable | undefined;
  private beta: tfl.LayerVariable | undefined;

  constructor(args: LayerNorm2dArgs = {}) {
    super(args);
    this.epsilon = args.epsilon ?? 1e-6;
    if (!(this.epsilon > 0)) throw new Error(`LayerNorm2d: epsilon must be positive, got ${String(args.epsilon)}`);
  }

  override build(inputShape: Shape | Shape[]): void {
    const channels = channelsOf(oneShape(inputShape, 'LayerNorm2d'), 'LayerNorm2d');
    this.gamma = this.addWeight('gamma', [channels], 'float32', tfl.initializers.ones());
    this.beta = this.addWeight('beta', [channels], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs, 'LayerNorm2d');
      const { mean, variance } = tf.moments(x, -1, true);
      const normalised = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.epsilon)));
      return tf.add(tf.mul(normalised, this.gamma!.read()), this.beta!.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}

tf.serialization.registerClass(LayerNorm2d, 'cnn');
