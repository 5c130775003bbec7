/** Learning-rate curves: the learning rate of one or more schedules against the step (or epoch). */
import type { Chart } from './chart.js';
import { type LineSeries, lineChart } from './line-chart.js';

/** Options for {@link learningRateChart}. */
export interface LearningRateChartOptions {
  /** One line per schedule or parameter group: `x` the steps (or epochs), `y` the learning rates (>= 0; > 0 with `logScale`). Unique names. */
  series: readonly LineSeries[];
  /** Draw the y axis on a base-10 log scale, for schedules spanning decades (default false). */
  logScale?: boolean;
  /** The title (default `'Learning rate'`). */
  title?: string;
  /** The x-axis title (default `'Step'`; e.g. `'Epoch'` for a per-epoch schedule). */
  xLabel?: string;
  /** The y-axis title (default `'Learning rate'`). */
  yLabel?: string;
  /** Width of the whole chart in px, 100–10000 (default 640). */
  width?: number;
  /** Height of the whole chart in px, 100–10000 (default 360). */
  height?: number;
}

/**
 * Draws learning-rate schedules as lines (a thin wrapper on {@link lineChart}), optionally on a log
 * scale, e.g. a one-cycle and a cosine schedule sampled at every step.
 *
 * @example
 * const steps = Array.from({ length: 30 }, (_, i) => i);
 * const chart = await learningRateChart({ series: [{ name: 'StepLR(10, 0.1)', x: steps, y: steps.map((s) => 0.1 * 0.1 ** Math.floor(s / 10)) }], logScale: true });
 *
 * @throws If a learning rate is negative (or not > 0 with `logScale`), or anything {@link lineChart} rejects.
 */
export async function learningRateChart(options: LearningRateChartOptions): Promise<Chart> {
  const { series, logScale = false, title = 'Learning rate', xLabel = 'Step', yLabel = 'Learning rate', width, height } = options;
  series.forEach(({ name, y }, index) => {
    const at = y.findIndex((value) => value < 0);
    if (at >= 0) throw new Error(`learningRateChart series[${index}] '${name}' y[${at}] is ${y[at]}; learning rates must be >= 0.`);
  });
  return lineChart({
    title,
    xLabel,
    yLabel,
    series,
    yScale: logScale ? 'log' : 'linear',
    ...(width === undefined ? {} : { width }),
    ...(height === undefined ? {} : { height }),
  });
}
