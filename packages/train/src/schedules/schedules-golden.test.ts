import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SGD } from '../optim/sgd.js';
import { createScheduler, type SchedulerSpec } from './create-scheduler.js';
import { warmUpCosineAnnealing } from './sequential-lr.js';
import type { LRScheduler } from '../optim/types.js';

/** Written by tools/reference/optim_golden.py: torch.optim.lr_scheduler on an SGD with groups at lr 0.1 and 0.01. */
interface Fixture {
  initialLrs: number[];
  steps: number;
  cases: Record<string, { spec: SchedulerSpec; lrs: number[][]; metrics?: number[] }>;
}
const fixture = JSON.parse(readFileSync(new URL('../__fixtures__/schedule-golden.json', import.meta.url), 'utf8')) as Fixture;

/** An optimiser with two parameter groups at the fixture's rates (the second group matches no variable; only rates matter). */
function twoGroupOptimizer(): SGD {
  return new SGD({ lr: fixture.initialLrs[0]!, paramGroups: [{ filter: () => false, lr: fixture.initialLrs[1]! }] });
}

function expectRates(actual: number[], expected: number[], where: string): void {
  expect(actual.length, where).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    expect(Math.abs(a - e), `${where}, group ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(1e-12 * Math.max(Math.abs(e), 1e-3));
  });
}

function run(scheduler: LRScheduler, optimizer: SGD, lrs: number[][], metrics: number[] | undefined, from: number): void {
  for (let t = from; t < fixture.steps; t += 1) {
    scheduler.step(metrics?.[t]);
    expectRates(scheduler.getLastLr(), lrs[t + 1]!, `step ${t + 1}`);
    expectRates(optimizer.getLearningRates(), lrs[t + 1]!, `optimizer at step ${t + 1}`);
  }
}

describe('schedules match torch.optim.lr_scheduler for 30 steps (1e-12 relative)', () => {
  for (const [key, c] of Object.entries(fixture.cases)) {
    it(key, () => {
      const optimizer = twoGroupOptimizer();
      const scheduler = createScheduler(optimizer, c.spec);
      expectRates(scheduler.getLastLr(), c.lrs[0]!, 'after construction');
      expectRates(optimizer.getLearningRates(), c.lrs[0]!, 'optimizer after construction');
      run(scheduler, optimizer, c.lrs, c.metrics, 0);
    });
  }

  it('warmUpCosineAnnealing is SequentialLR(LinearLR, CosineAnnealingLR)', () => {
    const c = fixture.cases['sequential_warm_up_cosine']!;
    const optimizer = twoGroupOptimizer();
    const scheduler = warmUpCosineAnnealing(optimizer, { warmUpSteps: 5, totalSteps: 30, startFactor: 0.1 });
    expectRates(scheduler.getLastLr(), c.lrs[0]!, 'after construction');
    run(scheduler, optimizer, c.lrs, undefined, 0);
  });
});

describe('getState → JSON → setState on fresh objects continues identically', () => {
  for (const [key, c] of Object.entries(fixture.cases)) {
    it(key, () => {
      const first = twoGroupOptimizer();
      const scheduler = createScheduler(first, c.spec);
      for (let t = 0; t < 13; t += 1) scheduler.step(c.metrics?.[t]);
      const saved = JSON.parse(JSON.stringify(scheduler.getState())) as Record<string, unknown>;
      const optimizer = twoGroupOptimizer();
      const resumed = createScheduler(optimizer, c.spec);
      resumed.setState(saved);
      expectRates(optimizer.getLearningRates(), c.lrs[13]!, 'restored rates');
      run(resumed, optimizer, c.lrs, c.metrics, 13);
    });
  }
});

describe('intervals and bad input', () => {
  it('OneCycleLR steps per iteration, the others per epoch unless told', () => {
    expect(createScheduler(twoGroupOptimizer(), { name: 'OneCycleLR', maxLr: 1, totalSteps: 10 }).interval).toBe('iteration');
    expect(createScheduler(twoGroupOptimizer(), { name: 'StepLR', stepSize: 3 }).interval).toBe('epoch');
    expect(createScheduler(twoGroupOptimizer(), { name: 'CosineAnnealingLR', tMax: 3, interval: 'iteration' }).interval).toBe('iteration');
    expect(createScheduler(twoGroupOptimizer(), { name: 'ReduceLROnPlateau' }).interval).toBe('epoch');
  });

  it('unknown names list the known ones', () => {
    expect(() => createScheduler(twoGroupOptimizer(), { name: 'CosineLR' } as unknown as SchedulerSpec)).toThrow(
      /Unknown learning-rate schedule 'CosineLR'; known schedules: StepLR, MultiStepLR, .*ReduceLROnPlateau/,
    );
  });

  it('bad options name the value', () => {
    expect(() => createScheduler(twoGroupOptimizer(), { name: 'StepLR', stepSize: 0 })).toThrow(/stepSize must be an integer ≥ 1, got 0/);
    expect(() => createScheduler(twoGroupOptimizer(), { name: 'ReduceLROnPlateau', factor: 1 })).toThrow(/factor must be < 1, got 1/);
    expect(() => createScheduler(twoGroupOptimizer(), { name: 'ReduceLROnPlateau', minLr: [0] })).toThrow(/minLr must be a number or 2 number/);
    expect(() => createScheduler(twoGroupOptimizer(), { name: 'OneCycleLR', maxLr: [1], totalSteps: 5 })).toThrow(/maxLr must be a number or 2/);
    expect(() =>
      createScheduler(twoGroupOptimizer(), { name: 'SequentialLR', schedulers: [{ name: 'StepLR', stepSize: 2 }], milestones: [3] }),
    ).toThrow(/needs 0 milestone\(s\) for 1 schedulers/);
    const plateau = createScheduler(twoGroupOptimizer(), { name: 'ReduceLROnPlateau' });
    expect(() => plateau.step()).toThrow(/needs the monitored metric/);
    const oneCycle = createScheduler(twoGroupOptimizer(), { name: 'OneCycleLR', maxLr: 1, totalSteps: 2 });
    oneCycle.step();
    oneCycle.step();
    expect(() => oneCycle.step()).toThrow(/tried to step 3 times; totalSteps is 2/);
  });
});
