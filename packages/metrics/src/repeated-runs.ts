/**
 * Mean and standard deviation of a metric over repeated runs (seed 003 trains every model three
 * times and reports the mean).
 */

/** The summary of one metric over repeated runs. */
export interface RunSummary {
  /** The number of runs. */
  readonly n: number;
  /** The arithmetic mean. */
  readonly mean: number;
  /**
   * The sample standard deviation (ddof = 1, divisor n - 1), as pandas' `Series.std()` and R's `sd`:
   * the usual estimate of run-to-run spread from a few runs, and what "mean ± std over 3 runs"
   * normally means in papers. `NaN` for a single run, as pandas.
   */
  readonly std: number;
  /** The population standard deviation (ddof = 0, divisor n), as NumPy's `np.std` default. 0 for one run. */
  readonly populationStd: number;
  readonly min: number;
  readonly max: number;
  /** The values, in run order (a copy). */
  readonly values: readonly number[];
}

/**
 * Summarises one metric over repeated runs: n, mean, sample and population standard deviation,
 * min and max. The standard deviations use two passes (mean first), so large offsets such as
 * timestamps do not lose precision.
 *
 * @param values One value per run, e.g. the final test accuracy of each run.
 * @throws If `values` is empty or holds a value that is not a finite number (naming its index).
 */
export function summarizeRuns(values: ArrayLike<number>): RunSummary {
  const copy = Array.from(values);
  if (copy.length === 0) throw new Error('summarizeRuns needs at least one run, but values is empty.');
  copy.forEach((value, i) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new Error(`summarizeRuns: values[${i}] is ${String(value)}; every run must give a finite number (check that run).`);
    }
  });
  const n = copy.length;
  const mean = copy.reduce((sum, value) => sum + value, 0) / n;
  const squares = copy.reduce((sum, value) => sum + (value - mean) ** 2, 0);
  return {
    n,
    mean,
    std: n > 1 ? Math.sqrt(squares / (n - 1)) : Number.NaN,
    populationStd: Math.sqrt(squares / n),
    min: Math.min(...copy),
    max: Math.max(...copy),
    values: copy,
  };
}

/**
 * Summarises several metrics over repeated runs: each run is a record of metric values (e.g.
 * `{ trainAccuracy, testAccuracy }`), and each metric found in every run gets a {@link RunSummary}.
 *
 * @throws If there are no runs, the runs do not all have the same metric names, or a value is not finite.
 */
export function summarizeRunMetrics(runs: readonly Readonly<Record<string, number>>[]): Record<string, RunSummary> {
  if (runs.length === 0) throw new Error('summarizeRunMetrics needs at least one run, but runs is empty.');
  const names = Object.keys(runs[0]!);
  runs.forEach((run, i) => {
    const keys = Object.keys(run);
    if (keys.length !== names.length || !names.every((name) => name in run)) {
      throw new Error(
        `summarizeRunMetrics: run ${i} has metrics [${keys.join(', ')}] but run 0 has [${names.join(', ')}]; give every run the same metrics.`,
      );
    }
  });
  const result: Record<string, RunSummary> = {};
  for (const name of names) {
    try {
      result[name] = summarizeRuns(runs.map((run) => run[name]!));
    } catch (error) {
      throw new Error(`summarizeRunMetrics: metric '${name}': ${(error as Error).message}`);
    }
  }
  return result;
}

/**
 * Formats a summary as `mean ± std (n = N)` with `digits` decimals (default 4), using the sample
 * standard deviation; a single run prints as `mean (n = 1)`.
 */
export function formatRunSummary(summary: RunSummary, digits = 4): string {
  if (summary.n === 1) return `${summary.mean.toFixed(digits)} (n = 1)`;
  return `${summary.mean.toFixed(digits)} ± ${summary.std.toFixed(digits)} (n = ${summary.n})`;
}
