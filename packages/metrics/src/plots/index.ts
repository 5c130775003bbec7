/**
 * `@cnn/metrics/plots`: loss, accuracy, learning-rate and confusion-matrix charts rendered with Vega-Lite to SVG,
 * prediction grids and feature maps drawn as SVG with embedded images, and all of them to PNG with resvg.
 * Node only (PNG rendering and {@link saveChart} use native code and the file system).
 */
export type { Chart, PngOptions } from './chart.js';
export { saveChart } from './save-chart.js';
export { type LineChartOptions, type LineSeries, lineChart } from './line-chart.js';
export { type ConfusionMatrixChartOptions, confusionMatrixChart } from './confusion-matrix-chart.js';
export {
  CAPTION_COLORS,
  type GridImage,
  type PixelRange,
  type PredictionGridOptions,
  predictionGrid,
} from './image-grid.js';
export { type ActivationMaps, type FeatureMapColors, type FeatureMapsChartOptions, featureMapsChart } from './feature-maps-chart.js';
export { type LearningRateChartOptions, learningRateChart } from './learning-rate-chart.js';
