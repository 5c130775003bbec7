/** The per-class report, as scikit-learn's `classification_report` (text and `output_dict=True`). */
import type { LabelsLike } from './labels.js';
import {
  type ClassCounts,
  type ConfusionMatrixInput,
  type MetricWarning,
  type PerClassScores,
  type AveragedScores,
  type ZeroDivision,
  countConfusionMatrix,
  countLabels,
  scoresFromCounts,
} from './precision-recall-f1.js';

/** Options for {@link classificationReport}. */
export interface ClassificationReportOptions {
  /**
   * The classes to report, in order (scikit-learn's `labels`). Default: the sorted classes that occur
   * in `yTrue` or `yPred`. When they leave out a class that occurs, the micro average is shown as
   * `micro avg` instead of `accuracy`, as scikit-learn.
   */
  labels?: readonly number[];
  /** Display names, one per reported class, in the order of `labels`. Default: the labels as text. */
  targetNames?: readonly string[];
  /** Decimal places of the scores in the text table. Default 2. */
  digits?: number;
  /** The value of a 0/0 score: 0, 1, NaN or `'warn'` (0 with a warning). Default `'warn'`. */
  zeroDivision?: ZeroDivision;
  /** Receives warnings. Default: `console.warn`, once per distinct message. */
  onWarning?: (warning: MetricWarning) => void;
}

/** One row of the report. */
export interface ClassificationReportRow {
  readonly precision: number;
  readonly recall: number;
  /** F1. */
  readonly f1Score: number;
  /** The number of true examples. */
  readonly support: number;
}

/** A row in scikit-learn's `output_dict` form. */
export interface ClassificationReportDictRow {
  readonly precision: number;
  readonly recall: number;
  readonly 'f1-score': number;
  readonly support: number;
}

/** The result of {@link classificationReport}. */
export interface ClassificationReport {
  /** One row per reported class, in order, with its label and display name. */
  readonly classes: readonly (ClassificationReportRow & { readonly label: number; readonly name: string })[];
  /** The accuracy, when the micro average is the accuracy (every class that occurs is reported); else `undefined`. */
  readonly accuracy: number | undefined;
  /** The micro average, when it is not shown as accuracy; else `undefined`. */
  readonly microAvg: ClassificationReportRow | undefined;
  readonly macroAvg: ClassificationReportRow;
  readonly weightedAvg: ClassificationReportRow;
  /**
   * scikit-learn's `output_dict=True`: rows keyed by class name, then `accuracy` (a number) or
   * `micro avg`, `macro avg` and `weighted avg`. (Integer-like names iterate first in JavaScript.)
   */
  readonly dict: Record<string, ClassificationReportDictRow | number>;
  /** The text table, character for character as scikit-learn's string output. */
  readonly text: string;
}

/** Right-aligns `text` to `width` code points, as Python's `{:>width}`. */
function alignRight(text: string, width: number): string {
  const length = [...text].length;
  return length >= width ? text : ' '.repeat(width - length) + text;
}

/**
 * Formats as Python's `{:.{digits}f}`: correctly rounded, exact halves to even, `nan`/`inf`.
 * @internal
 */
export function formatFixed(value: number, digits: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  const text = value.toFixed(digits); // correctly rounded, but exact halves go away from zero
  // value * 10^digits is exactly k + 1/2 iff value * 2^(digits + 1) is an odd integer (powers of two scale exactly).
  const scaled = Math.abs(value) * 2 ** (digits + 1);
  if (!(Number.isInteger(scaled) && scaled % 2 === 1)) return text;
  const negative = text.startsWith('-');
  const unsigned = negative ? text.slice(1) : text;
  let units = BigInt(unsigned.replace('.', ''));
  if (units % 2n === 1n) units -= 1n; // toFixed rounded the half up to an odd digit: take the even one below
  let digitsText = units.toString().padStart(digits + 1, '0');
  if (digits > 0) digitsText = `${digitsText.slice(0, -digits)}.${digitsText.slice(-digits)}`;
  return (negative ? '-' : '') + digitsText;
}

function toRow(scores: AveragedScores): ClassificationReportRow {
  return { precision: scores.precision, recall: scores.recall, f1Score: scores.fScore, support: scores.support };
}

function toDictRow(row: ClassificationReportRow): ClassificationReportDictRow {
  return { precision: row.precision, recall: row.recall, 'f1-score': row.f1Score, support: row.support };
}

function buildReport(counts: ClassCounts, options: ClassificationReportOptions, metric: string): ClassificationReport {
  const digits = options.digits ?? 2;
  if (!Number.isInteger(digits) || digits < 0 || digits > 20) {
    throw new Error(`${metric}: digits is ${digits}; it must be an integer from 0 to 20.`);
  }
  const common = {
    ...(options.labels === undefined ? {} : { labels: options.labels }),
    ...(options.zeroDivision === undefined ? {} : { zeroDivision: options.zeroDivision }),
    ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
  };
  const perClass = scoresFromCounts(counts, { ...common, average: null }, metric, ['precision', 'recall', 'f-score']) as PerClassScores;
  const labels = perClass.labels;
  const names = options.targetNames === undefined ? labels.map(String) : [...options.targetNames];
  if (names.length !== labels.length) {
    throw new Error(
      `${metric}: targetNames has ${names.length} names but ${labels.length} classes are reported [${labels.join(', ')}]; ` +
        'give one name per class, or pass labels to choose the classes.',
    );
  }
  const average = (mode: 'micro' | 'macro' | 'weighted'): ClassificationReportRow =>
    toRow(scoresFromCounts(counts, { ...common, average: mode }, metric, ['precision', 'recall', 'f-score']) as AveragedScores);
  const microIsAccuracy = options.labels === undefined || counts.present.every((label) => labels.includes(label));
  const classes = labels.map((label, i) => ({
    label,
    name: names[i]!,
    precision: perClass.precision[i]!,
    recall: perClass.recall[i]!,
    f1Score: perClass.fScore[i]!,
    support: perClass.support[i]!,
  }));
  const micro = average('micro');
  const macroAvg = average('macro');
  const weightedAvg = average('weighted');

  const dict: Record<string, ClassificationReportDictRow | number> = {};
  for (const row of classes) dict[row.name] = toDictRow(row);
  if (microIsAccuracy) dict.accuracy = micro.precision;
  else dict['micro avg'] = toDictRow(micro);
  dict['macro avg'] = toDictRow(macroAvg);
  dict['weighted avg'] = toDictRow(weightedAvg);

  const width = Math.max(...names.map((n) => [...n].length), 'weighted avg'.length, digits);
  const score = (value: number): string => ` ${alignRight(formatFixed(value, digits), 9)}`;
  const line = (heading: string, row: ClassificationReportRow): string =>
    `${alignRight(heading, width)} ${score(row.precision)}${score(row.recall)}${score(row.f1Score)} ${alignRight(String(row.support), 9)}\n`;
  let text = `${alignRight('', width)} ${['precision', 'recall', 'f1-score', 'support'].map((h) => ` ${alignRight(h, 9)}`).join('')}\n\n`;
  for (const row of classes) text += line(row.name, row);
  text += '\n';
  if (microIsAccuracy) {
    text += `${alignRight('accuracy', width)} ${' '.repeat(20)}${score(micro.f1Score)} ${alignRight(String(micro.support), 9)}\n`;
  } else {
    text += line('micro avg', micro);
  }
  text += line('macro avg', macroAvg);
  text += line('weighted avg', weightedAvg);

  return {
    classes,
    accuracy: microIsAccuracy ? micro.precision : undefined,
    microAvg: microIsAccuracy ? undefined : micro,
    macroAvg,
    weightedAvg,
    dict,
    text,
  };
}

/**
 * Precision, recall, F1 and support per class with their micro (or accuracy), macro and weighted
 * averages, as scikit-learn's `classification_report`: both as data (and scikit-learn's
 * `output_dict=True` form) and as its text table. Unlike scikit-learn, a `targetNames` of the wrong
 * length is always an error (scikit-learn only warns when `labels` are given, and drops rows).
 *
 * @param yTrue True class labels (array, typed array or rank-1 tensor; tensors are not disposed).
 * @param yPred Predicted class labels, one per true label.
 * @throws If the inputs are empty, differ in length or hold anything but non-negative integers,
 *   or an option is invalid.
 */
export function classificationReport(
  yTrue: LabelsLike,
  yPred: LabelsLike,
  options: ClassificationReportOptions = {},
): ClassificationReport {
  return buildReport(countLabels(yTrue, yPred, 'classificationReport'), options, 'classificationReport');
}

/**
 * {@link classificationReport} from a confusion matrix of counts (rows true, columns predicted,
 * row and column `i` the class `i`), e.g. a `ConfusionMatrixAccumulator` filled over a whole
 * evaluation set. Classes with an empty row and column are left out unless `labels` names them.
 * @throws If the matrix is not square, holds anything but counts, or is all zeros; or an option is invalid.
 */
export function classificationReportFromConfusionMatrix(
  matrix: ConfusionMatrixInput,
  options: ClassificationReportOptions = {},
): ClassificationReport {
  const metric = 'classificationReportFromConfusionMatrix';
  return buildReport(countConfusionMatrix(matrix, metric), options, metric);
}
