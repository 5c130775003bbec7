/**
 * `@cnn/metrics`: classification metrics with scikit-learn definitions. Charts are in
 * `@cnn/metrics/plots`, kept apart because they need Node and the rendering libraries.
 */
export { type LabelsLike, toLabelArray } from './labels.js';
export { type AccuracyScoreOptions, accuracyScore } from './accuracy.js';
export { type ConfusionMatrixNormalize, type ConfusionMatrixOptions, confusionMatrix } from './confusion-matrix.js';
export { ConfusionMatrixAccumulator } from './confusion-matrix-accumulator.js';
