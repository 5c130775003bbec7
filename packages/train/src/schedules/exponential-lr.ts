/** `torch.optim.lr_scheduler.ExponentialLR`. */
import type { LearningRateControl } from '../optim/types.js';
import { checkRange, LRSchedulerBase, type ScheduleOptions } from './lr-scheduler.js';

/** Options of {@link ExponentialLR}. */
export interface ExponentialLROptions extends ScheduleOptions {
  /** Multiplicative factor applied at every step. */
  gamma: number;
}

/** Multiplies each group's rate by `gamma` at every step: lr = base·gamma^epoch. Stepped per epoch by default. */
export class ExponentialLR extends LRSchedulerBase {
  private readonly gamma: number;

  /** @param optimizer The optimiser whose rates this schedule sets. */
  constructor(optimizer: LearningRateControl, options: ExponentialLROptions) {
    super(optimizer, options, 'ExponentialLR');
    this.gamma = checkRange(options.gamma, 'gamma', 'ExponentialLR', 0);
    this.initialStep();
  }

  protected getLr(): number[] {
    const rates = this.optimizer.getLearningRates();
    if (this.isInitial) return rates;
    return rates.map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** this.lastEpoch);
  }
}
