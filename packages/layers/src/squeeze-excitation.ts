/**
 * Squeeze-and-excitation block (Hu et al. 2018) exactly as seed 001 writes its `SEBlock`: global average pool →
 * `Linear(C, hidden)` with bias → ReLU → `Linear(hidden, C)` with bias → sigmoid → the input scaled per channel by
 * the result. hidden = ⌊C / reduction⌋ (seed 001's second version, `SEBlock(out_channels, reduction)`) or a fixed
 * `hiddenUnits` (its first version uses 1000). NHWC input; the dense weights are initialised as `nn.Linear`.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { FanInUniform, KaimingUniform } from './initializers.js';
import { channelsOf, oneShape, oneTensor, positiveInteger, type Kwargs, type LayerArgs, type Shape } from './layer-utils.js';

/** Options of {@link SqueezeExcitation}: give `reduction` or `hiddenUnits`. */
export interface SqueezeExcitationArgs extends LayerArgs {
  /** Channels C of the input (checked when the layer is built). */
  channels: number;
  /** Reduction ratio r: the hidden layer has ⌊C / r⌋ units. */
  reduction?: number;
  /** Width of the hidden layer, instead of `reduction` (seed 001's first SENet: 1000). */
  hiddenUnits?: number;
  /** Seed of the four weight draws; unseeded when absent. */
  seed?: number;
}

/**
 * Seed 001's `SEBlock` as a layer. Trainable weights, in order: `squeeze_kernel` [C, hidden], `squeeze_bias` [hidden],
 * `excite_kernel` [hidden, C], `excite_bias` [C] (PyTorch's `Linear.weight` transposed).
 */
export class SqueezeExcitation extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'SqueezeExcitation';
  readonly channels: number;
  readonly reduction: number | undefined;
  readonly hiddenUnits: number;
  readonly seed: number | undefined;
  private weightsOf: tfl.LayerVariable[] = [];

  constructor(args: SqueezeExcitationArgs) {
    super(args);
    this.channels = positiveInteger(args?.channels, 'channels', 'SqueezeExcitation');
    if ((args.reduction == null) === (args.hiddenUnits == null)) {
      throw new Error(`SqueezeExcitation: give exactly one of reduction and hiddenUnits, got reduction ${String(args.reduction)} and hiddenUnits ${String(args.hiddenUnits)}`);
    }
    if (args.reduction != null) {
      if (!(args.reduction > 0)) throw new Error(`SqueezeExcitation: reduction must be positive, got ${String(args.reduction)}`);
      this.reduction = args.reduction;
      this.hiddenUnits = Math.floor(this.channels / args.reduction);
      if (this.hiddenUnits < 1) throw new Error(`SqueezeExcitation: ${this.channels} channels / reduction ${args.reduction} leaves no hidden unit`);
    } else {
      this.hiddenUnits = positiveInteger(args.hiddenUnits, 'hiddenUnits', 'SqueezeExcitation');
    }
    this.seed = args.seed;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = oneShape(inputShape, 'SqueezeExcitation');
    if (shape.length !== 4) throw new Error(`SqueezeExcitation: expects NHWC input of rank 4, got shape [${shape.join(', ')}]`);
    const channels = channelsOf(shape, 'SqueezeExcitation');
    if (channels !== this.channels) {
      throw new Error(`SqueezeExcitation: input has ${channels} channels but channels is ${this.channels}; they must be equal`);
    }
    const seed = (k: number): { seed?: number } => (this.seed === undefined ? {} : { seed: this.seed * 4 + k });
    const [c, h] = [this.channels, this.hiddenUnits];
    const kaiming = (k: number): KaimingUniform => new KaimingUniform({ a: Math.sqrt(5), ...seed(k) });
    this.weightsOf = [
      this.addWeight('squeeze_kernel', [c, h], 'float32', kaiming(1)),
      this.addWeight('squeeze_bias', [h], 'float32', new FanInUniform({ fanIn: c, ...seed(2) })),
      this.addWeight('excite_kernel', [h, c], 'float32', kaiming(3)),
      this.addWeight('excite_bias', [c], 'float32', new FanInUniform({ fanIn: h, ...seed(4) })),
    ];
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs, 'SqueezeExcitation');
      const [w1, b1, w2, b2] = this.weightsOf.map((w) => w.read());
      const squeezed = tf.mean(x, [1, 2]) as tf.Tensor2D;
      const hidden = tf.relu(tf.add(tf.matMul(squeezed, w1 as tf.Tensor2D), b1!)) as tf.Tensor2D;
      const scale = tf.sigmoid(tf.add(tf.matMul(hidden, w2 as tf.Tensor2D), b2!));
      return tf.mul(x, tf.reshape(scale, [x.shape[0]!, 1, 1, this.channels]));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { ...super.getConfig(), channels: this.channels };
    if (this.reduction !== undefined) config.reduction = this.reduction;
    else config.hiddenUnits = this.hiddenUnits;
    if (this.seed !== undefined) config.seed = this.seed;
    return config;
  }
}

tf.serialization.registerClass(SqueezeExcitation, 'cnn');
