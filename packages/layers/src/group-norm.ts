/**
 * Group normalisation (Wu and He 2018) as `torch.nn.GroupNorm(num_groups, num_channels, eps, affine=True)` defines
 * it, on channels-last input (NHWC, or any rank >= 2 with channels last): the channels are split into `groups`
 * consecutive groups; each sample's group is normalised over its channels and all spatial positions with the biased
 * variance; then a learnable per-channel `gamma` (ones) and `beta` (zeros) are applied. `groups: 1` is seed 003's
 * `nn.GroupNorm(num_groups=1)` (normalisation over C, H and W together).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { channelsOf, oneShape, oneTensor, positiveInteger, type Kwargs, type LayerArgs, type Shape } from './layer-utils.js';

/** Options of {@link GroupNorm}. */
export interface GroupNormArgs extends LayerArgs {
  /** Number of channel groups (PyTorch's `num_groups`); must divide the channel count. */
  groups: number;
  /** Added to the variance before the square root. Default 1e-5, as PyTorch. */
  epsilon?: number;
}

/** `nn.GroupNorm` on channels-last input; two trainable weights `gamma`, `beta` of [C]. */
export class GroupNorm extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'GroupNorm';
  readonly groups: number;
  readonly epsilon: number;
  private gamma: tfl.LayerVariable | undefined;
  private beta: tfl.LayerVariable | undefined;

  constructor(args: GroupNormArgs) {
    super(args);
    this.groups = positiveInteger(args?.groups, 'groups', 'GroupNorm');
    this.epsilon = args.epsilon ?? 1e-5;
    if (!(this.epsilon > 0)) throw new Error(`GroupNorm: epsilon must be positive, got ${String(args.epsilon)}`);
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = oneShape(inputShape, 'GroupNorm');
    const channels = channelsOf(shape, 'GroupNorm');
    if (shape.length < 2) throw new Error(`GroupNorm: expects input of rank >= 2 (batch, ..., channels), got [${shape.join(', ')}]`);
    if (channels % this.groups !== 0) {
      throw new Error(`GroupNorm: ${channels} channels cannot be split into ${this.groups} groups; groups must divide the channel count`);
    }
    this.gamma = this.addWeight('gamma', [channels], 'float32', tfl.initializers.ones());
    this.beta = this.addWeight('beta', [channels], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs, 'GroupNorm');
      const channels = x.shape[x.rank - 1]!;
      // [N, ...spatial, G, C/G]: reduce over the spatial axes and the channels within a group
      const grouped = tf.reshape(x, [...x.shape.slice(0, -1), this.groups, channels / this.groups]);
      const axes = [...Array.from({ length: x.rank - 2 }, (_, i) => i + 1), x.rank];
      const { mean, variance } = tf.moments(grouped, axes, true);
      const normalised = tf.reshape(tf.div(tf.sub(grouped, mean), tf.sqrt(tf.add(variance, this.epsilon))), x.shape);
      return tf.add(tf.mul(normalised, this.gamma!.read()), this.beta!.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groups: this.groups, epsilon: this.epsilon };
  }
}

tf.serialization.registerClass(GroupNorm, 'cnn');
