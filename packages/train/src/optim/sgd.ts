/** Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay, as `torch.optim.SGD`. */
import * as tf from '@tensorflow/tfjs-core';
import { checkNumber, TorchOptimizer, type GroupSettings, type ParameterState, type TorchOptimizerOptions, type UpdateItem } from './torch-optimizer.js';

/**
 * Kernel name of the multi-parameter SGD step that `@cnn/backend` registers for the `wasm` backend (the same string as
 * its `CNN_SGD_STEP`; contract in its native/sgd.ts): inputs `param<i>`, `grad<i>`, `buffer<i>` (with momentum),
 * attrs `{count, lr, momentum, dampening, weightDecay, nesterov}`, outputs the new parameter and buffer of each in
 * order, bit-identical to {@link SGD}'s rule in tfjs ops.
 */
export const CNN_SGD_STEP = 'CnnSgdStep';

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

  /**
   * Where the active backend has the {@link CNN_SGD_STEP} kernel, updates every float32 variable of a group (that has
   * its momentum buffer, or with momentum 0) in one kernel call: one dispatch instead of four to six per variable.
   * The rest (a buffer's first step, which copies the gradient) goes through {@link update}.
   */
  protected override updateAll(items: readonly UpdateItem[]): void {
    if (tf.getKernel(CNN_SGD_STEP, tf.getBackend()) == null) {
      super.updateAll(items);
      return;
    }
    const fused = new Map<GroupSettings, UpdateItem[]>();
    for (const item of items) {
      const ready = (this.momentum === 0 || item.state.buffers.has('momentum_buffer')) && item.param.dtype === 'float32' && item.grad.dtype === 'float32';
      if (!ready) this.update(item.param, item.grad, item.state, item.group);
      else {
        const list = fused.get(item.group);
        if (list === undefined) fused.set(item.group, [item]);
        else list.push(item);
      }
    }
    for (const [group, list] of fused) {
      const inputs: tf.NamedTensorMap = {};
      list.forEach(({ param, grad, state }, i) => {
        inputs[`param${i}`] = param;
        inputs[`grad${i}`] = grad;
        if (this.momentum !== 0) inputs[`buffer${i}`] = state.buffers.get('momentum_buffer')!;
      });
      const attrs = { count: list.length, lr: group.lr, momentum: this.momentum, dampening: this.dampening, weightDecay: group.weightDecay, nesterov: this.nesterov };
      const outputs = tf.engine().runKernel(CNN_SGD_STEP, inputs, attrs) as tf.Tensor[];
      const perItem = this.momentum !== 0 ? 2 : 1;
      list.forEach(({ param, state }, i) => {
        param.assign(outputs[perItem * i]!);
        if (perItem === 2) state.buffers.get('momentum_buffer')!.assign(outputs[perItem * i + 1]!);
      });
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov };
  }
}
