/** `torch.optim.lr_scheduler.CosineAnnealingLR`. */
import type { LearningRateControl } from '../optim/types.js';
import { checkInteger, checkRange, LRSchedulerBase, type ScheduleOptions } from './lr-scheduler.js';

/** Options of {@link CosineAnnealingLR}. */
export interface CosineAnnealingLROptions extends ScheduleOptions {
  /** Steps (epochs by default) of a half cosine period, integer ≥ 1. */
  tMax: number;
  /** Smallest rate; default 0. */
  etaMin?: number;
}

/**
 * Anneals each group's rate along a cosine from its base rate to `etaMin` over `tMax` steps:
 * lr ≈ etaMin + (base − etaMin)(1 + cos(π·epoch / tMax)) / 2, computed with PyTorch's recursive form (so values match
 * it to the last bits, and past `tMax` the rate rises again). Stepped per epoch by default (seed 003: `tMax = epochs`).
 */
export class CosineAnnealingLR extends LRSchedulerBase {
  private readonly tMax: number;
  private readonly etaMin: number;

  /** @param optimizer The optimiser whose rates this schedule sets. */
  constructor(optimizer: LearningRateControl, options: CosineAnnealingLROptions) {
    super(optimizer, options, 'CosineAnnealingLR');
    this.tMax = checkInteger(options.tMax, 'tMax', 'CosineAnnealingLR', 1);
    this.etaMin = checkRange(options.etaMin ?? 0, 'etaMin', 'CosineAnnealingLR', 0);
    this.initialStep();
  }

  protected getLr(): number[] {
    const rates = this.optimizer.getLearningRates();
    const { tMax, etaMin, lastEpoch: epoch } = this;
    if (this.isInitial) return rates;
    if (this.stepCount === 1 && epoch > 0) {
      return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((epoch * Math.PI) / tMax))) / 2);
    }
    if ((((epoch - 1 - tMax) % (2 * tMax)) + 2 * tMax) % (2 * tMax) === 0) {
      return rates.map((lr, i) => lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    return rates.map(
      (lr) => ((1 + Math.cos((Math.PI * epoch) / tMax)) / (1 + Math.cos((Math.PI * (epoch - 1)) / tMax))) * (lr - etaMin) + etaMin,
    );
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }
}
