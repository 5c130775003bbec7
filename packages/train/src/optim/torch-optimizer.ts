/**
 * The base of the PyTorch-semantics optimisers: parameter groups, gradient clipping, per-variable state (saved by
 * `getWeights`), learning rates a schedule can set. Subclasses write only the update rule.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkClipOptions, clipTensors, type NormType } from './clip-grad-norm.js';
import type { ParamGroup } from './param-groups.js';
import type { LearningRateControl } from './types.js';

/** A tensor with a name, as tfjs optimisers' `getWeights` return them (tfjs-core does not export this type). */
export interface NamedTensor {
  /** The variable's name, or `<variable>/<state>` for optimiser state. */
  name: string;
  /** The value. */
  tensor: tf.Tensor;
}

/** Options every PyTorch-semantics optimiser takes. */
export interface TorchOptimizerOptions {
  /** Learning rate of the default group, ≥ 0. */
  lr: number;
  /** Weight decay of the default group, ≥ 0 (its meaning — L2 or decoupled — is the optimiser's). */
  weightDecay?: number;
  /** Extra groups with their own `lr` / `weightDecay`; see {@link ParamGroup}. Default: none. */
  paramGroups?: readonly ParamGroup[];
  /** When set, gradients are clipped to this total norm before each update (`clip_grad_norm_`); default: no clipping. */
  maxGradNorm?: number;
  /** Order of the clipping norm: 2 (default), 1, any p > 0 or `Infinity`. */
  gradNormType?: NormType;
}

/** The settings of one parameter group at update time. */
export interface GroupSettings {
  /** Learning rate (set by schedules). */
  lr: number;
  /** Weight decay. */
  weightDecay: number;
}

/** A variable's optimiser state: its step count (PyTorch's `state['step']`) and named buffers. */
export interface ParameterState {
  /** Number of updates applied to this variable, counting the current one during {@link TorchOptimizer.update}. */
  step: number;
  /** Buffers such as `momentum_buffer`, `exp_avg`, `exp_avg_sq`, created lazily by the update rule. */
  buffers: Map<string, tf.Variable>;
}

/** One variable's part of an update: what {@link TorchOptimizer.update} receives. */
export interface UpdateItem {
  /** The variable. */
  param: tf.Variable;
  /** Its (clipped) gradient. */
  grad: tf.Tensor;
  /** Its state, `step` already incremented. */
  state: ParameterState;
  /** Its group's settings. */
  group: GroupSettings;
}

/** Checks a hyperparameter is a finite number ≥ `min` (or > `min` when `strict`). */
export function checkNumber(value: unknown, name: string, where: string, min = 0, strict = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (strict ? value <= min : value < min)) {
    throw new Error(`${where}: ${name} must be a finite number ${strict ? '>' : '≥'} ${min}, got ${String(value)}`);
  }
  return value;
}

/**
 * A tfjs optimiser (so `optimizer.minimize(f, true, vars)` works) whose update rule, state and options follow
 * PyTorch's `torch.optim`. State is created on a variable's first update; {@link getWeights} / {@link setWeights}
 * save and restore it for checkpoints.
 */
export abstract class TorchOptimizer extends tf.Optimizer implements LearningRateControl {
  /** Settings per group: index 0 is the default group, `i + 1` is `paramGroups[i]`. */
  protected readonly groups: GroupSettings[];
  private readonly filters: ((name: string) => boolean)[];
  private readonly groupOfName = new Map<string, number>();
  private readonly state = new Map<string, ParameterState>();
  private readonly maxGradNorm: number | undefined;
  private readonly gradNormType: NormType;

  protected constructor(options: TorchOptimizerOptions, defaultWeightDecay: number, where: string) {
    super();
    const lr = checkNumber(options.lr, 'lr', where);
    const weightDecay = checkNumber(options.weightDecay ?? defaultWeightDecay, 'weightDecay', where);
    this.groups = [{ lr, weightDecay }];
    this.filters = [];
    (options.paramGroups ?? []).forEach((group, i) => {
      if (typeof group?.filter !== 'function') throw new Error(`${where}: paramGroups[${i}].filter must be a function (variableName) => boolean`);
      this.filters.push(group.filter);
      this.groups.push({
        lr: checkNumber(group.lr ?? lr, `paramGroups[${i}].lr`, where),
        weightDecay: checkNumber(group.weightDecay ?? weightDecay, `paramGroups[${i}].weightDecay`, where),
      });
    });
    if (options.maxGradNorm !== undefined) checkClipOptions(options.maxGradNorm, options.gradNormType ?? 2, where);
    this.maxGradNorm = options.maxGradNorm;
    this.gradNormType = options.gradNormType ?? 2;
  }

  /** Learning rate of each group (default group first). */
  getLearningRates(): number[] {
    return this.groups.map((g) => g.lr);
  }

  /** Sets every group's learning rate; `rates` has one entry per group (default group first). */
  setLearningRates(rates: readonly number[]): void {
    if (!Array.isArray(rates) || rates.length !== this.groups.length) {
      throw new Error(`${this.getClassName()}: setLearningRates needs ${this.groups.length} rate(s) (one per parameter group), got ${JSON.stringify(rates)}`);
    }
    rates.forEach((rate, i) => {
      this.groups[i]!.lr = checkNumber(rate, `learning rate of group ${i}`, this.getClassName(), Number.NEGATIVE_INFINITY);
    });
  }

  /** Index of the group a variable belongs to (0: default group). */
  groupIndex(variableName: string): number {
    let index = this.groupOfName.get(variableName);
    if (index === undefined) {
      const found = this.filters.findIndex((filter) => filter(variableName));
      index = found + 1;
      this.groupOfName.set(variableName, index);
    }
    return index;
  }

  /** The update rule for one variable, called inside a tidy scope with the (clipped) gradient; `state.step` is already incremented. */
  protected abstract update(param: tf.Variable, grad: tf.Tensor, state: ParameterState, group: GroupSettings): void;

  /**
   * The update of one step for every variable that has a gradient, in order, inside a tidy scope. The default runs
   * {@link update} on each; an optimiser that can update many variables in one kernel overrides it.
   */
  protected updateAll(items: readonly UpdateItem[]): void {
    for (const { param, grad, state, group } of items) this.update(param, grad, state, group);
  }

  /** Stores `value` as the buffer `key` of `state` (creating the variable on first use). */
  protected setBuffer(state: ParameterState, key: string, value: tf.Tensor): void {
    const existing = state.buffers.get(key);
    if (existing === undefined) state.buffers.set(key, tf.variable(value, false));
    else existing.assign(value);
  }

  /** The buffer `key` of `state`, or zeros shaped like `param` stored under that key. */
  protected bufferOrZeros(state: ParameterState, key: string, param: tf.Tensor): tf.Variable {
    let buffer = state.buffers.get(key);
    if (buffer === undefined) {
      buffer = tf.variable(tf.zerosLike(param), false);
      state.buffers.set(key, buffer);
    }
    return buffer;
  }

  /** Applies one update to every variable that has a gradient (variables with a `null` gradient are skipped, as in PyTorch). */
  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries = (Array.isArray(variableGradients)
      ? variableGradients.map((v) => [v.name, v.tensor] as const)
      : Object.entries(variableGradients)
    ).filter((entry): entry is readonly [string, tf.Tensor] => entry[1] != null);
    const registered = tf.engine().registeredVariables;
    tf.tidy(() => {
      const items: UpdateItem[] = [];
      let grads = entries.map((e) => e[1]);
      if (this.maxGradNorm !== undefined) grads = clipTensors(grads, this.maxGradNorm, this.gradNormType).grads;
      entries.forEach(([name], i) => {
        const param = registered[name];
        if (param === undefined) throw new Error(`${this.getClassName()}: no variable named '${name}' is registered; pass tf.Variables' names`);
        let state = this.state.get(name);
        if (state === undefined) {
          state = { step: 0, buffers: new Map() };
          this.state.set(name, state);
        }
        state.step += 1;
        items.push({ param, grad: grads[i]!, state, group: this.groups[this.groupIndex(name)]! });
      });
      this.updateAll(items);
    });
    this.incrementIterations();
  }

  /**
   * The optimiser's state as fresh tensors (the caller disposes them): `iter` (updates applied), then for each
   * variable `<name>/step` (int32) and `<name>/<buffer>` for each buffer. Learning rates are not included: read them
   * with {@link getLearningRates} (schedules restore them with their own state).
   */
  override async getWeights(): Promise<NamedTensor[]> {
    const weights: NamedTensor[] = [{ name: 'iter', tensor: tf.scalar(this.iterations, 'int32') }];
    for (const [name, state] of this.state) {
      weights.push({ name: `${name}/step`, tensor: tf.scalar(state.step, 'int32') });
      for (const [key, buffer] of state.buffers) weights.push({ name: `${name}/${key}`, tensor: tf.clone(buffer) });
    }
    return weights;
  }

  /** Replaces the state with {@link getWeights}'s result (copied; the caller keeps ownership of `weightValues`). */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const state = new Map<string, ParameterState>();
    let iterations = 0;
    for (const { name, tensor } of weightValues) {
      if (name === 'iter') {
        iterations = (await tensor.data())[0]!;
        continue;
      }
      const slash = name.lastIndexOf('/');
      if (slash <= 0) throw new Error(`${this.getClassName()}.setWeights: '${name}' is not '<variable>/<state>'; pass what getWeights() returned`);
      const variable = name.slice(0, slash);
      const key = name.slice(slash + 1);
      let entry = state.get(variable);
      if (entry === undefined) {
        entry = { step: 0, buffers: new Map() };
        state.set(variable, entry);
      }
      if (key === 'step') entry.step = (await tensor.data())[0]!;
      else entry.buffers.set(key, tf.variable(tf.clone(tensor), false));
    }
    this.disposeState();
    for (const [name, entry] of state) this.state.set(name, entry);
    this.iterations_ = iterations;
  }

  private disposeState(): void {
    for (const entry of this.state.values()) for (const buffer of entry.buffers.values()) buffer.dispose();
    this.state.clear();
  }

  /** Disposes the state buffers. */
  override dispose(): void {
    this.disposeState();
  }

  /** Hyperparameters of every group (filters, being functions, are left out). */
  getConfig(): tf.serialization.ConfigDict {
    return { groups: this.groups.map((g) => ({ lr: g.lr, weightDecay: g.weightDecay })), maxGradNorm: this.maxGradNorm ?? null };
  }
}
