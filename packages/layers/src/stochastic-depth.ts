/**
 * Stochastic depth / drop path (Huang et al. 2016) as `torchvision.ops.StochasticDepth(p, mode)` defines it: in
 * training, each sample (`'row'`) or the whole batch (`'batch'`) is zeroed with probability `p` and the rest scaled by
 * 1 / (1 − p); at inference the layer is the identity. Applied to a residual branch before the addition.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { oneTensor, type Kwargs, type LayerArgs, type Shape } from './layer-utils.js';

/** What one draw drops: one sample (`'row'`) or the whole batch (`'batch'`), as torchvision's modes. */
export type StochasticDepthMode = 'row' | 'batch';

/** Options of {@link StochasticDepth}. */
export interface StochasticDepthArgs extends LayerArgs {
  /** Probability of zeroing the input, in [0, 1]. */
  p: number;
  /** `'row'`: one draw per sample; `'batch'`: one draw for the whole batch (seed 003's ConvNeXt uses `'batch'`). */
  mode: StochasticDepthMode;
}

/** `torchvision.ops.stochastic_depth(x, p, mode, training)`; `x` has the batch on axis 0. */
export function stochasticDepth(x: tf.Tensor, p: number, mode: StochasticDepthMode, training: boolean): tf.Tensor {
  if (!training || p === 0) return tf.clone(x);
  return tf.tidy(() => {
    const survival = 1 - p;
    const shape = mode === 'row' ? [x.shape[0]!, ...new Array<number>(x.rank - 1).fill(1)] : new Array<number>(x.rank).fill(1);
    const keep = tf.cast(tf.less(tf.randomUniform(shape), survival), x.dtype);
    return tf.mul(x, survival > 0 ? tf.div(keep, survival) : keep);
  });
}

/** {@link stochasticDepth} as a layer: identity at inference, drop path in training. */
export class StochasticDepth extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'StochasticDepth';
  readonly p: number;
  readonly mode: StochasticDepthMode;

  constructor(args: StochasticDepthArgs) {
    super(args);
    if (typeof args?.p !== 'number' || !(args.p >= 0 && args.p <= 1)) {
      throw new Error(`StochasticDepth: drop probability p must be in [0, 1], got ${String(args?.p)}`);
    }
    if (args.mode !== 'row' && args.mode !== 'batch') {
      throw new Error(`StochasticDepth: mode must be 'row' or 'batch', got '${String(args.mode)}'`);
    }
    this.p = args.p;
    this.mode = args.mode;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => stochasticDepth(oneTensor(inputs, 'StochasticDepth'), this.p, this.mode, kwargs['training'] === true));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), p: this.p, mode: this.mode };
  }
}

tf.serialization.registerClass(StochasticDepth, 'cnn');
