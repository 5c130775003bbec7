/**
 * Group normalisation (Wu and He 2018) as `torch.nn.GroupNorm(num_groups, num_channels, eps, affine=True)` defines
 * it, on channels-last input (NHWC, or any rank >= 2 with channels last): the channels are split into `groups`
 * consecutive groups; each sample's group is normalised over its channels and all spatial positions with the biased
 * variance; then a learnable per-channel `gamma` (ones) and `beta` (zeros) are applied. `groups: 1` is seed 003's
 * `nn.GroupNorm(num_groups=1)` (normalisation over C, H and W together).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ChannelAffineNorm } from './channel-affine-norm.js';
import { positiveInteger, type LayerArgs, type Shape } from './layer-utils.js';

/** Options of {@link GroupNorm}. */
export interface GroupNormArgs extends LayerArgs {
  /** Number of channel groups (PyTorch's `num_groups`); must divide the channel count. */
  groups: number;
  /** Added to the variance before the square root. Default 1e-5, as PyTorch. */
  epsilon?: number;
}

/** `nn.GroupNorm` on channels-last input; two trainable weights `gamma`, `beta` of [C]. */
export class GroupNorm extends ChannelAffineNorm {
  /** @nocollapse */
  static className = 'GroupNorm';
  readonly groups: number;

  constructor(args: GroupNormArgs) {
    super(args ?? ({} as GroupNormArgs), 1e-5, 'GroupNorm');
    this.groups = positiveInteger(args?.groups, 'groups', 'GroupNorm');
  }

  protected override checkInputShape(shape: Shape, channels: number): void {
    if (shape.length < 2) throw new Error(`GroupNorm: expects input of rank >= 2 (batch, ..., channels), got [${shape.join(', ')}]`);
    if (channels % this.groups !== 0) {
      throw new Error(`GroupNorm: ${channels} channels cannot be split into ${this.groups} groups; groups must divide the channel count`);
    }
  }

  protected normalise(x: tf.Tensor): tf.Tensor {
    const channels = x.shape[x.rank - 1]!;
    // [N, ...spatial, G, C/G]: reduce over the spatial axes and the channels within a group
    const grouped = tf.reshape(x, [...x.shape.slice(0, -1), this.groups, channels / this.groups]);
    const axes = [...Array.from({ length: x.rank - 2 }, (_, i) => i + 1), x.rank];
    const { mean, variance } = tf.moments(grouped, axes, true);
    return tf.reshape(tf.div(tf.sub(grouped, mean), tf.sqrt(tf.add(variance, this.epsilon))), x.shape);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groups: this.groups };
  }
}

tf.serialization.registerClass(GroupNorm, 'cnn');
