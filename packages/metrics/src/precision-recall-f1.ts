/**
 * Precision, recall and F-scores, as scikit-learn's `precision_recall_fscore_support`,
 * `precision_score`, `recall_score`, `f1_score` and `fbeta_score` for 1-D class labels, computed
 * from label arrays or from a confusion matrix summed over a whole evaluation set.
 */
import { ConfusionMatrixAccumulator } from './confusion-matrix-accumulator.js';
import { type LabelsLike, toNonEmptyLabelPair } from './labels.js';

/**
 * How per-class scores are combined, as scikit-learn's `average`:
 * - `'binary'`: only the class `posLabel` (the labels must hold at most two classes);
 * - `'micro'`: from the true positives, predictions and true examples summed over the classes;
 * - `'macro'`: the unweighted mean of the per-class scores;
 * - `'weighted'`: the mean of the per-class scores weighted by support (true examples per class).
 * `null` (in the options) returns one score per class instead.
 */
export type PrecisionRecallAverage = 'binary' | 'micro' | 'macro' | 'weighted';

/**
 * The value given to a score whose denominator is 0, as scikit-learn's `zero_division`: `0`, `1`,
 * `NaN` (left out of averages), or `'warn'` (0, and a {@link MetricWarning} is reported).
 */
export type ZeroDivision = 'warn' | number;

/** A warning from a metric, with scikit-learn's category name and message. */
export interface MetricWarning {
  /** `'UndefinedMetricWarning'` for a 0/0 score under `zeroDivision: 'warn'`; `'UserWarning'` for an ignored option. */
  readonly category: 'UndefinedMetricWarning' | 'UserWarning';
  /** scikit-learn's message (naming the `zeroDivision` option), then the labels concerned. */
  readonly message: string;
}

/** Options shared by the precision, recall and F-score functions. */
export interface PrecisionRecallOptions {
  /** How to combine per-class scores (see {@link PrecisionRecallAverage}); `null` for per-class arrays. Default `'binary'`, as scikit-learn. */
  average?: PrecisionRecallAverage | null;
  /**
   * The classes to score, in order (scikit-learn's `labels`): listed classes need not occur; other
   * classes are left out of per-class results and of every average. Ignored for `'binary'`.
   * Default: the sorted classes that occur in `yTrue` or `yPred` (in the matrix's rows or columns).
   */
  labels?: readonly number[];
  /** Score classes `0 … numClasses - 1` (as `labels`), and reject larger labels. Not with `labels`. */
  numClasses?: number;
  /** The positive class for `average: 'binary'`. Default 1. Other averages ignore it (with a warning if it is not 1). */
  posLabel?: number;
  /** The value of a 0/0 score (see {@link ZeroDivision}). Default `'warn'`. */
  zeroDivision?: ZeroDivision;
  /**
   * Receives warnings. Default: `console.warn`, once per distinct message in the process (as
   * Python shows a warning once per place). Pass `() => {}` to silence them.
   */
  onWarning?: (warning: MetricWarning) => void;
}

/** Options of the F-beta functions: {@link PrecisionRecallOptions} and `beta`. */
export interface FbetaOptions extends PrecisionRecallOptions {
  /** The weight of recall against precision: `beta` > 1 favours recall; 0 gives precision, `Infinity` recall. Default 1 (F1). */
  beta?: number;
}

/** Per-class results of {@link precisionRecallFscoreSupport} with `average: null`; arrays follow `labels`. */
export interface PerClassScores {
  /** The classes scored, in order. */
  readonly labels: number[];
  readonly precision: number[];
  readonly recall: number[];
  /** F-beta (F1 by default). */
  readonly fScore: number[];
  /** The number of true examples of each class. */
  readonly support: number[];
}

/** Averaged results of {@link precisionRecallFscoreSupport}. */
export interface AveragedScores {
  /** The classes averaged over (`[posLabel]` for `'binary'`). */
  readonly labels: number[];
  readonly precision: number;
  readonly recall: number;
  /** F-beta (F1 by default). */
  readonly fScore: number;
  /** The number of true examples of those classes (scikit-learn returns `None` here). */
  readonly support: number;
}

/** A confusion matrix of counts, `matrix[i][j]` examples of class `i` predicted as `j`, or an accumulator of one. */
export type ConfusionMatrixInput = readonly (readonly number[])[] | ConfusionMatrixAccumulator;

/**
 * Per-class counts, the only statistics the scores need.
 * @internal Shared with the classification report.
 */
export interface ClassCounts {
  /** Sorted classes that occur as a true or predicted label. */
  readonly present: number[];
  readonly truePositives: Map<number, number>;
  readonly predicted: Map<number, number>;
  readonly actual: Map<number, number>;
  /** The matrix size when counted from a confusion matrix: labels must be below it. */
  readonly size?: number;
}

const AVERAGES: readonly (PrecisionRecallAverage | null)[] = [null, 'micro', 'macro', 'weighted', 'binary'];
type Metric = 'precision' | 'recall' | 'f-score';
const ALL_METRICS: readonly Metric[] = ['precision', 'recall', 'f-score'];
const shownWarnings = new Set<string>();

/** The default warning handler: each distinct message once per process, on `console.warn`. */
function warnOnce(warning: MetricWarning): void {
  const text = `${warning.category}: ${warning.message}`;
  if (shownWarnings.has(text)) return;
  shownWarnings.add(text);
  console.warn(text);
}

function add(map: Map<number, number>, key: number, amount: number): void {
  map.set(key, (map.get(key) ?? 0) + amount);
}

/**
 * Counts true positives, predictions and true examples per class from label arrays.
 * @internal
 */
export function countLabels(yTrue: LabelsLike, yPred: LabelsLike, metric: string): ClassCounts {
  const [trueLabels, predLabels] = toNonEmptyLabelPair(yTrue, yPred, metric);
  const truePositives = new Map<number, number>();
  const predicted = new Map<number, number>();
  const actual = new Map<number, number>();
  for (let k = 0; k < trueLabels.length; k++) {
    const t = trueLabels[k]!;
    const p = predLabels[k]!;
    add(actual, t, 1);
    add(predicted, p, 1);
    if (t === p) add(truePositives, t, 1);
  }
  const present = [...new Set([...actual.keys(), ...predicted.keys()])].sort((a, b) => a - b);
  return { present, truePositives, predicted, actual };
}

/**
 * Reads per-class counts from a square confusion matrix of counts (rows true, columns predicted).
 * @internal
 */
export function countConfusionMatrix(input: ConfusionMatrixInput, metric: string): ClassCounts {
  const matrix = input instanceof ConfusionMatrixAccumulator ? input.counts : input;
  if (!Array.isArray(matrix) || matrix.length === 0) {
    throw new Error(`${metric}: the confusion matrix must be a non-empty square array of rows (or a ConfusionMatrixAccumulator).`);
  }
  const size = matrix.length;
  const truePositives = new Map<number, number>();
  const predicted = new Map<number, number>();
  const actual = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < size; i++) {
    const row = matrix[i];
    if (row === undefined || row.length !== size) {
      throw new Error(
        `${metric}: the confusion matrix must be square, but row ${i} has ${row?.length ?? 0} entries and there are ${size} rows.`,
      );
    }
    for (let j = 0; j < size; j++) {
      const value = row[j]!;
      if (!Number.isInteger(value) || value < 0) {
        throw new Error(
          `${metric}: confusion matrix entry [${i}][${j}] is ${value}; pass counts (integers >= 0), not a normalised matrix.`,
        );
      }
      if (value === 0) continue;
      add(actual, i, value);
      add(predicted, j, value);
      if (i === j) add(truePositives, i, value);
      total += value;
    }
  }
  if (total === 0) throw new Error(`${metric}: the confusion matrix holds no examples; add at least one.`);
  const present = [...new Set([...actual.keys(), ...predicted.keys()])].sort((a, b) => a - b);
  return { present, truePositives, predicted, actual, size };
}

/** Checks the `average` option and returns it (default `'binary'`). */
function checkAverage(average: unknown, metric: string): PrecisionRecallAverage | null {
  if (average === undefined) return 'binary';
  if (!AVERAGES.includes(average as PrecisionRecallAverage | null)) {
    const hint = average === 'samples' ? " ('samples' is for multilabel targets, which this package does not support)" : '';
    throw new Error(
      `${metric}: average is ${JSON.stringify(average)}${hint}; use one of null, 'micro', 'macro', 'weighted', 'binary'.`,
    );
  }
  return average as PrecisionRecallAverage | null;
}

/** Checks `zeroDivision` and returns the value it gives a 0/0 score. */
function zeroDivisionValue(zeroDivision: unknown, metric: string): number {
  if (zeroDivision === 'warn' || zeroDivision === 0) return 0;
  if (zeroDivision === 1) return 1;
  if (typeof zeroDivision === 'number' && Number.isNaN(zeroDivision)) return Number.NaN;
  throw new Error(`${metric}: zeroDivision is ${String(zeroDivision)}; use 0, 1, NaN or 'warn'.`);
}

function checkClass(value: number, what: string, counts: ClassCounts, metric: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${metric}: ${what} is ${value}; class labels are integers >= 0.`);
  }
  if (counts.size !== undefined && value >= counts.size) {
    throw new Error(
      `${metric}: ${what} is ${value}, but the confusion matrix has only ${counts.size} classes; labels must be below ${counts.size}.`,
    );
  }
}

/**
 * The classes to score, as scikit-learn's `_check_set_wise_labels` decides them.
 * @internal
 */
export function resolveLabels(
  counts: ClassCounts,
  options: PrecisionRecallOptions,
  average: PrecisionRecallAverage | null,
  metric: string,
  warn: (warning: MetricWarning) => void,
): number[] {
  const { labels, numClasses, posLabel } = options;
  if (labels !== undefined && numClasses !== undefined) {
    throw new Error(`${metric} takes options.labels or options.numClasses, not both; pass one.`);
  }
  if (average === 'binary') {
    const positive = posLabel ?? 1;
    checkClass(positive, 'posLabel', counts, metric);
    if (counts.present.length > 2) {
      throw new Error(
        `${metric}: the labels hold ${counts.present.length} classes (multiclass) but average is 'binary'; ` +
          "choose another average: null, 'micro', 'macro' or 'weighted'.",
      );
    }
    if (!counts.present.includes(positive) && counts.present.length === 2) {
      throw new Error(`${metric}: posLabel ${positive} is not a valid label; it should be one of [${counts.present.join(', ')}].`);
    }
    return [positive];
  }
  if (posLabel !== undefined && posLabel !== 1) {
    warn({
      category: 'UserWarning',
      message:
        `Note that posLabel (set to ${posLabel}) is ignored when average != 'binary' (got ${JSON.stringify(average)}). ` +
        'You may use labels: [posLabel] to specify a single positive class.',
    });
  }
  if (numClasses !== undefined) {
    if (!Number.isInteger(numClasses) || numClasses < 1) {
      throw new Error(`${metric}: numClasses is ${numClasses}; it must be an integer >= 1.`);
    }
    const largest = counts.present[counts.present.length - 1]!;
    if (largest >= numClasses) {
      throw new Error(`${metric}: a label is ${largest}, but numClasses is ${numClasses}; labels must be below numClasses.`);
    }
    const all = Array.from({ length: numClasses }, (_, i) => i);
    for (const label of all) checkClass(label, `class ${label} (numClasses ${numClasses})`, counts, metric);
    return all;
  }
  if (labels !== undefined) {
    if (labels.length === 0) throw new Error(`${metric}: options.labels is empty; list at least one label, or leave it out.`);
    const seen = new Set<number>();
    for (const [i, label] of labels.entries()) {
      checkClass(label, `options.labels[${i}]`, counts, metric);
      if (seen.has(label)) throw new Error(`${metric}: options.labels lists ${label} twice; list each label once.`);
      seen.add(label);
    }
    return [...labels];
  }
  return [...counts.present];
}

/** Divides element-wise; 0/0 gives `zeroValue` and, under 'warn', a warning as scikit-learn's `_prf_divide`. */
function divide(
  numerators: number[],
  denominators: number[],
  labels: number[],
  metric: Metric,
  modifier: string,
  settings: Settings,
): number[] {
  const undefinedAt: number[] = [];
  const result = numerators.map((numerator, i) => {
    const denominator = denominators[i]!;
    if (denominator !== 0) return numerator / denominator;
    undefinedAt.push(i);
    return settings.zeroValue;
  });
  if (undefinedAt.length > 0 && settings.zeroDivision === 'warn' && settings.warnFor.includes(metric)) {
    const start = `${metric === 'f-score' ? 'F-score' : metric[0]!.toUpperCase() + metric.slice(1)} is ill-defined and being set to 0.0`;
    const where = result.length === 1 ? 'due to' : 'in labels with';
    const which = settings.micro ? '' : ` (label${undefinedAt.length > 1 ? 's' : ''} ${undefinedAt.map((i) => labels[i]).join(', ')})`;
    settings.warn({
      category: 'UndefinedMetricWarning',
      message: `${start} ${where} no ${modifier} samples. Use the \`zeroDivision\` option to control this behavior${which}.`,
    });
  }
  return result;
}

interface Settings {
  zeroDivision: ZeroDivision;
  zeroValue: number;
  warnFor: readonly Metric[];
  micro: boolean;
  warn: (warning: MetricWarning) => void;
}

/** The mean of the non-NaN values, weighted if weights are given (all-zero weights: unweighted), as scikit-learn's `_nanaverage`. */
function nanAverage(values: number[], weights: number[] | null): number {
  const kept = values.map((value, i) => [value, weights?.[i] ?? 1] as const).filter(([value]) => !Number.isNaN(value));
  if (kept.length === 0) return Number.NaN;
  const weightSum = kept.reduce((sum, [, weight]) => sum + weight, 0);
  if (weights === null || weightSum === 0) return kept.reduce((sum, [value]) => sum + value, 0) / kept.length;
  return kept.reduce((sum, [value, weight]) => sum + value * weight, 0) / weightSum;
}

/**
 * The scores from per-class counts: the whole of scikit-learn's `precision_recall_fscore_support`
 * after the labels are counted.
 * @internal Shared with the classification report.
 */
export function scoresFromCounts(
  counts: ClassCounts,
  options: FbetaOptions,
  metric: string,
  warnFor: readonly Metric[],
): PerClassScores | AveragedScores {
  const average = checkAverage(options.average, metric);
  const zeroDivision = options.zeroDivision ?? 'warn';
  const zeroValue = zeroDivisionValue(zeroDivision, metric);
  const beta = options.beta ?? 1;
  if (typeof beta !== 'number' || !(beta >= 0)) {
    throw new Error(`${metric}: beta is ${String(beta)}; it must be a number >= 0 (Infinity allowed).`);
  }
  const warn = options.onWarning ?? warnOnce;
  const labels = resolveLabels(counts, options, average, metric, warn);
  let truePositives = labels.map((label) => counts.truePositives.get(label) ?? 0);
  let predicted = labels.map((label) => counts.predicted.get(label) ?? 0);
  let actual = labels.map((label) => counts.actual.get(label) ?? 0);
  const support = actual;
  const sum = (values: number[]): number[] => [values.reduce((total, value) => total + value, 0)];
  if (average === 'micro') {
    truePositives = sum(truePositives);
    predicted = sum(predicted);
    actual = sum(actual);
  }
  const settings: Settings = { zeroDivision, zeroValue, warnFor, micro: average === 'micro', warn };
  const precision = divide(truePositives, predicted, labels, 'precision', 'predicted', settings);
  const recall = divide(truePositives, actual, labels, 'recall', 'true', settings);
  let fScore: number[];
  if (beta === Number.POSITIVE_INFINITY) fScore = recall;
  else if (beta === 0) fScore = precision;
  else {
    const beta2 = beta * beta;
    fScore = divide(
      truePositives.map((tp) => (1 + beta2) * tp),
      actual.map((count, i) => beta2 * count + predicted[i]!),
      labels,
      'f-score',
      'true nor predicted',
      settings,
    );
  }
  if (average === null) return { labels, precision, recall, fScore, support };
  const weights = average === 'weighted' ? actual : null;
  return {
    labels,
    precision: nanAverage(precision, weights),
    recall: nanAverage(recall, weights),
    fScore: nanAverage(fScore, weights),
    support: sum(support)[0]!,
  };
}

type PerClass<O> = O & { average: null };
type Averaged<O> = O & { average?: PrecisionRecallAverage };

/**
 * Precision, recall, F-beta and support, as scikit-learn's `precision_recall_fscore_support`:
 * precision `tp / (tp + fp)`, recall `tp / (tp + fn)`, F-beta
 * `(1 + β²) tp / ((1 + β²) tp + β² fn + fp)`, support `tp + fn`, per class or averaged.
 * Under `zeroDivision: 'warn'` it warns for all three scores.
 *
 * @param yTrue True class labels (array, typed array or rank-1 tensor; tensors are not disposed).
 * @param yPred Predicted class labels, one per true label.
 * @throws If the inputs are empty, differ in length or hold anything but non-negative integers,
 *   for an unknown `average`, `'binary'` with more than two classes, or an invalid option.
 */
export function precisionRecallFscoreSupport(yTrue: LabelsLike, yPred: LabelsLike, options: PerClass<FbetaOptions>): PerClassScores;
export function precisionRecallFscoreSupport(yTrue: LabelsLike, yPred: LabelsLike, options?: Averaged<FbetaOptions>): AveragedScores;
export function precisionRecallFscoreSupport(yTrue: LabelsLike, yPred: LabelsLike, options?: FbetaOptions): PerClassScores | AveragedScores;
export function precisionRecallFscoreSupport(yTrue: LabelsLike, yPred: LabelsLike, options: FbetaOptions = {}): PerClassScores | AveragedScores {
  const metric = 'precisionRecallFscoreSupport';
  return scoresFromCounts(countLabels(yTrue, yPred, metric), options, metric, ALL_METRICS);
}

/**
 * {@link precisionRecallFscoreSupport} from a confusion matrix of counts (rows true, columns
 * predicted, row and column `i` the class `i`), e.g. a {@link ConfusionMatrixAccumulator} filled over
 * a whole evaluation set. Gives exactly what the label arrays behind the matrix give; classes with an
 * empty row and column count as absent unless `labels` or `numClasses` name them.
 *
 * @throws If the matrix is not square, holds anything but counts, or is all zeros; and as
 *   {@link precisionRecallFscoreSupport} for the options. Labels must be below the matrix size.
 */
export function precisionRecallFscoreSupportFromConfusionMatrix(matrix: ConfusionMatrixInput, options: PerClass<FbetaOptions>): PerClassScores;
export function precisionRecallFscoreSupportFromConfusionMatrix(matrix: ConfusionMatrixInput, options?: Averaged<FbetaOptions>): AveragedScores;
export function precisionRecallFscoreSupportFromConfusionMatrix(matrix: ConfusionMatrixInput, options?: FbetaOptions): PerClassScores | AveragedScores;
export function precisionRecallFscoreSupportFromConfusionMatrix(matrix: ConfusionMatrixInput, options: FbetaOptions = {}): PerClassScores | AveragedScores {
  const metric = 'precisionRecallFscoreSupportFromConfusionMatrix';
  return scoresFromCounts(countConfusionMatrix(matrix, metric), options, metric, ALL_METRICS);
}

/** One score from counts, warning only for that score as the single-score scikit-learn functions do. */
function single(counts: ClassCounts, options: FbetaOptions, metric: string, which: Metric): number | number[] {
  const scores = scoresFromCounts(counts, options, metric, [which]);
  return which === 'precision' ? scores.precision : which === 'recall' ? scores.recall : scores.fScore;
}

/**
 * Precision `tp / (tp + fp)`, as scikit-learn's `precision_score`: the share of predictions of a
 * class that are right. Note the default `average: 'binary'` (as scikit-learn); multiclass labels
 * need `average: 'macro'` (or another). Returns one value per class with `average: null`.
 *
 * @param yTrue True class labels (array, typed array or rank-1 tensor; tensors are not disposed).
 * @param yPred Predicted class labels, one per true label.
 * @throws As {@link precisionRecallFscoreSupport}.
 */
export function precisionScore(yTrue: LabelsLike, yPred: LabelsLike, options: PerClass<PrecisionRecallOptions>): number[];
export function precisionScore(yTrue: LabelsLike, yPred: LabelsLike, options?: Averaged<PrecisionRecallOptions>): number;
export function precisionScore(yTrue: LabelsLike, yPred: LabelsLike, options?: PrecisionRecallOptions): number | number[];
export function precisionScore(yTrue: LabelsLike, yPred: LabelsLike, options: PrecisionRecallOptions = {}): number | number[] {
  return single(countLabels(yTrue, yPred, 'precisionScore'), { ...options, beta: 1 }, 'precisionScore', 'precision');
}

/**
 * Recall `tp / (tp + fn)`, as scikit-learn's `recall_score`: the share of a class's examples that
 * are found. Default `average: 'binary'`, as scikit-learn.
 * @throws As {@link precisionRecallFscoreSupport}.
 */
export function recallScore(yTrue: LabelsLike, yPred: LabelsLike, options: PerClass<PrecisionRecallOptions>): number[];
export function recallScore(yTrue: LabelsLike, yPred: LabelsLike, options?: Averaged<PrecisionRecallOptions>): number;
export function recallScore(yTrue: LabelsLike, yPred: LabelsLike, options?: PrecisionRecallOptions): number | number[];
export function recallScore(yTrue: LabelsLike, yPred: LabelsLike, options: PrecisionRecallOptions = {}): number | number[] {
  return single(countLabels(yTrue, yPred, 'recallScore'), { ...options, beta: 1 }, 'recallScore', 'recall');
}

/**
 * F1 `2 tp / (2 tp + fp + fn)`, the harmonic mean of precision and recall, as scikit-learn's
 * `f1_score`. Default `average: 'binary'`, as scikit-learn.
 * @throws As {@link precisionRecallFscoreSupport}.
 */
export function f1Score(yTrue: LabelsLike, yPred: LabelsLike, options: PerClass<PrecisionRecallOptions>): number[];
export function f1Score(yTrue: LabelsLike, yPred: LabelsLike, options?: Averaged<PrecisionRecallOptions>): number;
export function f1Score(yTrue: LabelsLike, yPred: LabelsLike, options?: PrecisionRecallOptions): number | number[];
export function f1Score(yTrue: LabelsLike, yPred: LabelsLike, options: PrecisionRecallOptions = {}): number | number[] {
  return single(countLabels(yTrue, yPred, 'f1Score'), { ...options, beta: 1 }, 'f1Score', 'f-score');
}

/**
 * F-beta `(1 + β²) tp / ((1 + β²) tp + β² fn + fp)`, as scikit-learn's `fbeta_score` (`beta`
 * default 1 here; scikit-learn requires it). Default `average: 'binary'`, as scikit-learn.
 * @throws As {@link precisionRecallFscoreSupport}, and for `beta` < 0 or NaN.
 */
export function fbetaScore(yTrue: LabelsLike, yPred: LabelsLike, options: PerClass<FbetaOptions>): number[];
export function fbetaScore(yTrue: LabelsLike, yPred: LabelsLike, options?: Averaged<FbetaOptions>): number;
export function fbetaScore(yTrue: LabelsLike, yPred: LabelsLike, options?: FbetaOptions): number | number[];
export function fbetaScore(yTrue: LabelsLike, yPred: LabelsLike, options: FbetaOptions = {}): number | number[] {
  return single(countLabels(yTrue, yPred, 'fbetaScore'), options, 'fbetaScore', 'f-score');
}

/** {@link precisionScore} from a confusion matrix of counts (see {@link precisionRecallFscoreSupportFromConfusionMatrix}). */
export function precisionScoreFromConfusionMatrix(matrix: ConfusionMatrixInput, options: PerClass<PrecisionRecallOptions>): number[];
export function precisionScoreFromConfusionMatrix(matrix: ConfusionMatrixInput, options?: Averaged<PrecisionRecallOptions>): number;
export function precisionScoreFromConfusionMatrix(matrix: ConfusionMatrixInput, options?: PrecisionRecallOptions): number | number[];
export function precisionScoreFromConfusionMatrix(matrix: ConfusionMatrixInput, options: PrecisionRecallOptions = {}): number | number[] {
  const metric = 'precisionScoreFromConfusionMatrix';
  return single(countConfusionMatrix(matrix, metric), { ...options, beta: 1 }, metric, 'precision');
}

/** {@link recallScore} from a confusion matrix of counts (see {@link precisionRecallFscoreSupportFromConfusionMatrix}). */
export function recallScoreFromConfusionMatrix(matrix: ConfusionMatrixInput, options: PerClass<PrecisionRecallOptions>): number[];
export function recallScoreFromConfusionMatrix(matrix: ConfusionMatrixInput, options?: Averaged<PrecisionRecallOptions>): number;
export function recallScoreFromConfusionMatrix(matrix: ConfusionMatrixInput, options?: PrecisionRecallOptions): number | number[];
export function recallScoreFromConfusionMatrix(matrix: ConfusionMatrixInput, options: PrecisionRecallOptions = {}): number | number[] {
  const metric = 'recallScoreFromConfusionMatrix';
  return single(countConfusionMatrix(matrix, metric), { ...options, beta: 1 }, metric, 'recall');
}

/** {@link f1Score} from a confusion matrix of counts (see {@link precisionRecallFscoreSupportFromConfusionMatrix}). */
export function f1ScoreFromConfusionMatrix(matrix: ConfusionMatrixInput, options: PerClass<PrecisionRecallOptions>): number[];
export function f1ScoreFromConfusionMatrix(matrix: ConfusionMatrixInput, options?: Averaged<PrecisionRecallOptions>): number;
export function f1ScoreFromConfusionMatrix(matrix: ConfusionMatrixInput, options?: PrecisionRecallOptions): number | number[];
export function f1ScoreFromConfusionMatrix(matrix: ConfusionMatrixInput, options: PrecisionRecallOptions = {}): number | number[] {
  const metric = 'f1ScoreFromConfusionMatrix';
  return single(countConfusionMatrix(matrix, metric), { ...options, beta: 1 }, metric, 'f-score');
}

/** {@link fbetaScore} from a confusion matrix of counts (see {@link precisionRecallFscoreSupportFromConfusionMatrix}). */
export function fbetaScoreFromConfusionMatrix(matrix: ConfusionMatrixInput, options: PerClass<FbetaOptions>): number[];
export function fbetaScoreFromConfusionMatrix(matrix: ConfusionMatrixInput, options?: Averaged<FbetaOptions>): number;
export function fbetaScoreFromConfusionMatrix(matrix: ConfusionMatrixInput, options?: FbetaOptions): number | number[];
export function fbetaScoreFromConfusionMatrix(matrix: ConfusionMatrixInput, options: FbetaOptions = {}): number | number[] {
  const metric = 'fbetaScoreFromConfusionMatrix';
  return single(countConfusionMatrix(matrix, metric), options, metric, 'f-score');
}
