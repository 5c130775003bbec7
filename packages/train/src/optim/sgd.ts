/** Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay, as `torch.optim.SGD`. */
import * as tf from '@tensorflow/tfjs-core';
import { checkNumber, TorchOptimizer, type GroupSettings, type ParameterState, type TorchOptimizerOptions } from './torch-optimizer.js';

/** Options of {@link SGD}, with `torch.optim.SGD`'s names and defaults. */
export interface SGDOptions extends TorchOptimizerOptions {
  /** Momentum factor, ≥ 0; default 0 (plain SGD). */
  momentum?: number;
  /** Dampening for momentum, ≥ 0; default 0. Not applied on a buffer's first step (as PyTorch). */
  dampening?: number;
  /** Nesterov momentum; default false. Needs momentum > 0 and dampening 0. */
  nesterov?: boolean;
  /** L2 penalty added to the gradient (g + weightDecay·w), ≥ 0; default 0. */
  weightDecay?: number;
}

/**
 * `torch.optim.SGD`: g ← g + λw; with momentum μ, b ← g on the first step, then b ← μb + (1 − dampening)g; the step
 * uses g + μb (Nesterov) or b; w ← w − lr·step.
 */
export class SGD extends TorchOptimizer {
  /** tfjs serialisation name. */
  static readonly className = 'TorchSGD';
  private readonly momentum: number;
  private readonly dampening: number;
  private readonly nesterov: boolean;

  /** @param options See {@link SGDOptions}; `lr` is required. */
  constructor(options: SGDOptions) {
    super(options, 0, 'SGD');
    this.momentum = checkNumber(options.momentum ?? 0, 'momentum', 'SGD');
    this.dampening = checkNumber(options.dampening ?? 0, 'dampening', 'SGD');
    this.nesterov = options.nesterov ?? false;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new Error(`SGD: nesterov needs momentum > 0 and dampening 0, got momentum ${this.momentum}, dampening ${this.dampening}`);
    }
  }

  protected update(param: tf.Variable, grad: tf.Tensor, state: ParameterState, group: GroupSettings): void {
    let g = group.weightDecay !== 0 ? tf.add(grad, tf.mul(param, group.weightDecay)) : grad;
    if (this.momentum !== 0) {
      const previous = state.buffers.get('momentum_buffer');
      const buffer =
        previous === undefined ? g : tf.add(tf.mul(previous, this.momentum), this.dampening === 0 ? g : tf.mul(g, 1 - this.dampening));
      this.setBuffer(state, 'momentum_buffer', buffer);
      g = this.nesterov ? tf.add(g, tf.mul(buffer, this.momentum)) : buffer;
    }
    param.assign(tf.sub(param, tf.mul(g, group.lr)));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov };
  }
}
