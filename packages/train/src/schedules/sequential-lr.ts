/** `torch.optim.lr_scheduler.SequentialLR`, and the warm-up + cosine combination built with it. */
import type { LearningRateControl, LRScheduler } from '../optim/types.js';
import { CosineAnnealingLR } from './cosine-annealing-lr.js';
import { LinearLR } from './linear-lr.js';
import { checkInteger, checkOptimizer, checkRange, initialLearningRates, LRSchedulerBase, stateNumber, type ScheduleInterval, type ScheduleOptions } from './lr-scheduler.js';

/** Options of {@link SequentialLR}. */
export interface SequentialLROptions {
  /** Schedules built on the same optimiser, run one after another (not ReduceLROnPlateau or another SequentialLR). */
  schedulers: readonly LRSchedulerBase[];
  /** Steps at which the next schedule takes over; one fewer than `schedulers`, increasing. */
  milestones: readonly number[];
}

/**
 * Runs `schedulers[0]` until `milestones[0]`, then `schedulers[1]` (restarted at its epoch 0, from the base rates),
 * and so on, as PyTorch's SequentialLR. Its interval is its schedules' (they must agree).
 */
export class SequentialLR implements LRScheduler {
  /** The common interval of the schedules. */
  readonly interval: ScheduleInterval;
  private readonly schedulers: readonly LRSchedulerBase[];
  private readonly milestones: readonly number[];
  private readonly optimizer: LearningRateControl;
  private lastEpoch: number;
  private lastLr: number[];

  /** @param optimizer The optimiser all `schedulers` were built on. */
  constructor(optimizer: LearningRateControl, options: SequentialLROptions) {
    const where = 'SequentialLR';
    this.optimizer = checkOptimizer(optimizer, where);
    const { schedulers, milestones } = options;
    if (!Array.isArray(schedulers) || schedulers.length < 1) throw new Error(`${where}: schedulers must be a non-empty array, got ${String(schedulers)}`);
    schedulers.forEach((s, i) => {
      if (!(s instanceof LRSchedulerBase)) {
        throw new Error(`${where}: schedulers[${i}] must be a step-driven schedule (StepLR, CosineAnnealingLR, LinearLR, ...); ReduceLROnPlateau and SequentialLR cannot be sequenced`);
      }
      if (s.optimizer !== optimizer) throw new Error(`${where}: schedulers[${i}] was built on another optimiser; build every schedule on the same one`);
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new Error(`${where}: needs ${schedulers.length - 1} milestone(s) for ${schedulers.length} schedulers, got ${JSON.stringify(milestones)}`);
    }
    milestones.forEach((m, i) => {
      checkInteger(m, `milestones[${i}]`, where, 0);
      if (i > 0 && m <= milestones[i - 1]!) throw new Error(`${where}: milestones must increase, got ${JSON.stringify(milestones)}`);
    });
    const intervals = new Set(schedulers.map((s) => s.interval));
    if (intervals.size !== 1) throw new Error(`${where}: all schedulers must share one interval, got ${[...intervals].join(' and ')}`);
    this.interval = schedulers[0]!.interval;
    this.schedulers = schedulers;
    this.milestones = milestones;
    this.lastEpoch = 0;
    this.optimizer.setLearningRates(initialLearningRates(this.optimizer));
    for (const s of schedulers) s.lastEpoch -= 1;
    const first = this.schedulers[this.index(0)]!;
    first.initialStep();
    this.lastLr = first.getLastLr();
  }

  private index(epoch: number): number {
    let i = 0;
    while (i < this.milestones.length && this.milestones[i]! <= epoch) i += 1;
    return i;
  }

  /** Steps the schedule whose turn it is; at a milestone the next one starts from its epoch 0. */
  step(_metric?: number): void {
    this.lastEpoch += 1;
    const i = this.index(this.lastEpoch);
    const scheduler = this.schedulers[i]!;
    if (i > 0 && this.milestones[i - 1] === this.lastEpoch) scheduler.updateLr(0);
    else scheduler.step();
    this.lastLr = scheduler.getLastLr();
  }

  /** The rates set by the last step. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** This schedule's counter and rates with every sub-schedule's state. */
  getState(): Record<string, unknown> {
    return { lastEpoch: this.lastEpoch, lastLr: [...this.lastLr], schedulers: this.schedulers.map((s) => s.getState()) };
  }

  /** Restores {@link getState}'s result, then the optimiser's rates. */
  setState(state: Record<string, unknown>): void {
    const states = state['schedulers'];
    if (!Array.isArray(states) || states.length !== this.schedulers.length) {
      throw new Error(`SequentialLR.setState: expected ${this.schedulers.length} scheduler states, got ${JSON.stringify(states)}`);
    }
    states.forEach((s, i) => this.schedulers[i]!.setState(s as Record<string, unknown>));
    this.lastEpoch = stateNumber(state, 'lastEpoch', 'SequentialLR');
    const lastLr = state['lastLr'];
    if (!Array.isArray(lastLr)) throw new Error(`SequentialLR.setState: lastLr must be an array, got ${JSON.stringify(lastLr)}`);
    this.lastLr = lastLr as number[];
    this.optimizer.setLearningRates(this.lastLr);
  }
}

/** Options of {@link warmUpCosineAnnealing}. */
export interface WarmUpCosineOptions extends ScheduleOptions {
  /** Steps of linear warm-up, integer ≥ 1. */
  warmUpSteps: number;
  /** Total steps, warm-up included; the cosine runs over `totalSteps − warmUpSteps`. */
  totalSteps: number;
  /** Factor of the base rate at step 0 of the warm-up, in (0, 1]; default 1/3 (LinearLR's). */
  startFactor?: number;
  /** Smallest rate at the end of the cosine; default 0. */
  etaMin?: number;
}

/**
 * Linear warm-up then cosine annealing: `SequentialLR([LinearLR(startFactor, 1, warmUpSteps), CosineAnnealingLR(totalSteps
 * − warmUpSteps, etaMin)], [warmUpSteps])`, as one writes it in PyTorch.
 */
export function warmUpCosineAnnealing(optimizer: LearningRateControl, options: WarmUpCosineOptions): SequentialLR {
  const warmUp = checkInteger(options.warmUpSteps, 'warmUpSteps', 'warmUpCosineAnnealing', 1);
  const total = checkInteger(options.totalSteps, 'totalSteps', 'warmUpCosineAnnealing', warmUp + 1);
  const interval = options.interval === undefined ? {} : { interval: options.interval };
  const etaMin = checkRange(options.etaMin ?? 0, 'etaMin', 'warmUpCosineAnnealing', 0);
  const warm = new LinearLR(optimizer, { ...interval, startFactor: options.startFactor ?? 1 / 3, endFactor: 1, totalIters: warmUp });
  const cosine = new CosineAnnealingLR(optimizer, { ...interval, tMax: total - warmUp, etaMin });
  return new SequentialLR(optimizer, { schedulers: [warm, cosine], milestones: [warmUp] });
}
