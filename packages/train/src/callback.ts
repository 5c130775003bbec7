/**
 * Training callbacks, fast.ai/Lightning style: every hook is a documented no-op on the base class, and a callback may
 * carry state (`getState`/`setState`) that checkpoints save and restore.
 */
import type { Logs } from './types.js';

/** Where training is when a hook runs. */
export interface TrainContext {
  /** Epoch, 0-based. */
  epoch: number;
  /** Epochs in the run. */
  epochs: number;
  /** Optimiser steps done so far in the run (the seed's "iteration" count). */
  step: number;
  /** Batch within the epoch, 0-based. */
  batch: number;
  /** Batches per epoch, when the data source knows it. */
  batchesPerEpoch: number | undefined;
  /** Set to true by a callback to stop training after the current step. */
  stopTraining: boolean;
  /**
   * Asks the training loop to write a full checkpoint (see `checkpoint.ts`) into `dir` as soon as the current step
   * (or epoch end) is complete, so that the checkpoint holds a consistent state. Provided by `fit`.
   */
  requestCheckpoint?: (dir: string) => void;
}

/** Base class of callbacks. Override the hooks you need. */
export class Callback {
  /** Before the first epoch. */
  onTrainBegin(_context: TrainContext): void | Promise<void> {}
  /** At the start of each epoch. */
  onEpochBegin(_context: TrainContext): void | Promise<void> {}
  /** After each optimiser step; `logs` has `loss`, `batchSize`, `seconds` (wall time of the step). */
  onBatchEnd(_context: TrainContext, _logs: Logs): void | Promise<void> {}
  /** After each evaluation on held-out data; `logs` has `loss`, `accuracy` (prefixed by the evaluation's name). */
  onEvaluate(_context: TrainContext, _logs: Logs): void | Promise<void> {}
  /** At the end of each epoch, with the epoch's mean training loss and the last evaluation. */
  onEpochEnd(_context: TrainContext, _logs: Logs): void | Promise<void> {}
  /** After the last epoch, or when training stops early or fails (then `error` is set). */
  onTrainEnd(_context: TrainContext, _error?: unknown): void | Promise<void> {}
  /** State to save in a checkpoint; JSON-serialisable. */
  getState(): unknown {
    return undefined;
  }
  /** Restores what {@link getState} returned. */
  setState(_state: unknown): void {}
}

/** Runs a list of callbacks in order. */
export class CallbackList {
  constructor(readonly callbacks: readonly Callback[]) {}

  async call<K extends 'onTrainBegin' | 'onEpochBegin' | 'onTrainEnd'>(hook: K, context: TrainContext, extra?: unknown): Promise<void> {
    for (const cb of this.callbacks) await cb[hook](context, extra);
  }

  async callWithLogs<K extends 'onBatchEnd' | 'onEvaluate' | 'onEpochEnd'>(hook: K, context: TrainContext, logs: Logs): Promise<void> {
    for (const cb of this.callbacks) await cb[hook](context, logs);
  }
}
