/**
 * `@cnn/metrics`: classification metrics with scikit-learn definitions. Charts are in
 * `@cnn/metrics/plots`, kept apart because they need Node and the rendering libraries.
 */
export { type LabelsLike, toLabelArray } from './labels.js';
export { type AccuracyScoreOptions, accuracyScore } from './accuracy.js';
export { type ConfusionMatrixNormalize, type ConfusionMatrixOptions, confusionMatrix } from './confusion-matrix.js';
export { ConfusionMatrixAccumulator } from './confusion-matrix-accumulator.js';
export {
  type AveragedScores,
  type ConfusionMatrixInput,
  type FbetaOptions,
  type MetricWarning,
  type PerClassScores,
  type PrecisionRecallAverage,
  type PrecisionRecallOptions,
  type ZeroDivision,
  f1Score,
  f1ScoreFromConfusionMatrix,
  fbetaScore,
  fbetaScoreFromConfusionMatrix,
  precisionRecallFscoreSupport,
  precisionRecallFscoreSupportFromConfusionMatrix,
  precisionScore,
  precisionScoreFromConfusionMatrix,
  recallScore,
  recallScoreFromConfusionMatrix,
} from './precision-recall-f1.js';
export { type ScoresLike, type TopKAccuracyOptions, topKAccuracyScore } from './top-k-accuracy.js';
export {
  type ClassificationReport,
  type ClassificationReportDictRow,
  type ClassificationReportOptions,
  type ClassificationReportRow,
  classificationReport,
  classificationReportFromConfusionMatrix,
} from './classification-report.js';
export { type RunSummary, formatRunSummary, summarizeRunMetrics, summarizeRuns } from './repeated-runs.js';
