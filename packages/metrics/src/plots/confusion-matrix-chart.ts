/** A labelled heat map of a confusion matrix: true labels down, predicted labels across. */
import type { TopLevelSpec } from 'vega-lite';
import type { Chart } from './chart.js';
import { COMMON_SPEC, checkSize, renderVegaLite } from './render.js';
import { measureText } from './text-width.js';

/** Matplotlib's `Blues` colour map, as scikit-learn's `ConfusionMatrixDisplay` uses: near-white for 0. */
const BLUES = ['#f7fbff', '#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'];

/** Options for {@link confusionMatrixChart}. */
export interface ConfusionMatrixChartOptions {
  /** The square matrix, rows true labels and columns predicted (as `confusionMatrix` returns); finite values >= 0. */
  matrix: readonly (readonly number[])[];
  /** The class names, one per row, in row order; unique. */
  labels: readonly string[];
  /** The title above the chart (default `'Confusion matrix'`). */
  title?: string;
  /**
   * `true` (default): colour each cell by its share of its row (recall for the diagonal) and show
   * the count with that percentage; `false`: colour by the value itself and show only the value.
   */
  normalize?: boolean;
  /** Width of the whole chart in px, 100–10000 (default 640). */
  width?: number;
  /** Height of the whole chart in px, 100–10000 (default 600). */
  height?: number;
}

/** Checks that the matrix is square, matches the labels, and holds finite values >= 0. */
function checkOptions({ matrix, labels, width = 640, height = 600 }: ConfusionMatrixChartOptions): void {
  if (labels.length === 0) throw new Error('confusionMatrixChart labels is empty; pass one class name per matrix row.');
  if (matrix.length !== labels.length) {
    throw new Error(`confusionMatrixChart matrix has ${matrix.length} rows but there are ${labels.length} labels; pass one label per row.`);
  }
  const duplicate = labels.find((label, i) => labels.indexOf(label) !== i);
  if (duplicate !== undefined) throw new Error(`confusionMatrixChart labels lists '${duplicate}' twice; class names must be unique.`);
  matrix.forEach((row, i) => {
    if (row.length !== labels.length) {
      throw new Error(`confusionMatrixChart matrix row ${i} has ${row.length} values, expected ${labels.length}; the matrix must be square.`);
    }
    const j = row.findIndex((value) => typeof value !== 'number' || !Number.isFinite(value) || value < 0);
    if (j >= 0) throw new Error(`confusionMatrixChart matrix[${i}][${j}] is ${String(row[j])}; values must be finite numbers >= 0.`);
  });
  checkSize('confusionMatrixChart width', width);
  checkSize('confusionMatrixChart height', height);
}

/** A cell value as text: integers as they are, fractions to at most three significant digits. */
function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(3)));
}

/**
 * Roughly the side of one cell in px: what is left after the axes, titles and legend (Vega-Lite's
 * default 10 px labels, 13 px bold titles), split between the classes. Used to size text only.
 */
function estimateCellSize(labels: readonly string[], width: number, height: number): number {
  const longestLabel = Math.max(...labels.map((label) => measureText(label, 10)));
  const plotWidth = width - longestLabel - 130; // y labels, y title, legend and padding
  const plotHeight = height - longestLabel * Math.SQRT1_2 - 70; // title, 45° x labels, x title
  return Math.max(1, Math.min(plotWidth, plotHeight) / labels.length);
}

/** The largest font size (6–14 px) at which every cell's text, one or two lines, fits a cell. */
function cellFontSize(texts: readonly string[], cell: number): number {
  const lines = texts.map((text) => text.split('\n'));
  const widestEm = Math.max(...lines.flat().map((line) => measureText(line, 1)));
  const lineCount = Math.max(...lines.map((textLines) => textLines.length));
  return Math.max(6, Math.min(14, Math.floor((0.8 * cell) / widestEm), Math.floor((0.8 * cell) / (1.25 * lineCount))));
}

/**
 * Draws a confusion matrix as a heat map (matplotlib's blues, like scikit-learn's `ConfusionMatrixDisplay`) with
 * true labels as rows (y axis), predicted labels as columns (x axis, turned 45° when they would not
 * fit) and each cell's value written in it, white on dark cells. The whole chart is `width × height` px.
 *
 * @throws If the matrix is not square, does not match `labels`, holds negative or non-finite
 *   values, labels repeat, or a size is invalid.
 */
export async function confusionMatrixChart(options: ConfusionMatrixChartOptions): Promise<Chart> {
  checkOptions(options);
  const { matrix, labels, title = 'Confusion matrix', normalize = true, width = 640, height = 600 } = options;
  const values = matrix.flatMap((row, i) => {
    const rowSum = row.reduce((sum, value) => sum + value, 0);
    return row.map((value, j) => {
      const share = rowSum > 0 ? value / rowSum : 0;
      const text = normalize && value > 0 ? `${formatValue(value)}\n${(share * 100).toFixed(1)}%` : formatValue(value);
      return { actual: labels[i], predicted: labels[j], shade: normalize ? share : value, text };
    });
  });
  const largestValue = Math.max(...values.map((cell) => cell.shade));
  const maxShade = normalize || largestValue === 0 ? 1 : largestValue;
  const cell = estimateCellSize(labels, width, height);
  const fontSize = cellFontSize(values.map(({ text }) => text), cell);
  const labelAngle = Math.max(...labels.map((label) => measureText(label, 10))) > 0.9 * cell ? -45 : 0;
  const spec: TopLevelSpec = {
    ...COMMON_SPEC,
    title,
    width,
    height,
    data: { values },
    encoding: {
      x: { field: 'predicted', type: 'nominal', sort: [...labels], title: 'Predicted label', axis: { labelAngle, orient: 'bottom' } },
      y: { field: 'actual', type: 'nominal', sort: [...labels], title: 'True label' },
    },
    layer: [
      {
        mark: 'rect',
        encoding: {
          color: {
            field: 'shade',
            type: 'quantitative',
            scale: { domain: [0, maxShade], range: BLUES },
            legend: normalize ? { title: 'Share of row', format: '.0%' } : { title: 'Count' },
          },
        },
      },
      {
        mark: { type: 'text', lineBreak: '\n', fontSize },
        encoding: {
          text: { field: 'text' },
          color: { condition: { test: `datum.shade > ${maxShade / 2}`, value: 'white' }, value: 'black' },
        },
      },
    ],
    config: { axis: { domain: false, ticks: false, grid: false }, view: { stroke: null } },
  };
  return renderVegaLite(spec);
}
