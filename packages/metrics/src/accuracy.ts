/** Accuracy, as scikit-learn's `accuracy_score`. */
import { type LabelsLike, toNonEmptyLabelPair } from './labels.js';

/** Options for {@link accuracyScore}. */
export interface AccuracyScoreOptions {
  /** `true` (default): the fraction of correct predictions; `false`: the number of correct predictions. */
  normalize?: boolean;
}

/**
 * The fraction (or, with `normalize: false`, the number) of predictions equal to the true label,
 * as scikit-learn's `accuracy_score` for 1-D class labels.
 *
 * @param yTrue True class labels.
 * @param yPred Predicted class labels, one per true label.
 * @throws If the inputs are empty, differ in length, or hold anything but non-negative integers.
 */
export function accuracyScore(yTrue: LabelsLike, yPred: LabelsLike, options: AccuracyScoreOptions = {}): number {
  const [trueLabels, predLabels] = toNonEmptyLabelPair(yTrue, yPred, 'accuracyScore');
  let correct = 0;
  for (let i = 0; i < trueLabels.length; i++) {
    if (trueLabels[i] === predLabels[i]) correct++;
  }
  return (options.normalize ?? true) ? correct / trueLabels.length : correct;
}
