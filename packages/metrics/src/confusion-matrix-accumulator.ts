/** A confusion matrix summed over many batches, so evaluation need not keep every prediction. */
import { type LabelsLike, toLabelPair } from './labels.js';

/**
 * Accumulates a `numClasses × numClasses` confusion matrix (rows true, columns predicted) over
 * batches. Each {@link update} is all-or-nothing: a batch with a bad label adds nothing.
 *
 * @example
 * const accumulator = new ConfusionMatrixAccumulator(10);
 * for (const batch of batches) accumulator.update(batch.labels, tf.argMax(model.predict(batch.images), -1));
 * console.log(accumulator.accuracy(), accumulator.counts);
 */
export class ConfusionMatrixAccumulator {
  /** The number of classes; labels must lie in `0 … numClasses - 1`. */
  readonly numClasses: number;
  readonly #counts: Float64Array;
  #total = 0;

  /** @param numClasses The number of classes, an integer >= 1. */
  constructor(numClasses: number) {
    if (!Number.isInteger(numClasses) || numClasses < 1) {
      throw new Error(`ConfusionMatrixAccumulator numClasses is ${numClasses}; it must be an integer >= 1.`);
    }
    this.numClasses = numClasses;
    this.#counts = new Float64Array(numClasses * numClasses);
  }

  /**
   * Adds one batch. Tensors are read and not disposed. An empty batch adds nothing.
   * @throws If the inputs differ in length, hold anything but non-negative integers, or a label >= `numClasses`.
   */
  update(yTrue: LabelsLike, yPred: LabelsLike): void {
    const [trueLabels, predLabels] = toLabelPair(yTrue, yPred);
    for (const [name, values] of [['yTrue', trueLabels], ['yPred', predLabels]] as const) {
      const index = values.findIndex((label) => label >= this.numClasses);
      if (index >= 0) {
        throw new Error(
          `${name}[${index}] is ${values[index]}, but this accumulator has numClasses ${this.numClasses}; ` +
            'labels must be below numClasses.',
        );
      }
    }
    for (let k = 0; k < trueLabels.length; k++) {
      this.#counts[(trueLabels[k] ?? 0) * this.numClasses + (predLabels[k] ?? 0)]! += 1;
    }
    this.#total += trueLabels.length;
  }

  /** A copy of the counts so far: `counts[i][j]` examples of class `i` were predicted as `j`. */
  get counts(): number[][] {
    return Array.from({ length: this.numClasses }, (_, i) =>
      Array.from(this.#counts.subarray(i * this.numClasses, (i + 1) * this.numClasses)),
    );
  }

  /** The number of examples added so far. */
  get total(): number {
    return this.#total;
  }

  /**
   * The fraction of examples predicted correctly so far (the diagonal over the total).
   * @throws If nothing has been added yet.
   */
  accuracy(): number {
    if (this.#total === 0) {
      throw new Error('ConfusionMatrixAccumulator.accuracy() has no examples yet; call update() with at least one example first.');
    }
    let correct = 0;
    for (let i = 0; i < this.numClasses; i++) correct += this.#counts[i * this.numClasses + i] ?? 0;
    return correct / this.#total;
  }

  /** Clears the counts, e.g. before the next evaluation epoch. */
  reset(): void {
    this.#counts.fill(0);
    this.#total = 0;
  }
}
