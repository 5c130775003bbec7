/** A callback that appends the training log to a JSON-lines file as training goes. */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Callback, type TrainContext } from './callback.js';
import type { Logs } from './types.js';

/**
 * Appends one JSON object per line to `path`: `{"event":"step","epoch":1,"step":1,"loss":…}` after each optimiser
 * step, `{"event":"evaluation",…}` after each evaluation and `{"event":"epoch",…}` at each epoch end (epochs 1-based).
 * Lines are written synchronously, so the file is complete up to the last step even if the process dies; a resumed run
 * keeps appending to the same file.
 */
export class JsonLinesLogger extends Callback {
  /** The file written. */
  readonly path: string;

  constructor(path: string) {
    super();
    if (typeof path !== 'string' || path === '') throw new Error(`JsonLinesLogger: path must be a file path, got ${String(path)}`);
    this.path = path;
  }

  private write(event: string, context: TrainContext, logs: Logs): void {
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, `${JSON.stringify({ event, epoch: context.epoch + 1, step: context.step, ...logs })}\n`);
  }

  override onBatchEnd(context: TrainContext, logs: Logs): void {
    this.write('step', context, logs);
  }

  override onEvaluate(context: TrainContext, logs: Logs): void {
    this.write('evaluation', context, logs);
  }

  override onEpochEnd(context: TrainContext, logs: Logs): void {
    this.write('epoch', context, logs);
  }
}
