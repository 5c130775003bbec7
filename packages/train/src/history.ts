/** A callback that records every step (and every evaluation) as a row, for CSV files and curves. */
import { Callback, type TrainContext } from './callback.js';
import type { Logs } from './types.js';

/** One optimiser step: where it was, its training loss, and evaluation figures when one ran after it. */
export interface HistoryRecord {
  epoch: number;
  step: number;
  [name: string]: number;
}

/** Records per-step training logs and the evaluations that follow them. */
export class History extends Callback {
  /** Rows, one per optimiser step, in order. */
  records: HistoryRecord[] = [];

  override onBatchEnd(context: TrainContext, logs: Logs): void {
    this.records.push({ epoch: context.epoch + 1, step: context.step, ...logs });
  }

  override onEvaluate(context: TrainContext, logs: Logs): void {
    const last = this.records[this.records.length - 1];
    if (last !== undefined && last.step === context.step) Object.assign(last, logs);
    else this.records.push({ epoch: context.epoch + 1, step: context.step, ...logs });
  }

  /** The rows that have `key`, as `[step, value]` pairs (e.g. the test-accuracy curve). */
  series(key: string): { x: number[]; y: number[] } {
    const rows = this.records.filter((r) => typeof r[key] === 'number');
    return { x: rows.map((r) => r.step), y: rows.map((r) => r[key]!) };
  }

  /** All rows as CSV, with a header of every key seen; missing values are empty cells. */
  toCsv(): string {
    const keys: string[] = ['epoch', 'step'];
    for (const r of this.records) for (const k of Object.keys(r)) if (!keys.includes(k)) keys.push(k);
    const lines = [keys.join(',')];
    for (const r of this.records) lines.push(keys.map((k) => (r[k] === undefined ? '' : String(r[k]))).join(','));
    return `${lines.join('\n')}\n`;
  }

  /** All rows as JSON lines: one JSON object per row, each line ending in a newline. */
  toJsonLines(): string {
    return this.records.map((r) => `${JSON.stringify(r)}\n`).join('');
  }

  override getState(): unknown {
    return { records: this.records };
  }

  override setState(state: unknown): void {
    const records = (state as { records?: unknown })?.records;
    if (!Array.isArray(records)) throw new Error('History.setState: expected { records: [...] }');
    this.records = records as HistoryRecord[];
  }
}
