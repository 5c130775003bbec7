/** Top-k accuracy, as scikit-learn's `top_k_accuracy_score` for class scores of shape `[n, classes]`. */
import type { Tensor } from '@tensorflow/tfjs-core';
import { type LabelsLike, toLabelArray } from './labels.js';
import type { MetricWarning } from './precision-recall-f1.js';

/** Class scores, one row of `classes` scores per example: rows of numbers, or a rank-2 tensor (read with `dataSync`). */
export type ScoresLike = readonly ArrayLike<number>[] | Tensor;

/** Options for {@link topKAccuracyScore}. */
export interface TopKAccuracyOptions {
  /** How many of the highest-scored classes may contain the true class. Default 2, as scikit-learn. */
  k?: number;
  /** `true` (default): the fraction of hits; `false`: the number of hits. */
  normalize?: boolean;
  /**
   * Receives the warning that `k` >= the number of classes makes every prediction a hit.
   * Default: `console.warn`, once per distinct message.
   */
  onWarning?: (warning: MetricWarning) => void;
}

const shownWarnings = new Set<string>();

function isTensor(value: unknown): value is Tensor {
  return typeof value === 'object' && value !== null && typeof (value as Tensor).dataSync === 'function' && Array.isArray((value as Tensor).shape);
}

/** Reads scores into one flat row-major array, checking the shape and that every score is finite. */
function readScores(scores: ScoresLike, examples: number): { values: ArrayLike<number>; classes: number } {
  let values: ArrayLike<number>;
  let rows: number;
  let classes: number;
  if (isTensor(scores)) {
    if (scores.rank !== 2) {
      throw new Error(`topKAccuracyScore: scores must have shape [examples, classes], got a tensor of shape [${scores.shape.join(', ')}].`);
    }
    [rows, classes] = scores.shape as [number, number];
    values = scores.dataSync() as ArrayLike<number>;
  } else {
    if (!Array.isArray(scores)) {
      throw new Error(`topKAccuracyScore: scores must be an array of rows or a rank-2 tensor, got ${String(scores)}.`);
    }
    rows = scores.length;
    classes = scores[0]?.length ?? 0;
    const flat = new Float64Array(rows * classes);
    scores.forEach((row: ArrayLike<number> | undefined, i: number) => {
      if (row === undefined || typeof row.length !== 'number' || row.length !== classes) {
        throw new Error(
          `topKAccuracyScore: scores must have shape [examples, classes], but row ${i} has ${row?.length ?? 'no'} scores and row 0 has ${classes}.`,
        );
      }
      for (let j = 0; j < classes; j++) flat[i * classes + j] = row[j]!;
    });
    values = flat;
  }
  if (rows !== examples) {
    throw new Error(`topKAccuracyScore: yTrue has ${examples} labels but scores has ${rows} rows; pass one row of scores per example.`);
  }
  if (classes < 2) {
    throw new Error(`topKAccuracyScore: scores has ${classes} columns; it needs one column per class, at least 2.`);
  }
  for (let index = 0; index < values.length; index++) {
    const value = values[index]!;
    if (!Number.isFinite(value)) {
      throw new Error(
        `topKAccuracyScore: scores[${Math.floor(index / classes)}][${index % classes}] is ${value}; scores must be finite numbers.`,
      );
    }
  }
  return { values, classes };
}

/**
 * The fraction of examples whose true class is among the `k` highest-scored classes, as
 * scikit-learn's `top_k_accuracy_score` with `labels` = `0 … classes - 1` (column `j` is class `j`).
 * Ties rank as scikit-learn's (a stable ascending sort, reversed): among equal scores the class with
 * the higher index ranks first. With two columns the scores are compared as any other rows; scikit-learn
 * instead wants 1-D scores for two classes and thresholds them (0.5 or 0, a tie going to class 0).
 * Scores may be probabilities or logits.
 *
 * @param yTrue True class labels (array, typed array or rank-1 tensor), each below the number of columns.
 * @param scores Class scores, shape `[examples, classes]` (tensors are read and not disposed).
 * @throws If the inputs are empty or of different lengths, a row has the wrong length, a score is
 *   not finite, a label is not below the number of classes, or `k` is not an integer >= 1.
 */
export function topKAccuracyScore(yTrue: LabelsLike, scores: ScoresLike, options: TopKAccuracyOptions = {}): number {
  const k = options.k ?? 2;
  if (!Number.isInteger(k) || k < 1) throw new Error(`topKAccuracyScore: k is ${k}; it must be an integer >= 1.`);
  const labels = toLabelArray(yTrue, 'yTrue');
  if (labels.length === 0) throw new Error('topKAccuracyScore needs at least one example, but yTrue is empty.');
  const { values, classes } = readScores(scores, labels.length);
  const badIndex = labels.findIndex((label) => label >= classes);
  if (badIndex >= 0) {
    throw new Error(
      `topKAccuracyScore: yTrue[${badIndex}] is ${labels[badIndex]}, but scores has ${classes} columns; labels must be below ${classes}.`,
    );
  }
  if (k >= classes) {
    const message = `'k' (${k}) greater than or equal to 'n_classes' (${classes}) will result in a perfect score and is therefore meaningless.`;
    const warn =
      options.onWarning ??
      ((warning: MetricWarning) => {
        if (!shownWarnings.has(warning.message)) {
          shownWarnings.add(warning.message);
          console.warn(`${warning.category}: ${warning.message}`);
        }
      });
    warn({ category: 'UndefinedMetricWarning', message });
  }
  let hits = 0;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    const own = values[i * classes + label]!;
    // Classes ranked above the true one: higher scores, and equal scores at higher indices.
    let above = 0;
    for (let j = 0; j < classes && above < k; j++) {
      const score = values[i * classes + j]!;
      if (score > own || (score === own && j > label)) above++;
    }
    if (above < k) hits++;
  }
  return (options.normalize ?? true) ? hits / labels.length : hits;
}
