/** The confusion matrix, as scikit-learn's `confusion_matrix`. */
import { type LabelsLike, toNonEmptyLabelPair } from './labels.js';

/** How {@link confusionMatrix} normalises counts, as scikit-learn's `normalize` argument. */
export type ConfusionMatrixNormalize = 'true' | 'pred' | 'all' | null;

/** Options for {@link confusionMatrix}. Give at most one of `labels` and `numClasses`. */
export interface ConfusionMatrixOptions {
  /**
   * The labels that index the matrix, in order (scikit-learn's `labels`). Examples whose true or
   * predicted label is not listed are left out. Default: the sorted labels that occur in either input.
   */
  labels?: readonly number[];
  /** Index the matrix by classes `0 … numClasses - 1`; a label >= `numClasses` is an error. */
  numClasses?: number;
  /**
   * `'true'`: divide each row by its sum (recall per class); `'pred'`: each column by its sum;
   * `'all'`: everything by the total; `null` (default): raw counts. A zero sum gives 0, not NaN.
   */
  normalize?: ConfusionMatrixNormalize;
}

/** Checks a `labels` option: non-empty, unique, non-negative integers. */
function checkLabelsOption(labels: readonly number[]): void {
  if (labels.length === 0) {
    throw new Error('confusionMatrix options.labels is empty; list at least one label, or leave it out.');
  }
  const seen = new Set<number>();
  for (const [i, label] of labels.entries()) {
    if (!Number.isInteger(label) || label < 0) {
      throw new Error(`confusionMatrix options.labels[${i}] is ${label}; labels must be integers >= 0.`);
    }
    if (seen.has(label)) {
      throw new Error(`confusionMatrix options.labels lists ${label} twice; list each label once.`);
    }
    seen.add(label);
  }
}

/** The labels that index the matrix, from the options or from the data. */
function resolveLabels(trueLabels: Int32Array, predLabels: Int32Array, options: ConfusionMatrixOptions): number[] {
  const { labels, numClasses } = options;
  if (labels !== undefined && numClasses !== undefined) {
    throw new Error('confusionMatrix takes options.labels or options.numClasses, not both; pass one.');
  }
  if (labels !== undefined) {
    checkLabelsOption(labels);
    if (!labels.some((label) => trueLabels.includes(label))) {
      throw new Error(`confusionMatrix: none of options.labels [${labels.join(', ')}] occurs in yTrue (scikit-learn rejects this too).`);
    }
    return [...labels];
  }
  if (numClasses !== undefined) {
    if (!Number.isInteger(numClasses) || numClasses < 1) {
      throw new Error(`confusionMatrix options.numClasses is ${numClasses}; it must be an integer >= 1.`);
    }
    for (const [name, values] of [['yTrue', trueLabels], ['yPred', predLabels]] as const) {
      const index = values.findIndex((label) => label >= numClasses);
      if (index >= 0) {
        throw new Error(
          `${name}[${index}] is ${values[index]}, but numClasses is ${numClasses}; labels must be below numClasses.`,
        );
      }
    }
    return Array.from({ length: numClasses }, (_, i) => i);
  }
  return [...new Set([...trueLabels, ...predLabels])].sort((a, b) => a - b);
}

/** Divides counts in place as `normalize` asks; zero sums give 0. */
function normalizeCounts(matrix: number[][], normalize: 'true' | 'pred' | 'all'): void {
  const size = matrix.length;
  const rowSums = matrix.map((row) => row.reduce((sum, value) => sum + value, 0));
  const columnSums = Array.from({ length: size }, (_, j) => matrix.reduce((sum, row) => sum + (row[j] ?? 0), 0));
  const total = rowSums.reduce((sum, value) => sum + value, 0);
  for (let i = 0; i < size; i++) {
    const row = matrix[i] ?? [];
    for (let j = 0; j < size; j++) {
      const divisor = normalize === 'true' ? rowSums[i] : normalize === 'pred' ? columnSums[j] : total;
      row[j] = divisor ? (row[j] ?? 0) / divisor : 0;
    }
  }
}

/**
 * The confusion matrix `C`, where `C[i][j]` counts examples with true label `labels[i]` predicted
 * as `labels[j]`: rows are true labels, columns predicted labels, as scikit-learn's `confusion_matrix`.
 *
 * @param yTrue True class labels.
 * @param yPred Predicted class labels, one per true label.
 * @throws If the inputs are empty, differ in length or hold anything but non-negative integers,
 *   if a label is >= `numClasses`, or if the options are invalid.
 */
export function confusionMatrix(
  yTrue: LabelsLike,
  yPred: LabelsLike,
  options: ConfusionMatrixOptions = {},
): number[][] {
  const normalize = options.normalize ?? null;
  if (normalize !== null && normalize !== 'true' && normalize !== 'pred' && normalize !== 'all') {
    throw new Error(`confusionMatrix options.normalize is ${JSON.stringify(normalize)}; use 'true', 'pred', 'all' or null.`);
  }
  const [trueLabels, predLabels] = toNonEmptyLabelPair(yTrue, yPred, 'confusionMatrix');
  const labels = resolveLabels(trueLabels, predLabels, options);
  const indexOf = new Map(labels.map((label, index) => [label, index]));
  const matrix = labels.map(() => new Array<number>(labels.length).fill(0));
  for (let k = 0; k < trueLabels.length; k++) {
    const i = indexOf.get(trueLabels[k] ?? -1);
    const j = indexOf.get(predLabels[k] ?? -1);
    const row = i === undefined ? undefined : matrix[i];
    if (row !== undefined && j !== undefined) row[j] = (row[j] ?? 0) + 1;
  }
  if (normalize !== null) normalizeCounts(matrix, normalize);
  return matrix;
}
