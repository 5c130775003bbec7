/** `torch.optim.lr_scheduler.MultiStepLR`. */
import type { LearningRateControl } from '../optim/types.js';
import { checkInteger, checkRange, LRSchedulerBase, type ScheduleOptions } from './lr-scheduler.js';

/** Options of {@link MultiStepLR}. */
export interface MultiStepLROptions extends ScheduleOptions {
  /** Steps (epochs by default) at which the rate is multiplied by `gamma`; increasing integers; a repeated milestone applies gamma once per repetition. */
  milestones: readonly number[];
  /** Multiplicative factor of decay; default 0.1. */
  gamma?: number;
}

/** Multiplies each group's rate by `gamma` when the step count reaches a milestone. Stepped per epoch by default. */
export class MultiStepLR extends LRSchedulerBase {
  private readonly milestones: number[];
  private readonly gamma: number;

  /** @param optimizer The optimiser whose rates this schedule sets. */
  constructor(optimizer: LearningRateControl, options: MultiStepLROptions) {
    super(optimizer, options, 'MultiStepLR');
    if (!Array.isArray(options.milestones)) throw new Error(`MultiStepLR: milestones must be an array of integers, got ${String(options.milestones)}`);
    this.milestones = options.milestones.map((m, i) => checkInteger(m, `milestones[${i}]`, 'MultiStepLR', 0)).sort((a, b) => a - b);
    this.gamma = checkRange(options.gamma ?? 0.1, 'gamma', 'MultiStepLR', 0);
    this.initialStep();
  }

  protected getLr(): number[] {
    const count = this.milestones.filter((m) => m === this.lastEpoch).length;
    const rates = this.optimizer.getLearningRates();
    if (count === 0) return rates;
    return rates.map((lr) => lr * this.gamma ** count);
  }

  protected override closedFormLr(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((base) => base * this.gamma ** passed);
  }
}
