/** Tracks the best value of a monitored figure, for early stopping and best-model checkpoints. */
import type { Logs } from './types.js';

/** Whether a smaller (`min`, losses) or a larger (`max`, accuracies) value is better. */
export type MonitorMode = 'min' | 'max';

/** Options shared by callbacks that watch a figure. */
export interface MonitorOptions {
  /** The logged figure to watch, e.g. `'test_loss'` (default), `'test_accuracy'` or `'loss'` (epoch mean training loss). */
  monitor?: string;
  /** `'min'` (default) or `'max'`. */
  mode?: MonitorMode;
  /** Smallest change that counts as an improvement, ≥ 0, in the figure's units. Default 0. */
  minDelta?: number;
}

/**
 * The best value so far and whether a new one improves on it. A figure logged by evaluations is read in `onEvaluate`
 * only (`onEpochEnd` repeats the last evaluation's figures, which must not count twice); a training figure such as
 * `loss` in `onEpochEnd`.
 */
export class Monitor {
  readonly monitor: string;
  readonly mode: MonitorMode;
  readonly minDelta: number;
  /** Best value so far (undefined before the first). */
  best: number | undefined;
  /** Whether the figure has been seen in an evaluation's logs. */
  seenInEvaluation = false;

  constructor(owner: string, options: MonitorOptions) {
    this.monitor = options.monitor ?? 'test_loss';
    this.mode = options.mode ?? 'min';
    this.minDelta = options.minDelta ?? 0;
    if (this.mode !== 'min' && this.mode !== 'max') throw new Error(`${owner}: mode must be 'min' or 'max', got '${String(this.mode)}'`);
    if (typeof this.minDelta !== 'number' || !(this.minDelta >= 0)) throw new Error(`${owner}: minDelta must be a number ≥ 0, got ${String(this.minDelta)}`);
  }

  /** The monitored value in `logs` for this hook, or undefined when this hook does not decide. */
  read(logs: Logs, hook: 'evaluate' | 'epoch'): number | undefined {
    const value = logs[this.monitor];
    if (value === undefined) return undefined;
    if (hook === 'evaluate') this.seenInEvaluation = true;
    else if (this.seenInEvaluation) return undefined;
    return value;
  }

  /** Whether `value` improves on the best by more than `minDelta`; if so it becomes the best. NaN never improves. */
  update(value: number): boolean {
    if (Number.isNaN(value)) return false;
    const improved =
      this.best === undefined || (this.mode === 'min' ? value < this.best - this.minDelta : value > this.best + this.minDelta);
    if (improved) this.best = value;
    return improved;
  }

  /** JSON state. */
  getState(): { best: number | null; seenInEvaluation: boolean } {
    return { best: this.best ?? null, seenInEvaluation: this.seenInEvaluation };
  }

  /** Restores {@link getState}'s result. */
  setState(state: { best?: number | null; seenInEvaluation?: boolean }): void {
    this.best = state.best ?? undefined;
    this.seenInEvaluation = state.seenInEvaluation ?? false;
  }
}
