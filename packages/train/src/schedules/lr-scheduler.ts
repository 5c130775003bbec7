/**
 * The base of the learning-rate schedules: PyTorch's `LRScheduler` (base rates from each group's `initial_lr`, an
 * initial step at construction, `last_epoch` counting steps, chainable `get_lr` and closed forms).
 */
import type { LearningRateControl, LRScheduler } from '../optim/types.js';

/** When the training loop steps a schedule: after every epoch (PyTorch's convention for most) or every optimiser step. */
export type ScheduleInterval = 'epoch' | 'iteration';

/** Options every schedule takes besides its own. */
export interface ScheduleOptions {
  /** When `fit` calls `step()`; default `'epoch'` except {@link OneCycleLR} (`'iteration'`). With `'iteration'`, sizes such as `stepSize` or `tMax` count optimiser steps. */
  interval?: ScheduleInterval;
}

/** PyTorch's `group['initial_lr']`, kept per optimiser so that several schedules on one optimiser share base rates. */
const initialRates = new WeakMap<LearningRateControl, number[]>();

/** The optimiser's initial learning rates, recorded from its current rates on first use (PyTorch's `setdefault('initial_lr', lr)`). */
export function initialLearningRates(optimizer: LearningRateControl): number[] {
  let rates = initialRates.get(optimizer);
  if (rates === undefined || rates.length !== optimizer.getLearningRates().length) {
    rates = optimizer.getLearningRates();
    initialRates.set(optimizer, rates);
  }
  return [...rates];
}

/** Overwrites the optimiser's recorded initial learning rates (OneCycleLR sets them to maxLr / divFactor, as PyTorch). */
export function setInitialLearningRates(optimizer: LearningRateControl, rates: readonly number[]): void {
  initialRates.set(optimizer, [...rates]);
}

/** Throws unless `optimizer` implements {@link LearningRateControl}. */
export function checkOptimizer(optimizer: unknown, where: string): LearningRateControl {
  const o = optimizer as Partial<LearningRateControl> | null | undefined;
  if (typeof o?.getLearningRates !== 'function' || typeof o.setLearningRates !== 'function') {
    throw new Error(`${where}: the optimiser must implement getLearningRates/setLearningRates (use SGD, Adam, AdamW or RMSprop from @cnn/train), got ${String(optimizer)}`);
  }
  return o as LearningRateControl;
}

/** Throws unless `value` is an integer ≥ `min`. */
export function checkInteger(value: unknown, name: string, where: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new Error(`${where}: ${name} must be an integer ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

/** Throws unless `value` is a finite number in [min, max]. */
export function checkRange(value: unknown, name: string, where: string, min: number, max = Number.POSITIVE_INFINITY): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range = max === Number.POSITIVE_INFINITY ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new Error(`${where}: ${name} must be a finite number ${range}, got ${String(value)}`);
  }
  return value;
}

function numberArray(value: unknown, name: string, where: string): number[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number')) {
    throw new Error(`${where}.setState: ${name} must be an array of numbers, got ${JSON.stringify(value)}`);
  }
  return value as number[];
}

/** Reads a number from a saved state, with a clear error. */
export function stateNumber(state: Record<string, unknown>, name: string, where: string): number {
  const value = state[name];
  if (typeof value !== 'number') throw new Error(`${where}.setState: ${name} must be a number, got ${JSON.stringify(value)}; pass what getState() returned`);
  return value;
}

/**
 * PyTorch's `LRScheduler`: records the base rates, steps once at construction (so the optimiser holds the epoch-0
 * rates), then each {@link step} advances `lastEpoch` and writes {@link getLr}'s rates into the optimiser.
 * Subclasses call {@link initialStep} at the end of their constructor.
 */
export abstract class LRSchedulerBase implements LRScheduler {
  /** When the training loop calls {@link step}. */
  readonly interval: ScheduleInterval;
  /** The optimiser whose rates this schedule sets. */
  readonly optimizer: LearningRateControl;
  /** Each group's initial rate (PyTorch's `base_lrs`). */
  protected baseLrs: number[];
  /** Steps taken; 0 after construction (PyTorch's `last_epoch`). */
  lastEpoch = -1;
  /** Calls of {@link step} (PyTorch's `_step_count`). */
  protected stepCount = 0;
  /** True during the construction step (PyTorch's `_is_initial`). */
  protected isInitial = false;
  /** Rates after the last step. */
  protected lastLr: number[] = [];
  /** The class name, for messages. */
  protected readonly where: string;

  protected constructor(optimizer: LearningRateControl, options: ScheduleOptions, where: string, defaultInterval: ScheduleInterval = 'epoch') {
    this.where = where;
    this.optimizer = checkOptimizer(optimizer, where);
    const interval = options.interval ?? defaultInterval;
    if (interval !== 'epoch' && interval !== 'iteration') throw new Error(`${where}: interval must be 'epoch' or 'iteration', got ${String(interval)}`);
    this.interval = interval;
    this.baseLrs = initialLearningRates(this.optimizer);
  }

  /** The rates for the new `lastEpoch` (PyTorch's chainable `get_lr`). */
  protected abstract getLr(): number[];

  /** The rates at `lastEpoch` from the base rates, when the schedule has a closed form (used by SequentialLR at milestones). */
  protected closedFormLr(): number[] | undefined {
    return undefined;
  }

  /** The construction step (PyTorch's `_initial_step`); also used by SequentialLR. */
  initialStep(): void {
    this.stepCount = 0;
    this.isInitial = true;
    try {
      this.step();
    } finally {
      this.isInitial = false;
    }
  }

  /** Advances the schedule by one interval and sets the optimiser's rates. `_metric` is ignored. */
  step(_metric?: number): void {
    this.stepCount += 1;
    this.updateLr();
  }

  /** PyTorch's `_update_lr(epoch)`: with `epoch`, jumps there using the closed form if any; without, advances by one. */
  updateLr(epoch?: number): void {
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch += 1;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr() ?? this.getLr();
    }
    this.optimizer.setLearningRates(values);
    this.lastLr = this.optimizer.getLearningRates();
  }

  /** The rates set by the last step (PyTorch's `get_last_lr()`). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Counters and rates, JSON-serialisable (PyTorch's `state_dict()`), plus subclass state. */
  getState(): Record<string, unknown> {
    return { lastEpoch: this.lastEpoch, stepCount: this.stepCount, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr], ...this.extraState() };
  }

  /**
   * Restores {@link getState}'s result and writes its last rates into the optimiser (PyTorch restores those with the
   * optimiser's own state dict), so a resumed run continues with the same rates.
   */
  setState(state: Record<string, unknown>): void {
    this.lastEpoch = stateNumber(state, 'lastEpoch', this.where);
    this.stepCount = stateNumber(state, 'stepCount', this.where);
    this.baseLrs = numberArray(state['baseLrs'], 'baseLrs', this.where);
    this.lastLr = numberArray(state['lastLr'], 'lastLr', this.where);
    this.restoreExtra(state);
    this.optimizer.setLearningRates(this.lastLr);
  }

  /** Subclass state for {@link getState}. */
  protected extraState(): Record<string, unknown> {
    return {};
  }

  /** Restores {@link extraState}'s entries. */
  protected restoreExtra(_state: Record<string, unknown>): void {}
}
