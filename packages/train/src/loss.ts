/** Losses over logits and integer labels, with PyTorch's definitions. */
import * as tf from '@tensorflow/tfjs-core';

/** Loss names the trainer accepts. */
export type LossName = 'cross_entropy';

/** A loss: mean over the batch of logits `[batch, classes]` and labels `[batch]`. */
export type LossFunction = (logits: tf.Tensor, labels: tf.Tensor1D) => tf.Scalar;

/** Options of {@link createCrossEntropy}, named as `torch.nn.CrossEntropyLoss`'s arguments. */
export interface CrossEntropyOptions {
  /**
   * PyTorch's `label_smoothing` ε in [0, 1): the target becomes (1 − ε)·one-hot + ε/classes. Default 0.
   */
  labelSmoothing?: number;
  /**
   * PyTorch's `weight`: one non-negative weight per class; the mean becomes Σ w[y]·loss / Σ w[y]. Default: all 1.
   */
  classWeights?: readonly number[];
}

function checkLogits(name: string, logits: tf.Tensor, labels: tf.Tensor1D): [number, number] {
  if (logits.rank !== 2) throw new Error(`${name}: logits must be [batch, classes], got shape [${logits.shape.join(', ')}]`);
  const [batch, classes] = logits.shape as [number, number];
  if (labels.shape[0] !== batch) throw new Error(`${name}: ${labels.shape[0]} labels for a batch of ${batch} logits`);
  return [batch, classes];
}

/**
 * `torch.nn.CrossEntropyLoss()`: mean of −log softmax(logits)[label]. Built on one-hot labels, whose gradient needs
 * no scatter kernel (the WASM backend has none).
 */
export function crossEntropy(logits: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const [, classes] = checkLogits('crossEntropy', logits, labels);
    const oneHot = tf.oneHot(tf.cast(labels, 'int32'), classes);
    return tf.losses.softmaxCrossEntropy(oneHot, logits) as tf.Scalar;
  });
}

/**
 * `torch.nn.CrossEntropyLoss(weight=classWeights, label_smoothing=labelSmoothing)` with mean reduction, as PyTorch
 * computes it: with log-probabilities ℓ = log_softmax(logits) and w[y] the weight of each sample's label,
 * loss = (1 − ε)·Σᵢ w[yᵢ]·(−ℓᵢ[yᵢ]) / Σᵢ w[yᵢ] + (ε/C)·Σᵢ Σ_c w[c]·(−ℓᵢ[c]) / Σᵢ w[yᵢ].
 * Without options it is {@link crossEntropy}.
 */
export function createCrossEntropy(options: CrossEntropyOptions = {}): LossFunction {
  const epsilon = options.labelSmoothing ?? 0;
  if (typeof epsilon !== 'number' || !(epsilon >= 0 && epsilon < 1)) {
    throw new Error(`crossEntropy: labelSmoothing must be a number in [0, 1), got ${String(epsilon)}`);
  }
  const weights = options.classWeights;
  if (weights !== undefined && (!Array.isArray(weights) || weights.some((w) => typeof w !== 'number' || !Number.isFinite(w) || w < 0))) {
    throw new Error(`crossEntropy: classWeights must be an array of finite non-negative numbers, got ${JSON.stringify(weights)}`);
  }
  if (epsilon === 0 && weights === undefined) return crossEntropy;
  return (logits, labels) =>
    tf.tidy(() => {
      const [, classes] = checkLogits('crossEntropy', logits, labels);
      if (weights !== undefined && weights.length !== classes) {
        throw new Error(`crossEntropy: classWeights has ${weights.length} entries for ${classes} classes; give one weight per class`);
      }
      const oneHot = tf.oneHot(tf.cast(labels, 'int32'), classes);
      const negLogProbs = tf.neg(tf.logSoftmax(logits));
      const classWeight = weights === undefined ? tf.ones([1, classes]) : tf.tensor2d([...weights], [1, classes]);
      const sampleWeight = tf.sum(tf.mul(oneHot, classWeight), 1); // w[y_i]
      const denominator = tf.sum(sampleWeight);
      const nll = tf.div(tf.sum(tf.mul(tf.sum(tf.mul(oneHot, negLogProbs), 1), sampleWeight)), denominator);
      if (epsilon === 0) return nll as tf.Scalar;
      const smooth = tf.div(tf.sum(tf.mul(negLogProbs, classWeight)), denominator);
      return tf.add(tf.mul(nll, 1 - epsilon), tf.mul(smooth, epsilon / classes)) as tf.Scalar;
    });
}

/** One output's share of a multi-output model's loss (e.g. GoogLeNet's auxiliary classifiers). */
export interface OutputLoss {
  /** Multiplier of this output's loss in the total, ≥ 0 (GoogLeNet: 1 for the main output, 0.3 for each auxiliary). */
  weight: number;
  /** This output's loss. Default: the run's loss. */
  loss?: LossFunction;
}

/**
 * Σₖ weightₖ·lossₖ(outputsₖ, labels) over a multi-output model's outputs, all trained on the same labels
 * (`loss + 0.3·aux1 + 0.3·aux2` for GoogLeNet). `fallback` is used where an entry has no `loss`.
 */
export function weightedOutputsLoss(losses: readonly OutputLoss[], fallback: LossFunction): (outputs: readonly tf.Tensor[], labels: tf.Tensor1D) => tf.Scalar {
  if (!Array.isArray(losses) || losses.length === 0) throw new Error('losses: give one { weight } entry per model output');
  losses.forEach((entry, i) => {
    if (typeof entry?.weight !== 'number' || !Number.isFinite(entry.weight) || entry.weight < 0) {
      throw new Error(`losses[${i}].weight must be a finite number ≥ 0, got ${String(entry?.weight)}`);
    }
  });
  return (outputs, labels) =>
    tf.tidy(() => {
      if (outputs.length !== losses.length) {
        throw new Error(`losses has ${losses.length} entries but the model has ${outputs.length} outputs; give one per output`);
      }
      let total = tf.scalar(0);
      losses.forEach((entry, i) => {
        total = tf.add(total, tf.mul((entry.loss ?? fallback)(outputs[i]!, labels), entry.weight));
      });
      return total as tf.Scalar;
    });
}

const LOSSES: Record<LossName, LossFunction> = { cross_entropy: crossEntropy };

/** The loss named `name`; unknown names are refused with the list of known ones. */
export function getLoss(name: string): LossFunction {
  const loss = (LOSSES as Record<string, LossFunction>)[name];
  if (loss === undefined) throw new Error(`Unknown loss '${name}'; known losses: ${Object.keys(LOSSES).join(', ')}`);
  return loss;
}
