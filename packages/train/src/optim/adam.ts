/** Adam (L2 weight decay) and AdamW (decoupled weight decay), as `torch.optim.Adam` and `torch.optim.AdamW`. */
import * as tf from '@tensorflow/tfjs-core';
import { checkNumber, TorchOptimizer, type GroupSettings, type ParameterState, type TorchOptimizerOptions } from './torch-optimizer.js';

/** Options of {@link Adam} and {@link AdamW}, with PyTorch's names and defaults. */
export interface AdamOptions extends Partial<TorchOptimizerOptions> {
  /** Learning rate; default 1e-3. */
  lr?: number;
  /** Decay rates of the first and second moment estimates, each in [0, 1); default [0.9, 0.999]. */
  betas?: readonly [number, number];
  /** Added to the bias-corrected √v (PyTorch's placement, not tfjs's); default 1e-8. */
  eps?: number;
  /** Weight decay: Adam adds λw to the gradient (default 0); AdamW multiplies w by 1 − lr·λ first (default 1e-2). */
  weightDecay?: number;
  /** Use the running maximum of v (AMSGrad); default false. */
  amsgrad?: boolean;
}

function checkBetas(betas: unknown, where: string): [number, number] {
  const ok = Array.isArray(betas) && betas.length === 2 && betas.every((b) => typeof b === 'number' && b >= 0 && b < 1);
  if (!ok) throw new Error(`${where}: betas must be two numbers in [0, 1), got ${JSON.stringify(betas)}`);
  return [betas[0] as number, betas[1] as number];
}

/** The shared Adam update; `decoupled` chooses AdamW's weight decay. */
abstract class AdamBase extends TorchOptimizer {
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly amsgrad: boolean;

  protected constructor(options: AdamOptions, defaultWeightDecay: number, private readonly decoupled: boolean, where: string) {
    super({ ...options, lr: options.lr ?? 1e-3 }, defaultWeightDecay, where);
    [this.beta1, this.beta2] = checkBetas(options.betas ?? [0.9, 0.999], where);
    this.eps = checkNumber(options.eps ?? 1e-8, 'eps', where);
    this.amsgrad = options.amsgrad ?? false;
  }

  protected update(param: tf.Variable, grad: tf.Tensor, state: ParameterState, group: GroupSettings): void {
    let g = grad;
    if (group.weightDecay !== 0) {
      if (this.decoupled) param.assign(tf.mul(param, 1 - group.lr * group.weightDecay));
      else g = tf.add(g, tf.mul(param, group.weightDecay));
    }
    const expAvg = this.bufferOrZeros(state, 'exp_avg', param);
    const expAvgSq = this.bufferOrZeros(state, 'exp_avg_sq', param);
    // exp_avg.lerp_(g, 1 − β₁); exp_avg_sq.mul_(β₂).addcmul_(g, g, 1 − β₂)
    expAvg.assign(tf.add(expAvg, tf.mul(tf.sub(g, expAvg), 1 - this.beta1)));
    expAvgSq.assign(tf.add(tf.mul(expAvgSq, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
    const biasCorrection1 = 1 - this.beta1 ** state.step;
    const biasCorrection2Sqrt = Math.sqrt(1 - this.beta2 ** state.step);
    const stepSize = group.lr / biasCorrection1;
    let second: tf.Tensor = expAvgSq;
    if (this.amsgrad) {
      const maxSq = this.bufferOrZeros(state, 'max_exp_avg_sq', param);
      maxSq.assign(tf.maximum(maxSq, expAvgSq));
      second = maxSq;
    }
    const denom = tf.add(tf.div(tf.sqrt(second), biasCorrection2Sqrt), this.eps);
    param.assign(tf.sub(param, tf.mul(tf.div(expAvg, denom), stepSize)));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), betas: [this.beta1, this.beta2], eps: this.eps, amsgrad: this.amsgrad };
  }
}

/**
 * `torch.optim.Adam`: g ← g + λw (L2, coupled); m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
 * w ← w − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + eps).
 */
export class Adam extends AdamBase {
  /** tfjs serialisation name. */
  static readonly className = 'TorchAdam';
  /** @param options See {@link AdamOptions}; all optional. */
  constructor(options: AdamOptions = {}) {
    super(options, 0, false, 'Adam');
  }
}

/** `torch.optim.AdamW`: as {@link Adam}, but weight decay is decoupled: w ← w·(1 − lr·λ) before the Adam step; λ defaults to 1e-2. */
export class AdamW extends AdamBase {
  /** tfjs serialisation name. */
  static readonly className = 'TorchAdamW';
  /** @param options See {@link AdamOptions}; all optional. */
  constructor(options: AdamOptions = {}) {
    super(options, 1e-2, true, 'AdamW');
  }
}
