/**
 * The shared shape of this package's normalisation layers: normalise (subclass), then scale and shift by learnable
 * per-channel `gamma` (ones) and `beta` (zeros) on the channel (last) axis. Internal: not exported from the package.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { channelsOf, oneShape, oneTensor, type Kwargs, type LayerArgs, type Shape } from './layer-utils.js';

/** Base of `LayerNorm2d` and `GroupNorm`: two trainable weights `gamma`, `beta` of [C] and an `epsilon`. */
export abstract class ChannelAffineNorm extends tfl.layers.Layer {
  readonly epsilon: number;
  private gamma: tfl.LayerVariable | undefined;
  private beta: tfl.LayerVariable | undefined;

  constructor(args: LayerArgs & { epsilon?: number }, defaultEpsilon: number, where: string) {
    super(args);
    this.epsilon = args.epsilon ?? defaultEpsilon;
    if (!(this.epsilon > 0)) throw new Error(`${where}: epsilon must be positive, got ${String(args.epsilon)}`);
  }

  /** Refuses input shapes the normalisation cannot handle; called by `build` with the known channel count. */
  protected checkInputShape(_shape: Shape, _channels: number): void {}

  /** The normalised input, before `gamma` and `beta`; runs inside `tf.tidy`. */
  protected abstract normalise(x: tf.Tensor): tf.Tensor;

  override build(inputShape: Shape | Shape[]): void {
    const shape = oneShape(inputShape, this.getClassName());
    const channels = channelsOf(shape, this.getClassName());
    this.checkInputShape(shape, channels);
    this.gamma = this.addWeight('gamma', [channels], 'float32', tfl.initializers.ones());
    this.beta = this.addWeight('beta', [channels], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const normalised = this.normalise(oneTensor(inputs, this.getClassName()));
      return tf.add(tf.mul(normalised, this.gamma!.read()), this.beta!.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}
