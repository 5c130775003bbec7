/** Line charts of one or more series, e.g. training and validation loss or accuracy per epoch. */
import type { TopLevelSpec } from 'vega-lite';
import type { Chart } from './chart.js';
import { COMMON_SPEC, checkSize, renderVegaLite } from './render.js';

/** One line: a name for the legend and its points. */
export interface LineSeries {
  /** The legend entry, unique within a chart (e.g. `'train'`, `'validation'`). */
  name: string;
  /** The x values (e.g. epochs), finite numbers, as many as `y`. */
  x: readonly number[];
  /** The y values (e.g. losses), finite numbers, as many as `x`. */
  y: readonly number[];
}

/** Options for {@link lineChart}. */
export interface LineChartOptions {
  /** The title above the chart. */
  title: string;
  /** The x-axis title (e.g. `'Epoch'`). */
  xLabel: string;
  /** The y-axis title (e.g. `'Loss'`). */
  yLabel: string;
  /** The lines to draw, at least one; drawn in this order with a legend. */
  series: readonly LineSeries[];
  /** Width of the whole chart in px, 100–10000 (default 640). */
  width?: number;
  /** Height of the whole chart in px, 100–10000 (default 360). */
  height?: number;
  /** The y-axis range `[min, max]`, e.g. `[0, 1]` for accuracy; points outside are clipped. Default: fitted to the data. */
  yDomain?: [number, number];
  /** The y-axis scale: `'linear'` (default) or `'log'` (base 10, e.g. for learning rates; every y and `yDomain` value must then be > 0). */
  yScale?: 'linear' | 'log';
}

/** Checks that a series has matching, non-empty, finite x and y values. */
function checkSeries(series: LineSeries, index: number, names: Set<string>): void {
  const label = `lineChart series[${index}] '${series.name}'`;
  if (typeof series.name !== 'string' || series.name === '') {
    throw new Error(`lineChart series[${index}] has name ${JSON.stringify(series.name)}; give each series a non-empty name for the legend.`);
  }
  if (names.has(series.name)) throw new Error(`${label}: the name is used twice; give each series its own name.`);
  names.add(series.name);
  if (series.x.length !== series.y.length) {
    throw new Error(`${label} has ${series.x.length} x values but ${series.y.length} y values; pass one y per x.`);
  }
  if (series.x.length === 0) throw new Error(`${label} has no points; pass at least one.`);
  for (const axis of ['x', 'y'] as const) {
    const at = series[axis].findIndex((value) => typeof value !== 'number' || !Number.isFinite(value));
    if (at >= 0) {
      throw new Error(`${label} ${axis}[${at}] is ${String(series[axis][at])}; values must be finite numbers (drop NaN epochs first).`);
    }
  }
}

/** Checks every option, so that bad input fails here rather than deep inside Vega. */
function checkOptions(options: LineChartOptions): void {
  if (options.series.length === 0) throw new Error('lineChart series is empty; pass at least one series.');
  const names = new Set<string>();
  options.series.forEach((series, index) => checkSeries(series, index, names));
  checkSize('lineChart width', options.width ?? 640);
  checkSize('lineChart height', options.height ?? 360);
  const { yDomain } = options;
  if (yDomain !== undefined && !(yDomain.length === 2 && yDomain.every(Number.isFinite) && yDomain[0] < yDomain[1])) {
    throw new Error(`lineChart yDomain is [${yDomain.join(', ')}]; pass two finite numbers [min, max] with min < max.`);
  }
  const { yScale = 'linear' } = options;
  if (yScale !== 'linear' && yScale !== 'log') throw new Error(`lineChart yScale is '${String(yScale)}'; pass 'linear' or 'log'.`);
  if (yScale === 'log') {
    options.series.forEach((series, index) => {
      const at = series.y.findIndex((value) => value <= 0);
      if (at >= 0) throw new Error(`lineChart series[${index}] '${series.name}' y[${at}] is ${series.y[at]}; a log-scale y axis needs values > 0.`);
    });
    if (yDomain !== undefined && yDomain[0] <= 0) throw new Error(`lineChart yDomain is [${yDomain.join(', ')}]; a log-scale y axis needs min > 0.`);
  }
}

/**
 * Draws one or more series as lines in one chart with a legend, e.g. loss and validation loss per epoch.
 * The whole chart, titles and legend included, is `width × height` px.
 *
 * @throws If a series is empty, its x and y lengths differ, a value is not finite, names repeat,
 *   or a size or `yDomain` is invalid.
 */
export async function lineChart(options: LineChartOptions): Promise<Chart> {
  checkOptions(options);
  const { title, xLabel, yLabel, series, width = 640, height = 360, yDomain, yScale = 'linear' } = options;
  const values = series.flatMap(({ name, x, y }) => x.map((xValue, i) => ({ series: name, x: xValue, y: y[i] })));
  const showPoints = Math.max(...series.map((s) => s.x.length)) <= 30;
  const spec: TopLevelSpec = {
    ...COMMON_SPEC,
    title,
    width,
    height,
    data: { values },
    mark: { type: 'line', point: showPoints, clip: yDomain !== undefined },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xLabel, scale: { zero: false, nice: false } },
      y: {
        field: 'y',
        type: 'quantitative',
        title: yLabel,
        scale: {
          ...(yDomain ? { domain: yDomain } : yScale === 'log' ? {} : { zero: false }),
          ...(yScale === 'log' ? { type: 'log' as const } : {}),
        },
      },
      color: { field: 'series', type: 'nominal', scale: { domain: series.map((s) => s.name) }, legend: { title: null } },
    },
  };
  return renderVegaLite(spec);
}
