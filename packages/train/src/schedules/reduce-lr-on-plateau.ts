/** `torch.optim.lr_scheduler.ReduceLROnPlateau`. */
import type { LearningRateControl, LRScheduler } from '../optim/types.js';
import { checkInteger, checkOptimizer, checkRange, stateNumber, type ScheduleInterval, type ScheduleOptions } from './lr-scheduler.js';

/** Options of {@link ReduceLROnPlateau}, with PyTorch's names and defaults. */
export interface ReduceLROnPlateauOptions extends ScheduleOptions {
  /** `'min'` (default): reduce when the metric stops decreasing (a loss); `'max'`: when it stops increasing (an accuracy). */
  mode?: 'min' | 'max';
  /** New rate = rate × factor, in [0, 1); default 0.1. */
  factor?: number;
  /** Steps without improvement tolerated before reducing, integer ≥ 0; default 10. */
  patience?: number;
  /** Least change that counts as an improvement; default 1e-4. */
  threshold?: number;
  /** `'rel'` (default): better than best·(1 ∓ threshold); `'abs'`: better than best ∓ threshold. */
  thresholdMode?: 'rel' | 'abs';
  /** Steps to wait after a reduction before counting bad steps again, integer ≥ 0; default 0. */
  cooldown?: number;
  /** Lower bound of the rate, one for all groups or one per group; default 0. */
  minLr?: number | readonly number[];
  /** A reduction smaller than this is skipped; default 1e-8. */
  eps?: number;
}

/**
 * Reduces every group's rate by `factor` when the monitored metric has not improved for more than `patience` steps,
 * as PyTorch's ReduceLROnPlateau: `step(metric)` after each evaluation (per epoch by default).
 */
export class ReduceLROnPlateau implements LRScheduler {
  /** When the training loop calls {@link step} (with the metric); default `'epoch'`. */
  readonly interval: ScheduleInterval;
  private readonly optimizer: LearningRateControl;
  private readonly mode: 'min' | 'max';
  private readonly factor: number;
  private readonly patience: number;
  private readonly threshold: number;
  private readonly thresholdMode: 'rel' | 'abs';
  private readonly cooldown: number;
  private readonly minLrs: number[];
  private readonly eps: number;
  private best: number;
  private numBadEpochs = 0;
  private cooldownCounter = 0;
  private lastEpoch = 0;
  private lastLr: number[];

  /** @param optimizer The optimiser whose rates this schedule reduces. */
  constructor(optimizer: LearningRateControl, options: ReduceLROnPlateauOptions = {}) {
    const where = 'ReduceLROnPlateau';
    this.optimizer = checkOptimizer(optimizer, where);
    this.interval = options.interval ?? 'epoch';
    if (this.interval !== 'epoch' && this.interval !== 'iteration') throw new Error(`${where}: interval must be 'epoch' or 'iteration', got ${String(this.interval)}`);
    this.mode = options.mode ?? 'min';
    if (this.mode !== 'min' && this.mode !== 'max') throw new Error(`${where}: mode must be 'min' or 'max', got ${String(this.mode)}`);
    this.factor = checkRange(options.factor ?? 0.1, 'factor', where, 0);
    if (this.factor >= 1) throw new Error(`${where}: factor must be < 1, got ${this.factor}`);
    this.patience = checkInteger(options.patience ?? 10, 'patience', where, 0);
    this.threshold = checkRange(options.threshold ?? 1e-4, 'threshold', where, 0);
    this.thresholdMode = options.thresholdMode ?? 'rel';
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs') throw new Error(`${where}: thresholdMode must be 'rel' or 'abs', got ${String(this.thresholdMode)}`);
    this.cooldown = checkInteger(options.cooldown ?? 0, 'cooldown', where, 0);
    const groups = this.optimizer.getLearningRates().length;
    const minLr = options.minLr ?? 0;
    if (typeof minLr === 'number') this.minLrs = new Array<number>(groups).fill(checkRange(minLr, 'minLr', where, 0));
    else if (Array.isArray(minLr) && minLr.length === groups) this.minLrs = minLr.map((v, i) => checkRange(v, `minLr[${i}]`, where, 0));
    else throw new Error(`${where}: minLr must be a number or ${groups} number(s) (one per parameter group), got ${JSON.stringify(minLr)}`);
    this.eps = checkRange(options.eps ?? 1e-8, 'eps', where, 0);
    this.best = this.modeWorse();
    this.lastLr = this.optimizer.getLearningRates();
  }

  private modeWorse(): number {
    return this.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  private isBetter(a: number, best: number): boolean {
    if (this.mode === 'min' && this.thresholdMode === 'rel') return a < best * (1 - this.threshold);
    if (this.mode === 'min') return a < best - this.threshold;
    if (this.thresholdMode === 'rel') return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  /** Records `metric` (required: the monitored value, e.g. validation loss) and reduces the rates after too many bad steps. */
  step(metric?: number): void {
    if (typeof metric !== 'number' || Number.isNaN(metric)) {
      throw new Error(`ReduceLROnPlateau.step needs the monitored metric as a number, got ${String(metric)}`);
    }
    this.lastEpoch += 1;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      const rates = this.optimizer.getLearningRates().map((old, i) => {
        const reduced = Math.max(old * this.factor, this.minLrs[i]!);
        return old - reduced > this.eps ? reduced : old;
      });
      this.optimizer.setLearningRates(rates);
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.getLearningRates();
  }

  /** The current rates. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Best metric (null while ±Infinity), counters and rates. */
  getState(): Record<string, unknown> {
    return {
      best: Number.isFinite(this.best) ? this.best : null,
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
      lastEpoch: this.lastEpoch,
      lastLr: [...this.lastLr],
    };
  }

  /** Restores {@link getState}'s result and the optimiser's rates. */
  setState(state: Record<string, unknown>): void {
    const where = 'ReduceLROnPlateau';
    this.best = state['best'] === null ? this.modeWorse() : stateNumber(state, 'best', where);
    this.numBadEpochs = stateNumber(state, 'numBadEpochs', where);
    this.cooldownCounter = stateNumber(state, 'cooldownCounter', where);
    this.lastEpoch = stateNumber(state, 'lastEpoch', where);
    const lastLr = state['lastLr'];
    if (!Array.isArray(lastLr)) throw new Error(`${where}.setState: lastLr must be an array, got ${JSON.stringify(lastLr)}`);
    this.lastLr = lastLr as number[];
    this.optimizer.setLearningRates(this.lastLr);
  }
}
