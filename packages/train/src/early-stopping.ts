/** Early stopping (Keras' `EarlyStopping`, Lightning's `EarlyStopping`): stop when a figure stops improving. */
import { Callback, type TrainContext } from './callback.js';
import { Monitor, type MonitorOptions } from './monitor.js';
import type { Logs } from './types.js';

/** Options of {@link EarlyStopping}. */
export interface EarlyStoppingOptions extends MonitorOptions {
  /** Checks without improvement tolerated before stopping, a non-negative integer. Default 0. */
  patience?: number;
}

/**
 * Stops training (`stopReason: 'callback'`) once the monitored figure has not improved by more than `minDelta` for
 * more than `patience` consecutive checks. A check is each evaluation for evaluation figures (`test_loss`), each
 * epoch end for training figures (`loss`).
 */
export class EarlyStopping extends Callback {
  private readonly tracker: Monitor;
  private readonly patience: number;
  /** Checks since the last improvement. */
  wait = 0;
  /** Step at which training was stopped, or undefined. */
  stoppedAtStep: number | undefined;

  constructor(options: EarlyStoppingOptions = {}) {
    super();
    this.tracker = new Monitor('EarlyStopping', options);
    this.patience = options.patience ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 0) {
      throw new Error(`EarlyStopping: patience must be a non-negative integer, got ${String(options.patience)}`);
    }
  }

  /** The best value seen so far. */
  get best(): number | undefined {
    return this.tracker.best;
  }

  override onEvaluate(context: TrainContext, logs: Logs): void {
    this.check(context, this.tracker.read(logs, 'evaluate'));
  }

  override onEpochEnd(context: TrainContext, logs: Logs): void {
    this.check(context, this.tracker.read(logs, 'epoch'));
  }

  private check(context: TrainContext, value: number | undefined): void {
    if (value === undefined) return;
    if (this.tracker.update(value)) {
      this.wait = 0;
      return;
    }
    this.wait += 1;
    if (this.wait > this.patience) {
      context.stopTraining = true;
      this.stoppedAtStep = context.step;
    }
  }

  override getState(): unknown {
    return { ...this.tracker.getState(), wait: this.wait };
  }

  override setState(state: unknown): void {
    const s = state as { best?: number | null; seenInEvaluation?: boolean; wait?: number };
    this.tracker.setState(s);
    this.wait = s.wait ?? 0;
  }
}
