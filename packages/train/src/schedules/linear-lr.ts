/** `torch.optim.lr_scheduler.LinearLR`, the usual linear warm-up. */
import type { LearningRateControl } from '../optim/types.js';
import { checkInteger, checkRange, LRSchedulerBase, type ScheduleOptions } from './lr-scheduler.js';

/** Options of {@link LinearLR}. */
export interface LinearLROptions extends ScheduleOptions {
  /** Factor of the base rate at step 0, in (0, 1]; default 1/3. */
  startFactor?: number;
  /** Factor reached after `totalIters` steps, in [0, 1]; default 1. */
  endFactor?: number;
  /** Steps over which the factor moves linearly, integer ≥ 1; default 5. */
  totalIters?: number;
}

/**
 * Scales each group's base rate by a factor moving linearly from `startFactor` to `endFactor` over `totalIters` steps,
 * then holds it: a warm-up with `startFactor` < 1. Stepped per epoch by default; pass `interval: 'iteration'` to warm
 * up over optimiser steps.
 */
export class LinearLR extends LRSchedulerBase {
  private readonly startFactor: number;
  private readonly endFactor: number;
  private readonly totalIters: number;

  /** @param optimizer The optimiser whose rates this schedule sets. */
  constructor(optimizer: LearningRateControl, options: LinearLROptions = {}) {
    super(optimizer, options, 'LinearLR');
    this.startFactor = checkRange(options.startFactor ?? 1 / 3, 'startFactor', 'LinearLR', 0, 1);
    if (this.startFactor === 0) throw new Error('LinearLR: startFactor must be > 0 (and ≤ 1), got 0');
    this.endFactor = checkRange(options.endFactor ?? 1, 'endFactor', 'LinearLR', 0, 1);
    this.totalIters = checkInteger(options.totalIters ?? 5, 'totalIters', 'LinearLR', 1);
    this.initialStep();
  }

  protected getLr(): number[] {
    const rates = this.optimizer.getLearningRates();
    if (this.lastEpoch === 0) return rates.map((lr) => lr * this.startFactor);
    if (this.isInitial || this.lastEpoch > this.totalIters) return rates;
    const delta = this.endFactor - this.startFactor;
    return rates.map((lr) => lr * (1 + delta / (this.totalIters * this.startFactor + (this.lastEpoch - 1) * delta)));
  }

  protected override closedFormLr(): number[] {
    const delta = this.endFactor - this.startFactor;
    return this.baseLrs.map((base) => base * (this.startFactor + (delta * Math.min(this.totalIters, this.lastEpoch)) / this.totalIters));
  }
}
