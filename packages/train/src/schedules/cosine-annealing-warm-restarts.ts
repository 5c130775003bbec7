/** `torch.optim.lr_scheduler.CosineAnnealingWarmRestarts` (SGDR). */
import type { LearningRateControl } from '../optim/types.js';
import { checkInteger, checkRange, LRSchedulerBase, stateNumber, type ScheduleOptions } from './lr-scheduler.js';

/** Options of {@link CosineAnnealingWarmRestarts}. */
export interface CosineAnnealingWarmRestartsOptions extends ScheduleOptions {
  /** Steps until the first restart, integer ≥ 1. */
  t0: number;
  /** Factor by which the period grows after each restart, integer ≥ 1; default 1. */
  tMult?: number;
  /** Smallest rate; default 0. */
  etaMin?: number;
}

/**
 * Cosine annealing from each base rate to `etaMin` over a period of `t0` steps, then a restart at the base rate with
 * the period multiplied by `tMult`: lr = etaMin + (base − etaMin)(1 + cos(π·tCur / tI)) / 2. Stepped per epoch by
 * default; pass `interval: 'iteration'` to restart within epochs.
 */
export class CosineAnnealingWarmRestarts extends LRSchedulerBase {
  private readonly t0: number;
  private readonly tMult: number;
  private readonly etaMin: number;
  private tI: number;
  private tCur: number;

  /** @param optimizer The optimiser whose rates this schedule sets. */
  constructor(optimizer: LearningRateControl, options: CosineAnnealingWarmRestartsOptions) {
    super(optimizer, options, 'CosineAnnealingWarmRestarts');
    this.t0 = checkInteger(options.t0, 't0', 'CosineAnnealingWarmRestarts', 1);
    this.tMult = checkInteger(options.tMult ?? 1, 'tMult', 'CosineAnnealingWarmRestarts', 1);
    this.etaMin = checkRange(options.etaMin ?? 0, 'etaMin', 'CosineAnnealingWarmRestarts', 0);
    this.tI = this.t0;
    this.tCur = -1;
    this.initialStep();
  }

  protected getLr(): number[] {
    return this.baseLrs.map((base) => this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2);
  }

  /** Advances one step, restarting when the period is over. */
  override step(_metric?: number): void {
    if (this.lastEpoch < 0) {
      this.tI = this.t0;
      this.tCur = 0;
      this.lastEpoch = 0;
    } else {
      this.lastEpoch += 1;
      this.tCur += 1;
      if (this.tCur >= this.tI) {
        this.tCur %= this.tI;
        this.tI *= this.tMult;
      }
    }
    this.optimizer.setLearningRates(this.getLr());
    this.lastLr = this.optimizer.getLearningRates();
  }

  protected override extraState(): Record<string, unknown> {
    return { tI: this.tI, tCur: this.tCur };
  }

  protected override restoreExtra(state: Record<string, unknown>): void {
    this.tI = stateNumber(state, 'tI', this.where);
    this.tCur = stateNumber(state, 'tCur', this.where);
  }
}
