/** `torch.optim.lr_scheduler.StepLR`. */
import type { LearningRateControl } from '../optim/types.js';
import { checkInteger, checkRange, LRSchedulerBase, type ScheduleOptions } from './lr-scheduler.js';

/** Options of {@link StepLR}. */
export interface StepLROptions extends ScheduleOptions {
  /** Period of decay, in intervals (epochs by default), integer ≥ 1. */
  stepSize: number;
  /** Multiplicative factor of decay; default 0.1. */
  gamma?: number;
}

/** Multiplies each group's rate by `gamma` every `stepSize` steps: lr = base·gamma^⌊epoch / stepSize⌋. Stepped per epoch by default. */
export class StepLR extends LRSchedulerBase {
  private readonly stepSize: number;
  private readonly gamma: number;

  /** @param optimizer The optimiser whose rates this schedule sets. */
  constructor(optimizer: LearningRateControl, options: StepLROptions) {
    super(optimizer, options, 'StepLR');
    this.stepSize = checkInteger(options.stepSize, 'stepSize', 'StepLR', 1);
    this.gamma = checkRange(options.gamma ?? 0.1, 'gamma', 'StepLR', 0);
    this.initialStep();
  }

  protected getLr(): number[] {
    const rates = this.optimizer.getLearningRates();
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return rates;
    return rates.map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}
