/**
 * ConvNeXt's layer scale as seed 003 writes it (`LayerScaler(init_value, dimensions)`): a learnable per-channel
 * scale γ, initialised to `initValue`, multiplied over the channel (last, NHWC) axis.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { channelsOf, oneShape, oneTensor, positiveInteger, type Kwargs, type LayerArgs, type Shape } from './layer-utils.js';

/** Options of {@link LayerScaler}. */
export interface LayerScalerArgs extends LayerArgs {
  /** Initial value of every γ (ConvNeXt and seed 003 use 1e-6). */
  initValue: number;
  /** Number of channels (the input's last axis). */
  dimensions: number;
}

/** y = γ · x with γ of shape `[dimensions]` broadcast over the last axis; one trainable weight, `gamma`. */
export class LayerScaler extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'LayerScaler';
  readonly initValue: number;
  readonly dimensions: number;
  private gamma: tfl.LayerVariable | undefined;

  constructor(args: LayerScalerArgs) {
    super(args);
    if (typeof args?.initValue !== 'number' || !Number.isFinite(args.initValue)) {
      throw new Error(`LayerScaler: initValue must be a finite number, got ${String(args?.initValue)}`);
    }
    this.initValue = args.initValue;
    this.dimensions = positiveInteger(args.dimensions, 'dimensions', 'LayerScaler');
  }

  override build(inputShape: Shape | Shape[]): void {
    const channels = channelsOf(oneShape(inputShape, 'LayerScaler'), 'LayerScaler');
    if (channels !== this.dimensions) {
      throw new Error(`LayerScaler: input has ${channels} channels but dimensions is ${this.dimensions}; they must be equal`);
    }
    this.gamma = this.addWeight('gamma', [this.dimensions], 'float32', tfl.initializers.constant({ value: this.initValue }));
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => tf.mul(oneTensor(inputs, 'LayerScaler'), this.gamma!.read()));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), initValue: this.initValue, dimensions: this.dimensions };
  }
}

tf.serialization.registerClass(LayerScaler, 'cnn');
