/** Evaluation of a classifier over a whole held-out set (not an average of per-batch figures). */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfusionMatrixAccumulator } from '@cnn/metrics';
import { crossEntropy, type LossFunction } from './loss.js';
import type { BatchSource } from './types.js';

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Classes of the model's output. Default: the last dimension of the model's output. */
  numClasses?: number;
  /** Loss reported beside accuracy. Default cross-entropy. */
  loss?: LossFunction;
}

/** Result of {@link evaluate}. */
export interface EvaluationResult {
  /** Mean loss per sample over the set. */
  loss: number;
  /** Fraction of samples whose arg-max prediction equals the label. */
  accuracy: number;
  /** Samples evaluated. */
  count: number;
  /** Counts, rows true class, columns predicted class. */
  confusionMatrix: number[][];
}

/** The output class count of a classifier: the last dimension of its (first, for multi-output models) output. */
export function outputClasses(model: tfl.LayersModel): number {
  const shape = model.outputs[0]?.shape;
  const classes = shape?.[shape.length - 1];
  if (shape === undefined || shape.length !== 2 || typeof classes !== 'number') {
    throw new Error(`Expected a classifier whose first output is [batch, classes], got outputs ${JSON.stringify(model.outputs.map((o) => o.shape))}`);
  }
  return classes;
}

/**
 * Runs `model` in inference mode over every batch of `data` and measures loss, accuracy and the confusion matrix. A
 * multi-output model (GoogLeNet with auxiliary heads) is measured on its first output.
 */
export async function evaluate(model: tfl.LayersModel, data: BatchSource, options: EvaluateOptions = {}): Promise<EvaluationResult> {
  const numClasses = options.numClasses ?? outputClasses(model);
  const lossFn = options.loss ?? crossEntropy;
  const confusion = new ConfusionMatrixAccumulator(numClasses);
  let lossSum = 0;
  for await (const batch of data) {
    try {
      const [loss, predictions] = tf.tidy(() => {
        const output = model.apply(batch.images, { training: false }) as tf.Tensor | tf.Tensor[];
        const logits = Array.isArray(output) ? output[0]! : output;
        return [tf.mul(lossFn(logits, batch.labels), batch.labels.shape[0]), tf.argMax(logits, -1)] as const;
      });
      const [lossValue, predicted, labels] = await Promise.all([loss.data(), predictions.data(), batch.labels.data()]);
      tf.dispose([loss, predictions]);
      lossSum += lossValue[0]!;
      confusion.update(labels, predicted);
    } finally {
      tf.dispose([batch.images, batch.labels]);
    }
  }
  if (confusion.total === 0) throw new Error('evaluate: the evaluation data yielded no samples');
  return { loss: lossSum / confusion.total, accuracy: confusion.accuracy(), count: confusion.total, confusionMatrix: confusion.counts };
}
