/** The training loop: optimiser steps over a batch source, evaluation during training, callbacks. */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { Callback, CallbackList, type TrainContext } from './callback.js';
import { evaluate, outputClasses, type EvaluationResult } from './evaluate.js';
import { crossEntropy, getLoss, type LossFunction, type LossName } from './loss.js';
import { createOptimizer, type OptimizerSpec } from './optimizers.js';
import type { BatchSource, Logs } from './types.js';

/** Evaluation on held-out data during training. */
export interface EvaluationSpec {
  /** Prefix of the logged figures (`test_loss`, `test_accuracy`). Default `'test'`. */
  name?: string;
  /** The held-out batches; iterated in full at every evaluation. */
  data: BatchSource;
  /**
   * Evaluate every this many optimiser steps (seed 004: 50), and once more after the last step if it did not fall on
   * one. Default: at the end of each epoch.
   */
  everySteps?: number;
}

/** Options of {@link fit}. */
export interface FitOptions {
  /** Passes over the training data, a positive integer. */
  epochs: number;
  /**
   * A tfjs optimiser (the caller keeps and disposes it), or a spec such as `{ name: 'sgd', learningRate: 1 }` (fit
   * creates the optimiser and disposes it at the end).
   */
  optimizer: tf.Optimizer | OptimizerSpec;
  /** Loss over logits and integer labels. Default `'cross_entropy'` (`torch.nn.CrossEntropyLoss`). */
  loss?: LossName | LossFunction;
  /** Held-out evaluation during training. */
  evaluation?: EvaluationSpec;
  /** Callbacks, run in order. */
  callbacks?: readonly Callback[];
  /** Aborting stops training after the current step; `fit` then resolves with `stopReason: 'aborted'`. */
  signal?: AbortSignal;
}

/** What a finished run measured. */
export interface FitResult {
  /** Optimiser steps taken. */
  steps: number;
  /** Epochs completed (a stopped run counts the epoch it stopped in). */
  epochs: number;
  /** Training images processed. */
  images: number;
  /** Wall time of the whole run, evaluation included, in seconds. */
  seconds: number;
  /** Wall time of the optimiser steps alone, in seconds. */
  trainSeconds: number;
  /** Training throughput: images / trainSeconds. */
  imagesPerSecond: number;
  /** The last evaluation, if any ran. */
  lastEvaluation: EvaluationResult | undefined;
  /** Why the run ended. */
  stopReason: 'completed' | 'aborted' | 'callback';
}

/** Thrown when a step's loss is NaN or infinite; names the step so the run can be inspected. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    readonly epoch: number,
    readonly loss: number,
  ) {
    super(`Training diverged: loss is ${loss} at step ${step} (epoch ${epoch + 1}); lower the learning rate or check the inputs`);
    this.name = 'NonFiniteLossError';
  }
}

function checkOptions(options: FitOptions): void {
  if (!Number.isInteger(options.epochs) || options.epochs < 1) {
    throw new Error(`fit: epochs must be a positive integer, got ${String(options.epochs)}`);
  }
  const every = options.evaluation?.everySteps;
  if (every !== undefined && (!Number.isInteger(every) || every < 1)) {
    throw new Error(`fit: evaluation.everySteps must be a positive integer, got ${String(every)}`);
  }
}

/**
 * Trains `model` on `data` for `options.epochs` epochs, one optimiser step per batch, in training mode (BatchNorm
 * uses batch statistics and updates its running averages). Batches are disposed after use.
 */
export async function fit(model: tfl.LayersModel, data: BatchSource, options: FitOptions): Promise<FitResult> {
  checkOptions(options);
  const ownsOptimizer = !(options.optimizer instanceof tf.Optimizer);
  const optimizer = options.optimizer instanceof tf.Optimizer ? options.optimizer : createOptimizer(options.optimizer);
  const lossFn: LossFunction =
    options.loss === undefined ? crossEntropy : typeof options.loss === 'function' ? options.loss : getLoss(options.loss);
  const numClasses = outputClasses(model);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const callbacks = new CallbackList(options.callbacks ?? []);
  const evaluation = options.evaluation;
  const evalName = evaluation?.name ?? 'test';

  const context: TrainContext = {
    epoch: 0,
    epochs: options.epochs,
    step: 0,
    batch: 0,
    batchesPerEpoch: data.length,
    stopTraining: false,
  };
  const started = performance.now();
  let trainSeconds = 0;
  let images = 0;
  let lastEvaluation: EvaluationResult | undefined;
  let stopReason: FitResult['stopReason'] = 'completed';
  let evaluatedAtStep = -1;

  const runEvaluation = async (): Promise<void> => {
    if (evaluation === undefined) return;
    lastEvaluation = await evaluate(model, evaluation.data, { numClasses, loss: lossFn });
    evaluatedAtStep = context.step;
    await callbacks.callWithLogs('onEvaluate', context, {
      [`${evalName}_loss`]: lastEvaluation.loss,
      [`${evalName}_accuracy`]: lastEvaluation.accuracy,
    });
  };

  await callbacks.call('onTrainBegin', context);
  try {
    epochs: for (let epoch = 0; epoch < options.epochs; epoch += 1) {
      context.epoch = epoch;
      context.batch = 0;
      data.setEpoch?.(epoch);
      await callbacks.call('onEpochBegin', context);
      let lossSum = 0;
      let batches = 0;
      for await (const batch of data) {
        const t0 = performance.now();
        const batchSize = batch.images.shape[0];
        let lossValue: number;
        try {
          const loss = optimizer.minimize(
            () => lossFn(model.apply(batch.images, { training: true }) as tf.Tensor, batch.labels),
            true,
            variables,
          );
          if (loss === null) throw new Error('fit: the optimiser returned no loss');
          lossValue = (await loss.data())[0]!;
          loss.dispose();
        } finally {
          tf.dispose([batch.images, batch.labels]);
        }
        const seconds = (performance.now() - t0) / 1000;
        trainSeconds += seconds;
        images += batchSize;
        context.step += 1;
        if (!Number.isFinite(lossValue)) throw new NonFiniteLossError(context.step, epoch, lossValue);
        lossSum += lossValue;
        batches += 1;
        await callbacks.callWithLogs('onBatchEnd', context, { loss: lossValue, batchSize, seconds });
        if (evaluation?.everySteps !== undefined && context.step % evaluation.everySteps === 0) {
          await runEvaluation();
        }
        context.batch += 1;
        if (options.signal?.aborted) stopReason = 'aborted';
        else if (context.stopTraining) stopReason = 'callback';
        if (stopReason !== 'completed') {
          await callbacks.callWithLogs('onEpochEnd', context, epochLogs(lossSum, batches, lastEvaluation, evalName));
          break epochs;
        }
      }
      if (evaluation !== undefined && evaluation.everySteps === undefined && evaluatedAtStep !== context.step) {
        await runEvaluation();
      }
      await callbacks.callWithLogs('onEpochEnd', context, epochLogs(lossSum, batches, lastEvaluation, evalName));
    }
    if (evaluation !== undefined && stopReason !== 'aborted' && evaluatedAtStep !== context.step) await runEvaluation();
  } catch (error) {
    await callbacks.call('onTrainEnd', context, error);
    throw error;
  } finally {
    if (ownsOptimizer) optimizer.dispose();
  }
  await callbacks.call('onTrainEnd', context);
  return {
    steps: context.step,
    epochs: context.epoch + 1,
    images,
    seconds: (performance.now() - started) / 1000,
    trainSeconds,
    imagesPerSecond: trainSeconds > 0 ? images / trainSeconds : 0,
    lastEvaluation,
    stopReason,
  };
}

function epochLogs(lossSum: number, batches: number, evaluation: EvaluationResult | undefined, name: string): Logs {
  const logs: Logs = { loss: batches > 0 ? lossSum / batches : Number.NaN };
  if (evaluation !== undefined) {
    logs[`${name}_loss`] = evaluation.loss;
    logs[`${name}_accuracy`] = evaluation.accuracy;
  }
  return logs;
}
