/** `torch.optim.lr_scheduler.OneCycleLR` (learning rate only). */
import type { LearningRateControl } from '../optim/types.js';
import { checkInteger, checkOptimizer, checkRange, LRSchedulerBase, setInitialLearningRates, type ScheduleOptions } from './lr-scheduler.js';

/** Options of {@link OneCycleLR}, with PyTorch's names (`max_lr` → `maxLr`, ...). Momentum cycling is not offered. */
export interface OneCycleLROptions extends ScheduleOptions {
  /** Peak rate, one for all groups or one per group. */
  maxLr: number | readonly number[];
  /** Steps in the cycle (optimiser steps by default: epochs × batches per epoch), integer ≥ 1. */
  totalSteps: number;
  /** Fraction of the cycle spent increasing the rate, in [0, 1]; default 0.3. */
  pctStart?: number;
  /** `'cos'` (default) or `'linear'` annealing. */
  annealStrategy?: 'cos' | 'linear';
  /** Initial rate = maxLr / divFactor; default 25. */
  divFactor?: number;
  /** Final rate = initial rate / finalDivFactor; default 1e4. */
  finalDivFactor?: number;
  /** Three phases (up, back down to the initial rate, then to the final rate) as the original paper; default false (fastai's two). */
  threePhase?: boolean;
}

interface Phase {
  endStep: number;
  start: 'initial' | 'max' | 'min';
  end: 'initial' | 'max' | 'min';
}

/**
 * The 1cycle policy: from maxLr / divFactor up to maxLr over `pctStart` of the cycle, then down to
 * initial / finalDivFactor. As PyTorch: stepped after every optimiser step (`interval: 'iteration'` is the default),
 * and it overwrites the optimiser's rates and base rates at construction. PyTorch's `cycle_momentum` (on by default
 * there) is not implemented: this matches `cycle_momentum=False`.
 */
export class OneCycleLR extends LRSchedulerBase {
  private readonly totalSteps: number;
  private readonly phases: Phase[];
  private readonly annealStrategy: 'cos' | 'linear';
  private readonly rates: Record<'initial' | 'max' | 'min', number[]>;

  /** @param optimizer The optimiser whose rates this schedule sets. */
  constructor(optimizer: LearningRateControl, options: OneCycleLROptions) {
    const where = 'OneCycleLR';
    const groups = checkOptimizer(optimizer, where).getLearningRates().length;
    const maxLr = typeof options.maxLr === 'number' ? new Array<number>(groups).fill(options.maxLr) : options.maxLr;
    if (!Array.isArray(maxLr) || maxLr.length !== groups) {
      throw new Error(`${where}: maxLr must be a number or ${groups} number(s) (one per parameter group), got ${JSON.stringify(options.maxLr)}`);
    }
    maxLr.forEach((lr, i) => checkRange(lr, `maxLr[${i}]`, where, 0));
    const divFactor = checkRange(options.divFactor ?? 25, 'divFactor', where, Number.MIN_VALUE);
    const finalDivFactor = checkRange(options.finalDivFactor ?? 1e4, 'finalDivFactor', where, Number.MIN_VALUE);
    const initial = maxLr.map((lr) => lr / divFactor);
    setInitialLearningRates(optimizer, initial);
    super(optimizer, options, where, 'iteration');
    this.rates = { initial, max: [...maxLr], min: initial.map((lr) => lr / finalDivFactor) };
    this.totalSteps = checkInteger(options.totalSteps, 'totalSteps', where, 1);
    const pctStart = checkRange(options.pctStart ?? 0.3, 'pctStart', where, 0, 1);
    const anneal = options.annealStrategy ?? 'cos';
    if (anneal !== 'cos' && anneal !== 'linear') throw new Error(`${where}: annealStrategy must be 'cos' or 'linear', got ${String(anneal)}`);
    this.annealStrategy = anneal;
    const total = this.totalSteps;
    this.phases = options.threePhase
      ? [
          { endStep: pctStart * total - 1, start: 'initial', end: 'max' },
          { endStep: 2 * pctStart * total - 2, start: 'max', end: 'initial' },
          { endStep: total - 1, start: 'initial', end: 'min' },
        ]
      : [
          { endStep: pctStart * total - 1, start: 'initial', end: 'max' },
          { endStep: total - 1, start: 'max', end: 'min' },
        ];
    this.initialStep();
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'linear') return (end - start) * pct + start;
    const cosOut = Math.cos(Math.PI * pct) + 1;
    return end + ((start - end) / 2) * cosOut;
  }

  protected getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new Error(`OneCycleLR: tried to step ${stepNum} times; totalSteps is ${this.totalSteps}. Set totalSteps to epochs × batches per epoch`);
    }
    return this.baseLrs.map((_, group) => {
      let startStep = 0;
      for (const [i, phase] of this.phases.entries()) {
        if (stepNum <= phase.endStep || i === this.phases.length - 1) {
          const pct = (stepNum - startStep) / (phase.endStep - startStep);
          return this.anneal(this.rates[phase.start][group]!, this.rates[phase.end][group]!, pct);
        }
        startStep = phase.endStep;
      }
      throw new Error('OneCycleLR: no phase (unreachable)');
    });
  }
}
