/**
 * GELU as PyTorch's `nn.GELU` defines it: exact x · Φ(x) with the error function by default, or the tanh
 * approximation. (tfjs-layers' `activation: 'gelu'` is the exact form too; this layer adds `approximate`.)
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { geluExact } from './gelu-kernel.js';
import { oneTensor, type Kwargs, type LayerArgs, type Shape } from './layer-utils.js';

/** How GELU computes Φ(x): `'none'` with erf (exact), `'tanh'` with the tanh approximation, as `nn.GELU`. */
export type GELUApproximation = 'none' | 'tanh';

/** Options of {@link GELU}. */
export interface GELUArgs extends LayerArgs {
  /** `'none'` (exact, with erf) or `'tanh'`. Default `'none'`, as PyTorch. */
  approximate?: GELUApproximation;
}

/**
 * `torch.nn.functional.gelu`: x · Φ(x) = x/2 · (1 + erf(x/√2)), or with `'tanh'`
 * x/2 · (1 + tanh(√(2/π) · (x + 0.044715 x³))). Differentiable on every backend with an `Erf` kernel (cpu, wasm).
 */
export function gelu(x: tf.Tensor, approximate: GELUApproximation = 'none'): tf.Tensor {
  return tf.tidy(() => {
    if (approximate === 'tanh') {
      const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
      return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
    }
    return geluExact(x); // one fused kernel each way where the backend has one (gelu-kernel.ts)
  });
}

/** `nn.GELU(approximate)` as a layer, element-wise on any input shape. */
export class GELU extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'GELU';
  readonly approximate: GELUApproximation;

  constructor(args: GELUArgs = {}) {
    super(args);
    const approximate = args.approximate ?? 'none';
    if (approximate !== 'none' && approximate !== 'tanh') {
      throw new Error(`GELU: approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
    }
    this.approximate = approximate;
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => gelu(oneTensor(inputs, 'GELU'), this.approximate));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), approximate: this.approximate };
  }
}

tf.serialization.registerClass(GELU, 'cnn');
