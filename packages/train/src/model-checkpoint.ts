/** A callback that writes checkpoints of the best model by a chosen figure and of the last state. */
import { Callback, type TrainContext } from './callback.js';
import { Monitor, type MonitorOptions } from './monitor.js';
import type { Logs } from './types.js';

/** Options of {@link ModelCheckpoint}. */
export interface ModelCheckpointOptions extends MonitorOptions {
  /** Directory that receives `best/` and `last/` checkpoint directories (created as needed). */
  dir: string;
  /** Write `<dir>/best` whenever the monitored figure improves. Default true. */
  saveBest?: boolean;
  /** Write `<dir>/last` at every epoch end (and every `everySteps` steps, and when training stops). Default true. */
  saveLast?: boolean;
  /** Also write `<dir>/last` every this many optimiser steps, a positive integer. Default: only at epoch ends. */
  everySteps?: number;
}

/**
 * Writes full training checkpoints (see `checkpoint.ts`) that `fit(..., { resume: '<dir>/last' })` continues from.
 * Writing is requested from the hooks and done by `fit` once the current step (or epoch end) is complete, so a
 * checkpoint always holds a consistent state; a run that fails (e.g. a NaN loss) writes nothing more, leaving the last
 * good checkpoint in place.
 */
export class ModelCheckpoint extends Callback {
  /** Directory of the checkpoints. */
  readonly dir: string;
  readonly saveBest: boolean;
  readonly saveLast: boolean;
  private readonly everySteps: number | undefined;
  private readonly tracker: Monitor;
  /** Step of the best checkpoint, or undefined. */
  bestStep: number | undefined;

  constructor(options: ModelCheckpointOptions) {
    super();
    if (typeof options?.dir !== 'string' || options.dir === '') throw new Error(`ModelCheckpoint: dir must be a directory path, got ${String(options?.dir)}`);
    this.dir = options.dir;
    this.saveBest = options.saveBest ?? true;
    this.saveLast = options.saveLast ?? true;
    this.everySteps = options.everySteps;
    if (this.everySteps !== undefined && (!Number.isInteger(this.everySteps) || this.everySteps < 1)) {
      throw new Error(`ModelCheckpoint: everySteps must be a positive integer, got ${String(this.everySteps)}`);
    }
    this.tracker = new Monitor('ModelCheckpoint', options);
  }

  /** `<dir>/best`. */
  get bestDir(): string {
    return `${this.dir.replace(/[\\/]+$/, '')}/best`;
  }

  /** `<dir>/last`. */
  get lastDir(): string {
    return `${this.dir.replace(/[\\/]+$/, '')}/last`;
  }

  /** Best monitored value so far. */
  get best(): number | undefined {
    return this.tracker.best;
  }

  private request(context: TrainContext, dir: string): void {
    if (context.requestCheckpoint === undefined) throw new Error('ModelCheckpoint needs the fit() of @cnn/train, which provides context.requestCheckpoint');
    context.requestCheckpoint(dir);
  }

  private checkBest(context: TrainContext, value: number | undefined): void {
    if (!this.saveBest || value === undefined || !this.tracker.update(value)) return;
    this.bestStep = context.step;
    this.request(context, this.bestDir);
  }

  override onBatchEnd(context: TrainContext): void {
    if (this.saveLast && this.everySteps !== undefined && context.step % this.everySteps === 0) this.request(context, this.lastDir);
  }

  override onEvaluate(context: TrainContext, logs: Logs): void {
    this.checkBest(context, this.tracker.read(logs, 'evaluate'));
  }

  override onEpochEnd(context: TrainContext, logs: Logs): void {
    this.checkBest(context, this.tracker.read(logs, 'epoch'));
    if (this.saveLast) this.request(context, this.lastDir);
  }

  override onTrainEnd(context: TrainContext, error?: unknown): void {
    if (error === undefined && this.saveLast) this.request(context, this.lastDir);
  }

  override getState(): unknown {
    return { ...this.tracker.getState(), bestStep: this.bestStep ?? null };
  }

  override setState(state: unknown): void {
    const s = state as { best?: number | null; seenInEvaluation?: boolean; bestStep?: number | null };
    this.tracker.setState(s);
    this.bestStep = s.bestStep ?? undefined;
  }
}
