/** Losses over logits and integer labels, with PyTorch's definitions. */
import * as tf from '@tensorflow/tfjs-core';

/** Loss names the trainer accepts. */
export type LossName = 'cross_entropy';

/** A loss: mean over the batch of logits `[batch, classes]` and labels `[batch]`. */
export type LossFunction = (logits: tf.Tensor, labels: tf.Tensor1D) => tf.Scalar;

/**
 * `torch.nn.CrossEntropyLoss()`: mean of −log softmax(logits)[label]. Built on one-hot labels, whose gradient needs
 * no scatter kernel (the WASM backend has none).
 */
export function crossEntropy(logits: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    if (logits.rank !== 2) throw new Error(`crossEntropy: logits must be [batch, classes], got shape [${logits.shape.join(', ')}]`);
    const [batch, classes] = logits.shape as [number, number];
    if (labels.shape[0] !== batch) {
      throw new Error(`crossEntropy: ${labels.shape[0]} labels for a batch of ${batch} logits`);
    }
    const oneHot = tf.oneHot(tf.cast(labels, 'int32'), classes);
    return tf.losses.softmaxCrossEntropy(oneHot, logits) as tf.Scalar;
  });
}

const LOSSES: Record<LossName, LossFunction> = { cross_entropy: crossEntropy };

/** The loss named `name`; unknown names are refused with the list of known ones. */
export function getLoss(name: string): LossFunction {
  const loss = (LOSSES as Record<string, LossFunction>)[name];
  if (loss === undefined) throw new Error(`Unknown loss '${name}'; known losses: ${Object.keys(LOSSES).join(', ')}`);
  return loss;
}
