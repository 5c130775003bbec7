/**
 * `@cnn/metrics/plots`: loss, accuracy and confusion-matrix charts rendered with Vega-Lite to SVG,
 * and to PNG with resvg. Node only (PNG rendering and {@link saveChart} use native code and the file system).
 */
export type { Chart, PngOptions } from './chart.js';
export { saveChart } from './save-chart.js';
export { type LineChartOptions, type LineSeries, lineChart } from './line-chart.js';
export { type ConfusionMatrixChartOptions, confusionMatrixChart } from './confusion-matrix-chart.js';
