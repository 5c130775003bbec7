/** The bench's results: one record per (model, backend), the JSON file's contents, and the printed table. */

/** One row of the results; the JSON file holds an array of these. */
export interface BenchRecord {
  /** Bench model name. */
  model: string;
  /** Backend name (`@cnn/backend`'s, `wasm-x2`, or `pytorch` for the reference). */
  backend: string;
  /** Images per optimiser step. */
  batchSize: number;
  /** Timed optimiser steps. */
  steps: number;
  /** Timed images per second of training; null when the run failed. */
  imagesPerSecond: number | null;
  /** Peak resident set size of the measuring process in MiB (getrusage maxrss); null when the run failed. */
  peakMemoryMB: number | null;
  /** The model's own batch size, when this row was measured with another one (e.g. the CPU backend). */
  modelBatchSize?: number;
  /** Micro-batch size, when each step was split with gradient accumulation. */
  microBatchSize?: number;
  /** Size of the WASM heap at the end in MiB (WASM backends; part of peakMemoryMB). */
  wasmHeapMB?: number;
  /** Why the run failed. */
  error?: string;
  /** Anything else the figures need said (e.g. why micro-batches were used). */
  note?: string;
  /** With several rounds: each round's images per second, in order (`imagesPerSecond` is their median). */
  roundImagesPerSecond?: (number | null)[];
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * One record from a (model, backend)'s rounds: the median images/s of the rounds that ran (null when none did), the
 * largest peak memory, every round's figure, and the last round's other fields (an error only when every round failed).
 */
export function combineRounds(rounds: readonly BenchRecord[]): BenchRecord {
  const last = rounds.at(-1);
  if (last === undefined) throw new Error('combineRounds: no rounds');
  if (rounds.length === 1) return last;
  const rates = rounds.map((r) => r.imagesPerSecond).filter((v): v is number => v !== null);
  const memory = rounds.map((r) => r.peakMemoryMB).filter((v): v is number => v !== null);
  const failed = rounds.find((r) => r.imagesPerSecond === null);
  const { error: _error, ...rest } = last;
  return {
    ...rest,
    imagesPerSecond: rates.length > 0 ? median(rates) : null,
    peakMemoryMB: memory.length > 0 ? Math.max(...memory) : null,
    roundImagesPerSecond: rounds.map((r) => r.imagesPerSecond),
    ...(rates.length === 0 ? { error: last.error ?? 'every round failed' } : failed !== undefined ? { note: [rest.note, `a round failed: ${failed.error ?? ''}`].filter(Boolean).join('; ') } : {}),
  };
}

/** A backend that was not measured because it is not present here. */
export interface SkippedBackend {
  model: string;
  backend: string;
  reason: string;
}

/** A ratio with as many digits as it needs: `1892`, `12.3`, `0.49`, `0.0014`. */
function ratioDigits(r: number): string {
  return r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r >= 0.1 ? r.toFixed(2) : r.toPrecision(2);
}

/** `value` as `12.3x`, or `-` when either side is missing. */
function ratio(value: number | null, reference: number | null | undefined): string {
  if (value === null || reference === null || reference === undefined || reference <= 0) return '-';
  return `${ratioDigits(value / reference)}x`;
}

/** Images per second for people: three significant figures or so, `failed` for null. */
export function rate(value: number | null): string {
  if (value === null) return 'failed';
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value >= 1 ? value.toFixed(2) : value.toPrecision(2);
}

/** The range of this row's per-round ratios to PyTorch's figure of the same round, when both ran in rounds. */
function roundRatios(record: BenchRecord, pytorch: BenchRecord | undefined): string {
  const ours = record.roundImagesPerSecond;
  const theirs = pytorch?.roundImagesPerSecond;
  if (record === pytorch || ours === undefined || theirs === undefined || ours.length !== theirs.length) return '';
  const ratios = ours.flatMap((v, i) => (v !== null && theirs[i] != null && theirs[i]! > 0 ? [v / theirs[i]!] : []));
  if (ratios.length < 2) return '';
  return `x PyTorch by round ${ratioDigits(Math.min(...ratios))}–${ratioDigits(Math.max(...ratios))}`;
}

/** What a row's figures need said next to them. */
function notes(record: BenchRecord, cpu: BenchRecord | undefined): string {
  const parts: string[] = [];
  const rounds = record.roundImagesPerSecond?.filter((v): v is number => v !== null);
  if (rounds !== undefined && rounds.length > 1) {
    parts.push(`median of ${record.roundImagesPerSecond!.length} rounds, ${rate(Math.min(...rounds))}–${rate(Math.max(...rounds))}`);
  }
  if (record.modelBatchSize !== undefined) parts.push(`batch ${record.batchSize}, not ${record.modelBatchSize}`);
  if (record.microBatchSize !== undefined) parts.push(`micro-batches of ${record.microBatchSize}`);
  if (record.note !== undefined) parts.push(record.note);
  if (record.wasmHeapMB !== undefined) parts.push(`WASM heap ${record.wasmHeapMB.toFixed(0)} MB`);
  if (record !== cpu && cpu?.modelBatchSize !== undefined && record.imagesPerSecond !== null) parts.push(`x CPU vs CPU at batch ${cpu.batchSize}`);
  if (record.error !== undefined) parts.push(record.error);
  return parts.join('; ');
}

/**
 * The results as a text table, one block per model: images/s, peak memory, the ratio to PyTorch's images/s and to
 * the CPU backend's (both from this run), and notes (other batch sizes, micro-batching, failures); then the skipped
 * backends with their reasons.
 */
export function formatTable(records: readonly BenchRecord[], skipped: readonly SkippedBackend[] = []): string {
  const header = ['model', 'backend', 'batch', 'steps', 'images/s', 'peak MB', 'x PyTorch', 'x CPU', 'notes'];
  const rows: string[][] = [];
  const models = [...new Set(records.map((r) => r.model))];
  for (const model of models) {
    const own = records.filter((r) => r.model === model);
    const pytorch = own.find((r) => r.backend === 'pytorch');
    const cpu = own.find((r) => r.backend === 'cpu' && r.imagesPerSecond !== null);
    for (const r of own) {
      rows.push([
        r.model,
        r.backend,
        String(r.batchSize),
        String(r.steps),
        rate(r.imagesPerSecond),
        r.peakMemoryMB === null ? '-' : r.peakMemoryMB.toFixed(0),
        r === pytorch ? '1x' : ratio(r.imagesPerSecond, pytorch?.imagesPerSecond),
        r === cpu ? '1x' : ratio(r.imagesPerSecond, cpu?.imagesPerSecond),
        [roundRatios(r, pytorch), notes(r, cpu)].filter((n) => n !== '').join('; '),
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const numeric = new Set([2, 3, 4, 5, 6, 7]);
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : numeric.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(header), line(widths.map((w, i) => (i === widths.length - 1 ? '-----' : '-'.repeat(w)))), ...rows.map(line)];
  if (skipped.length > 0) {
    out.push('', 'Skipped (not present here):');
    const seen = new Set<string>();
    for (const s of skipped) {
      const key = `${s.backend}\u0000${s.reason}`;
      if (seen.has(key)) continue; // the same backend is usually absent for every model
      seen.add(key);
      out.push(`  ${s.backend}: ${s.reason}`);
    }
  }
  return out.join('\n');
}
