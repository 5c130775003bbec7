/**
 * Compares summarizeRuns with NumPy's mean, std(ddof=1) and std(ddof=0) on the values in
 * `__fixtures__/sklearn-metrics.json` (written by `tools/reference/sklearn_metrics.py`).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatRunSummary, summarizeRunMetrics, summarizeRuns } from './repeated-runs.js';

type Value = number | 'NaN';
const fixture = JSON.parse(readFileSync(new URL('./__fixtures__/sklearn-metrics.json', import.meta.url), 'utf8')) as {
  runs: { values: number[]; mean: number; std: Value; populationStd: number; min: number; max: number }[];
};

/** Relative closeness: the large-offset case's std is ~0.13 on values ~1e9. */
function expectClose(actual: number, expected: Value, what: string): void {
  if (expected === 'NaN') {
    expect(actual, what).toBeNaN();
    return;
  }
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
}

describe('summarizeRuns', () => {
  it('matches NumPy on the fixture values (sample and population std)', () => {
    for (const [i, entry] of fixture.runs.entries()) {
      const summary = summarizeRuns(entry.values);
      expect(summary.n).toBe(entry.values.length);
      expectClose(summary.mean, entry.mean, `runs[${i}] mean`);
      expectClose(summary.std, entry.std, `runs[${i}] std`);
      expectClose(summary.populationStd, entry.populationStd, `runs[${i}] populationStd`);
      expect(summary.min).toBe(entry.min);
      expect(summary.max).toBe(entry.max);
    }
    // Large offsets: a one-pass sum of squares would lose the ~0.129 spread of 1e9 + 0.1 … 0.4.
    expect(summarizeRuns([1e9 + 0.1, 1e9 + 0.2, 1e9 + 0.3, 1e9 + 0.4]).std).toBeCloseTo(0.1290994, 6);
  });

  it('summarises several metrics per run and formats mean ± std', () => {
    const summaries = summarizeRunMetrics([
      { train: 0.9, test: 0.81 },
      { test: 0.83, train: 0.92 },
      { train: 0.91, test: 0.82 },
    ]);
    expect(summaries.test!.mean).toBeCloseTo(0.82, 15);
    expect(summaries.test!.std).toBeCloseTo(0.01, 15);
    expect(formatRunSummary(summaries.test!, 3)).toBe('0.820 ± 0.010 (n = 3)');
    expect(formatRunSummary(summarizeRuns([0.5]))).toBe('0.5000 (n = 1)');
  });

  it('rejects empty input, non-finite values and mismatched metrics', () => {
    expect(() => summarizeRuns([])).toThrow('needs at least one run');
    expect(() => summarizeRuns([0.8, Number.NaN])).toThrow('values[1] is NaN');
    expect(() => summarizeRunMetrics([{ a: 1 }, { b: 1 }])).toThrow('run 1 has metrics [b] but run 0 has [a]');
    expect(() => summarizeRunMetrics([{ a: 1 }, { a: Infinity }])).toThrow("metric 'a': summarizeRuns: values[1] is Infinity");
    expect(() => summarizeRunMetrics([])).toThrow('needs at least one run');
  });
});
