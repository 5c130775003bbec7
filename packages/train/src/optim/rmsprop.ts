/** RMSprop with momentum, centring and L2 weight decay, as `torch.optim.RMSprop`. */
import * as tf from '@tensorflow/tfjs-core';
import { checkNumber, TorchOptimizer, type GroupSettings, type ParameterState, type TorchOptimizerOptions } from './torch-optimizer.js';

/** Options of {@link RMSprop}, with `torch.optim.RMSprop`'s names and defaults. */
export interface RMSpropOptions extends Partial<TorchOptimizerOptions> {
  /** Learning rate; default 1e-2. */
  lr?: number;
  /** Smoothing constant of the squared-gradient average, in [0, 1]; default 0.99. */
  alpha?: number;
  /** Added to the root of the average; default 1e-8. */
  eps?: number;
  /** Momentum factor, ≥ 0; default 0. */
  momentum?: number;
  /** Divide by the estimated variance (subtract the squared mean gradient) instead of the raw second moment; default false. */
  centered?: boolean;
  /** L2 penalty added to the gradient, ≥ 0; default 0. */
  weightDecay?: number;
}

/**
 * `torch.optim.RMSprop`: g ← g + λw; s ← αs + (1 − α)g²; centred: ḡ ← ḡ + (1 − α)(g − ḡ), avg = √(s − ḡ²) + eps,
 * else avg = √s + eps; with momentum μ: b ← μb + g/avg, w ← w − lr·b; otherwise w ← w − lr·g/avg.
 */
export class RMSprop extends TorchOptimizer {
  /** tfjs serialisation name. */
  static readonly className = 'TorchRMSprop';
  private readonly alpha: number;
  private readonly eps: number;
  private readonly momentum: number;
  private readonly centered: boolean;

  /** @param options See {@link RMSpropOptions}; all optional. */
  constructor(options: RMSpropOptions = {}) {
    super({ ...options, lr: options.lr ?? 1e-2 }, 0, 'RMSprop');
    this.alpha = checkNumber(options.alpha ?? 0.99, 'alpha', 'RMSprop');
    if (this.alpha > 1) throw new Error(`RMSprop: alpha must be in [0, 1], got ${this.alpha}`);
    this.eps = checkNumber(options.eps ?? 1e-8, 'eps', 'RMSprop');
    this.momentum = checkNumber(options.momentum ?? 0, 'momentum', 'RMSprop');
    this.centered = options.centered ?? false;
  }

  protected update(param: tf.Variable, grad: tf.Tensor, state: ParameterState, group: GroupSettings): void {
    const g = group.weightDecay !== 0 ? tf.add(grad, tf.mul(param, group.weightDecay)) : grad;
    const squareAvg = this.bufferOrZeros(state, 'square_avg', param);
    squareAvg.assign(tf.add(tf.mul(squareAvg, this.alpha), tf.mul(tf.square(g), 1 - this.alpha)));
    let avg: tf.Tensor;
    if (this.centered) {
      const gradAvg = this.bufferOrZeros(state, 'grad_avg', param);
      gradAvg.assign(tf.add(gradAvg, tf.mul(tf.sub(g, gradAvg), 1 - this.alpha)));
      avg = tf.sqrt(tf.sub(squareAvg, tf.square(gradAvg)));
    } else {
      avg = tf.sqrt(squareAvg);
    }
    avg = tf.add(avg, this.eps);
    if (this.momentum > 0) {
      const buffer = this.bufferOrZeros(state, 'momentum_buffer', param);
      buffer.assign(tf.add(tf.mul(buffer, this.momentum), tf.div(g, avg)));
      param.assign(tf.sub(param, tf.mul(buffer, group.lr)));
    } else {
      param.assign(tf.sub(param, tf.mul(tf.div(g, avg), group.lr)));
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), alpha: this.alpha, eps: this.eps, momentum: this.momentum, centered: this.centered };
  }
}
