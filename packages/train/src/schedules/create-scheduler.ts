/** Schedules by name, for configurations: `createScheduler(optimizer, { name: 'StepLR', stepSize: 30 })`. */
import type { LearningRateControl, LRScheduler } from '../optim/types.js';
import { CosineAnnealingLR, type CosineAnnealingLROptions } from './cosine-annealing-lr.js';
import { CosineAnnealingWarmRestarts, type CosineAnnealingWarmRestartsOptions } from './cosine-annealing-warm-restarts.js';
import { ExponentialLR, type ExponentialLROptions } from './exponential-lr.js';
import { LinearLR, type LinearLROptions } from './linear-lr.js';
import type { LRSchedulerBase } from './lr-scheduler.js';
import { MultiStepLR, type MultiStepLROptions } from './multi-step-lr.js';
import { OneCycleLR, type OneCycleLROptions } from './one-cycle-lr.js';
import { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './reduce-lr-on-plateau.js';
import { SequentialLR } from './sequential-lr.js';
import { StepLR, type StepLROptions } from './step-lr.js';

/** Names {@link createScheduler} accepts: PyTorch's class names. */
export const SCHEDULER_NAMES = [
  'StepLR',
  'MultiStepLR',
  'ExponentialLR',
  'CosineAnnealingLR',
  'CosineAnnealingWarmRestarts',
  'LinearLR',
  'OneCycleLR',
  'SequentialLR',
  'ReduceLROnPlateau',
] as const;

/** A step-driven schedule spec (everything but ReduceLROnPlateau and SequentialLR), usable inside SequentialLR. */
export type StepScheduleSpec =
  | ({ name: 'StepLR' } & StepLROptions)
  | ({ name: 'MultiStepLR' } & MultiStepLROptions)
  | ({ name: 'ExponentialLR' } & ExponentialLROptions)
  | ({ name: 'CosineAnnealingLR' } & CosineAnnealingLROptions)
  | ({ name: 'CosineAnnealingWarmRestarts' } & CosineAnnealingWarmRestartsOptions)
  | ({ name: 'LinearLR' } & LinearLROptions)
  | ({ name: 'OneCycleLR' } & OneCycleLROptions);

/** A schedule by PyTorch class name with its options (camelCase argument names). */
export type SchedulerSpec =
  | StepScheduleSpec
  | ({ name: 'ReduceLROnPlateau' } & ReduceLROnPlateauOptions)
  | { name: 'SequentialLR'; schedulers: readonly StepScheduleSpec[]; milestones: readonly number[] };

function createStepSchedule(optimizer: LearningRateControl, spec: StepScheduleSpec): LRSchedulerBase {
  switch (spec.name) {
    case 'StepLR':
      return new StepLR(optimizer, spec);
    case 'MultiStepLR':
      return new MultiStepLR(optimizer, spec);
    case 'ExponentialLR':
      return new ExponentialLR(optimizer, spec);
    case 'CosineAnnealingLR':
      return new CosineAnnealingLR(optimizer, spec);
    case 'CosineAnnealingWarmRestarts':
      return new CosineAnnealingWarmRestarts(optimizer, spec);
    case 'LinearLR':
      return new LinearLR(optimizer, spec);
    case 'OneCycleLR':
      return new OneCycleLR(optimizer, spec);
  }
}

/**
 * Builds a schedule on `optimizer` from a spec named as PyTorch's class (`{ name: 'CosineAnnealingLR', tMax: 30 }`);
 * SequentialLR's `schedulers` are specs too. Unknown names are refused with the list of known ones.
 */
export function createScheduler(optimizer: LearningRateControl, spec: SchedulerSpec): LRScheduler {
  const name = (spec as { name?: unknown } | undefined)?.name;
  if (!SCHEDULER_NAMES.includes(name as (typeof SCHEDULER_NAMES)[number])) {
    throw new Error(`Unknown learning-rate schedule '${String(name)}'; known schedules: ${SCHEDULER_NAMES.join(', ')}`);
  }
  if (spec.name === 'ReduceLROnPlateau') return new ReduceLROnPlateau(optimizer, spec);
  if (spec.name === 'SequentialLR') {
    if (!Array.isArray(spec.schedulers)) throw new Error(`SequentialLR: schedulers must be an array of schedule specs, got ${String(spec.schedulers)}`);
    const schedulers = spec.schedulers.map((s) => {
      const inner = (s as { name?: unknown } | undefined)?.name;
      if (inner === 'SequentialLR' || inner === 'ReduceLROnPlateau') {
        throw new Error(`SequentialLR: cannot sequence '${String(inner)}'; use step-driven schedules (StepLR, LinearLR, CosineAnnealingLR, ...)`);
      }
      if (!SCHEDULER_NAMES.includes(inner as (typeof SCHEDULER_NAMES)[number])) {
        throw new Error(`Unknown learning-rate schedule '${String(inner)}' in SequentialLR; known schedules: ${SCHEDULER_NAMES.join(', ')}`);
      }
      return createStepSchedule(optimizer, s);
    });
    return new SequentialLR(optimizer, { schedulers, milestones: spec.milestones });
  }
  return createStepSchedule(optimizer, spec);
}
