/** Repeated runs of a study (seed 003: `repeats: 3`): each run's figures and their mean and standard deviation. */

/** Result of {@link repeatRuns}. */
export interface RepeatSummary {
  /** Each run's figures, in run order (a run that returned a number is `{ value }`). */
  runs: Record<string, number>[];
  /** Mean of each figure over the runs. */
  mean: Record<string, number>;
  /** Standard deviation of each figure over the runs (see {@link RepeatOptions.ddof}). */
  std: Record<string, number>;
}

/** Options of {@link repeatRuns}. */
export interface RepeatOptions {
  /**
   * Delta degrees of freedom of the standard deviation: 1 (default: the sample deviation, as `torch.std`, pandas and
   * `@cnn/metrics`' `summarizeRuns`, since a few runs estimate the spread of another run) or 0 (numpy's `np.std`,
   * population). With one run and ddof 1 the deviation is NaN.
   */
  ddof?: 0 | 1;
}

/**
 * Runs `run(0)`, `run(1)`, ... `run(n − 1)` one after another and summarises their figures. Each run returns a number
 * (summarised as `value`) or a record of numbers; every run must return the same keys.
 */
export async function repeatRuns(
  n: number,
  run: (runIndex: number) => Promise<number | Record<string, number>>,
  options: RepeatOptions = {},
): Promise<RepeatSummary> {
  if (!Number.isInteger(n) || n < 1) throw new Error(`repeatRuns: n must be a positive integer, got ${String(n)}`);
  const ddof = options.ddof ?? 1;
  if (ddof !== 0 && ddof !== 1) throw new Error(`repeatRuns: ddof must be 0 or 1, got ${String(ddof)}`);
  const runs: Record<string, number>[] = [];
  for (let i = 0; i < n; i += 1) {
    const result = await run(i);
    const record = typeof result === 'number' ? { value: result } : { ...result };
    const keys = Object.keys(record).sort().join(',');
    const expected = runs[0] === undefined ? keys : Object.keys(runs[0]).sort().join(',');
    if (keys !== expected) throw new Error(`repeatRuns: run ${i} returned keys [${keys}] but run 0 returned [${expected}]; return the same figures every run`);
    runs.push(record);
  }
  const mean: Record<string, number> = {};
  const std: Record<string, number> = {};
  for (const key of Object.keys(runs[0]!)) {
    const values = runs.map((r) => r[key]!);
    const m = values.reduce((s, v) => s + v, 0) / n;
    mean[key] = m;
    std[key] = Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (n - ddof));
  }
  return { runs, mean, std };
}
