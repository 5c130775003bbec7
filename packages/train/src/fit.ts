/** The training loop: optimiser steps over a batch source, evaluation during training, callbacks, checkpoints. */
import * as tf from '@tensorflow/tfjs-core';
import { accumulatedStep } from './gradient-accumulation.js';
import type * as tfl from '@tensorflow/tfjs-layers';
import { Callback, CallbackList, type TrainContext } from './callback.js';
import type { CheckpointState, TrainingPosition } from './checkpoint.js';
import { evaluate, outputClasses, type EvaluationResult } from './evaluate.js';
import { createCrossEntropy, getLoss, weightedOutputsLoss, type CrossEntropyOptions, type LossFunction, type LossName, type OutputLoss } from './loss.js';
import { ModelCheckpoint } from './model-checkpoint.js';
import type { LearningRateControl, LRScheduler } from './optim/types.js';
import { createOptimizer, type OptimizerSpec } from './optimizers.js';
import type { DataParallelOptions, DataParallelTrainer } from './parallel/data-parallel.js';
import { isReplicableOptimizer } from './parallel/optimizer-spec.js';
import { checkMixedPrecision } from './precision.js';
import { globalRandom, SeededRandom } from './random-state.js';
import type { BatchSource, Logs } from './types.js';
import { explainStepFailure, wasmHeapBytes } from './wasm-heap.js';

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
  /**
   * Loss over logits and integer labels: a name, a function, or `torch.nn.CrossEntropyLoss`'s options
   * (`{ labelSmoothing: 0.1, classWeights: [...] }`). Default `'cross_entropy'`.
   */
  loss?: LossName | LossFunction | CrossEntropyOptions;
  /**
   * For multi-output models, one `{ weight, loss? }` per output: the training loss is Σ weightₖ·lossₖ (GoogLeNet with
   * auxiliary heads: `[{ weight: 1 }, { weight: 0.3 }, { weight: 0.3 }]`); evaluation uses the first output. Required
   * when the model has more than one output.
   */
  losses?: readonly OutputLoss[];
  /** Held-out evaluation during training. */
  evaluation?: EvaluationSpec;
  /** Callbacks, run in order. */
  callbacks?: readonly Callback[];
  /** Aborting stops training after the current step; `fit` then resolves with `stopReason: 'aborted'`. */
  signal?: AbortSignal;
  /**
   * A learning-rate schedule, stepped after every optimiser step (`interval: 'iteration'`) or at every epoch end after
   * the epoch's evaluation (`interval: 'epoch'`). The optimiser should implement `LearningRateControl`.
   */
  scheduler?: LRScheduler;
  /**
   * The figure passed to an epoch-interval scheduler's `step(metric)` (ReduceLROnPlateau), read from the epoch's logs:
   * `'test_loss'`, `'test_accuracy'`, `'loss'` (the epoch's mean training loss). Default: none (step() gets no metric).
   */
  schedulerMetric?: string;
  /**
   * Log the learning rate (of the first parameter group) as `lr` after each step, for history files and the progress
   * bar; needs an optimiser that implements `LearningRateControl`. Default: true when a `scheduler` is given.
   */
  logLearningRate?: boolean;
  /**
   * Seeds `Math.random` for the run (and so dropout and every other unseeded tfjs random op), restoring the previous
   * `Math.random` at the end. Default: randomness is left as it is (a generator installed with `seedGlobalRandom` is
   * still saved in checkpoints).
   */
  seed?: number;
  /**
   * A checkpoint directory (e.g. `ModelCheckpoint`'s `<dir>/last`) to continue from: restores model weights,
   * optimiser state, learning rates, scheduler and callback states, the training position, the data order (the
   * loader's epoch; build the loader with the same seed) and the random state. The model must have the
   * checkpoint's architecture.
   */
  resume?: string;
  /**
   * Handle Ctrl-C: the first SIGINT stops training after the current step, a `ModelCheckpoint` (required in
   * `callbacks`, with `saveLast`) writes `<dir>/last`, and fit resolves with `stopReason: 'interrupted'`; a second
   * SIGINT exits the process at once (code 130). Default false.
   */
  handleInterrupt?: boolean;
  /** Half-precision training. Refused: TensorFlow.js has no float16 type (see `precision.ts`). Default false. */
  mixedPrecision?: boolean;
  /**
   * Run each batch in micro-batches of this many images and accumulate their gradients into one optimiser step
   * (`accumulateGradients`), so that a batch too large for memory (the WASM heap holds at most 4 GB) still trains
   * with the same update; BatchNorm then uses micro-batch statistics, as with accumulation in PyTorch. Default: the
   * whole batch at once.
   */
  microBatchSize?: number;
  /**
   * Train on several threads at once (Node): the main thread and `workers` worker threads each compute the gradients
   * of a contiguous shard of every batch, the gradients are averaged through shared memory, and every thread applies
   * the same update to its own copy of the model (see `DataParallelTrainer`). For a model without BatchNorm the result
   * equals single-thread training; BatchNorm normalises each shard with its own statistics and its moving statistics
   * become the shard-size-weighted average. Dropout draws independently in each thread (`seed` seeds the main
   * thread's). Needs an optimiser every thread can rebuild (a spec, or SGD, Adam, AdamW or RMSprop from
   * `createOptimizer`; schedules work as usual), the cross-entropy loss (`'cross_entropy'` or its options), a
   * single-output model, and no `microBatchSize`. With the WASM backend, pass `imports` that select it with our
   * kernels in the workers (threads inside tfjs's WASM backend do not start in Node; this is how to use every core).
   * The workers are terminated when fit returns or throws. Default: single thread.
   */
  dataParallel?: DataParallelOptions;
}

/** What a finished run measured. */
export interface FitResult {
  /** Optimiser steps taken (counting those before a resumed checkpoint). */
  steps: number;
  /** Epochs completed (a stopped run counts the epoch it stopped in). */
  epochs: number;
  /** Training images processed (counting those before a resumed checkpoint). */
  images: number;
  /** Wall time of this call, evaluation included, in seconds. */
  seconds: number;
  /** Wall time of this call's optimiser steps alone, in seconds. */
  trainSeconds: number;
  /** Training throughput of this call: images / trainSeconds. */
  imagesPerSecond: number;
  /** The last evaluation, if any ran. */
  lastEvaluation: EvaluationResult | undefined;
  /** Why the run ended. */
  stopReason: 'completed' | 'aborted' | 'callback' | 'interrupted';
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

/** Whether an optimiser exposes its learning rates (`LearningRateControl`). */
export function hasLearningRateControl(optimizer: unknown): optimizer is LearningRateControl {
  const o = optimizer as Partial<LearningRateControl> | null;
  return typeof o?.getLearningRates === 'function' && typeof o.setLearningRates === 'function';
}

function checkOptions(options: FitOptions): void {
  if (!Number.isInteger(options.epochs) || options.epochs < 1) {
    throw new Error(`fit: epochs must be a positive integer, got ${String(options.epochs)}`);
  }
  const every = options.evaluation?.everySteps;
  if (every !== undefined && (!Number.isInteger(every) || every < 1)) {
    throw new Error(`fit: evaluation.everySteps must be a positive integer, got ${String(every)}`);
  }
  checkMixedPrecision(options.mixedPrecision);
  const micro = options.microBatchSize;
  if (micro !== undefined && (!Number.isSafeInteger(micro) || micro < 1)) {
    throw new Error(`fit: microBatchSize must be a positive integer, got ${String(micro)}`);
  }
  if (options.dataParallel !== undefined) checkDataParallel(options);
  const scheduler = options.scheduler;
  if (scheduler !== undefined && scheduler.interval !== 'iteration' && scheduler.interval !== 'epoch') {
    throw new Error(`fit: scheduler.interval must be 'iteration' or 'epoch', got '${String(scheduler.interval)}'`);
  }
  if (options.handleInterrupt === true && !(options.callbacks ?? []).some((c) => c instanceof ModelCheckpoint && c.saveLast)) {
    throw new Error('fit: handleInterrupt needs a ModelCheckpoint with saveLast in callbacks, to write the checkpoint on Ctrl-C');
  }
}

function checkDataParallel(options: FitOptions): void {
  const parallel = options.dataParallel!;
  const workers = parallel.workers ?? 1;
  if (!Number.isSafeInteger(workers) || workers < 1) throw new Error(`fit: dataParallel.workers must be a positive integer, got ${String(workers)}`);
  if (options.optimizer instanceof tf.Optimizer && !isReplicableOptimizer(options.optimizer)) {
    throw new Error(
      `fit: dataParallel builds an identical optimiser in every thread and can do so for SGD, Adam, AdamW and RMSprop from createOptimizer, ` +
        `not ${options.optimizer.constructor.name}; pass one of those or a spec such as { name: 'sgd', learningRate: 0.1 }`,
    );
  }
  if (typeof options.loss === 'function') throw new Error("fit: dataParallel supports the cross-entropy loss only ('cross_entropy' or its options), not a loss function");
  if (options.losses !== undefined) throw new Error('fit: dataParallel supports single-output models only; remove losses');
  if (options.microBatchSize !== undefined) throw new Error('fit: dataParallel and microBatchSize cannot be combined; to fit a large batch in memory, use more workers (each takes a shard) or microBatchSize alone');
}

function resolveLoss(loss: FitOptions['loss']): LossFunction {
  if (loss === undefined) return createCrossEntropy();
  if (typeof loss === 'function') return loss;
  if (typeof loss === 'string') return getLoss(loss);
  return createCrossEntropy(loss);
}

/**
 * Trains `model` on `data` for `options.epochs` epochs, one optimiser step per batch, in training mode (BatchNorm
 * uses batch statistics and updates its running averages). Batches are disposed after use.
 *
 * Per step: optimiser step → NaN check → iteration-interval schedule step → `onBatchEnd` (logs `loss`, `batchSize`,
 * `seconds`, and `lr`, see {@link FitOptions.logLearningRate}) → evaluation if due → requested checkpoints. Per epoch end:
 * evaluation (when not every N steps) → epoch-interval schedule step → `onEpochEnd` → requested checkpoints.
 */
export async function fit(model: tfl.LayersModel, data: BatchSource, options: FitOptions): Promise<FitResult> {
  checkOptions(options);
  const ownsOptimizer = !(options.optimizer instanceof tf.Optimizer);
  let trainer: DataParallelTrainer | undefined;
  if (options.dataParallel !== undefined) {
    const { DataParallelTrainer } = await import('./parallel/data-parallel.js'); // node:worker_threads, loaded only when used
    const loss = options.loss;
    trainer = await DataParallelTrainer.create(model, {
      ...options.dataParallel,
      optimizer: options.optimizer,
      crossEntropy: loss === undefined || typeof loss === 'string' ? {} : (loss as CrossEntropyOptions),
    });
  }
  const optimizer = trainer?.optimizer ?? (options.optimizer instanceof tf.Optimizer ? options.optimizer : createOptimizer(options.optimizer));
  const previousRandom = Math.random;
  let random = globalRandom();
  let interruptHandler: (() => void) | undefined;
  try {
    const lossFn = resolveLoss(options.loss);
    const multiLoss = options.losses === undefined ? undefined : weightedOutputsLoss(options.losses, lossFn);
    const numClasses = outputClasses(model);
    if (model.outputs.length > 1 && multiLoss === undefined) {
      throw new Error(`fit: the model has ${model.outputs.length} outputs; pass losses with one { weight } per output (e.g. [{ weight: 1 }, { weight: 0.3 }, { weight: 0.3 }])`);
    }
    const callbackList = options.callbacks ?? [];
    const scheduler = options.scheduler;
    const logLearningRate = options.logLearningRate ?? scheduler !== undefined;

    let restored: CheckpointState | undefined;
    if (options.resume !== undefined) {
      const { restoreCheckpoint } = await import('./checkpoint.js'); // node:fs, loaded only when used
      restored = await restoreCheckpoint(options.resume, model, optimizer);
      if (restored.callbacks.length !== callbackList.length || restored.callbacks.some((c, i) => c.className !== callbackList[i]!.constructor.name)) {
        throw new Error(
          `fit: checkpoint ${options.resume} holds callbacks [${restored.callbacks.map((c) => c.className).join(', ')}] but fit was given ` +
            `[${callbackList.map((c) => c.constructor.name).join(', ')}]; pass the same callbacks in the same order`,
        );
      }
      if ((restored.scheduler === undefined) !== (scheduler === undefined)) {
        throw new Error(`fit: checkpoint ${options.resume} was written ${restored.scheduler === undefined ? 'without' : 'with'} a scheduler; resume the same way`);
      }
      restored.callbacks.forEach((c, i) => callbackList[i]!.setState(c.state));
      if (scheduler !== undefined && restored.scheduler !== undefined) scheduler.setState(restored.scheduler);
      if (restored.learningRates !== undefined && hasLearningRateControl(optimizer)) optimizer.setLearningRates(restored.learningRates);
      await trainer?.synchronize();
    }
    if (options.seed !== undefined) {
      random = new SeededRandom(options.seed);
    }
    if (restored?.random !== undefined) {
      random ??= new SeededRandom(0);
      random.setState(restored.random);
    }
    if (random !== undefined && random !== globalRandom()) {
      const generator = random;
      Math.random = () => generator.next();
    }
    let interruptRequested = false;
    if (options.handleInterrupt === true) {
      let interrupts = 0;
      interruptHandler = () => {
        interrupts += 1;
        if (interrupts > 1) process.exit(130);
        interruptRequested = true;
      };
      process.on('SIGINT', interruptHandler);
    }

    return await train();

    async function train(): Promise<FitResult> {
      const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const callbacks = new CallbackList(callbackList);
      const evaluation = options.evaluation;
      const evalName = evaluation?.name ?? 'test';
      const position: TrainingPosition = restored?.position ?? {
        epoch: 0,
        step: 0,
        batchInEpoch: 0,
        epochComplete: false,
        epochLossSum: 0,
        images: 0,
        evaluatedAtStep: -1,
      };
      const pending = new Set<string>();
      const context: TrainContext = {
        epoch: position.epoch,
        epochs: options.epochs,
        step: position.step,
        batch: 0,
        batchesPerEpoch: data.length,
        stopTraining: false,
        requestCheckpoint: (dir) => {
          pending.add(dir);
        },
      };
      const learningRates = (): number[] | undefined => (hasLearningRateControl(optimizer) ? optimizer.getLearningRates() : undefined);
      const flush = async (): Promise<void> => {
        if (pending.size === 0) return;
        const { writeCheckpoint } = await import('./checkpoint.js'); // node:fs, loaded only when used
        for (const dir of pending) {
          const rates = learningRates();
          const schedulerState = scheduler?.getState();
          const randomState = random?.getState();
          await writeCheckpoint(dir, {
            model,
            optimizer,
            state: {
              ...(rates === undefined ? {} : { learningRates: rates }),
              ...(schedulerState === undefined ? {} : { scheduler: schedulerState }),
              callbacks: callbackList.map((c) => ({ className: c.constructor.name, state: c.getState() ?? null })),
              ...(randomState === undefined ? {} : { random: randomState }),
              position: { ...position },
            },
          });
        }
        pending.clear();
      };

      const started = performance.now();
      let trainSeconds = 0;
      let lastEvaluation: EvaluationResult | undefined;
      let stopReason: FitResult['stopReason'] = 'completed';

      const runEvaluation = async (): Promise<void> => {
        if (evaluation === undefined) return;
        lastEvaluation = await evaluate(model, evaluation.data, { numClasses, loss: lossFn });
        position.evaluatedAtStep = context.step;
        await callbacks.callWithLogs('onEvaluate', context, {
          [`${evalName}_loss`]: lastEvaluation.loss,
          [`${evalName}_accuracy`]: lastEvaluation.accuracy,
        });
      };
      const stepLoss = (images: tf.Tensor4D, labels: tf.Tensor1D): tf.Scalar => {
        const output = model.apply(images, { training: true }) as tf.Tensor | tf.Tensor[];
        if (multiLoss !== undefined) return multiLoss(Array.isArray(output) ? output : [output], labels);
        return lossFn(Array.isArray(output) ? output[0]! : output, labels);
      };

      const firstEpoch = position.epochComplete ? position.epoch + 1 : position.epoch;
      let skip = position.epochComplete ? 0 : position.batchInEpoch;
      await callbacks.call('onTrainBegin', context);
      try {
        epochs: for (let epoch = firstEpoch; epoch < options.epochs; epoch += 1) {
          context.epoch = epoch;
          context.batch = 0;
          if (position.epoch !== epoch || position.epochComplete) {
            Object.assign(position, { epoch, batchInEpoch: 0, epochComplete: false, epochLossSum: 0 });
          }
          data.setEpoch?.(epoch);
          await callbacks.call('onEpochBegin', context);
          for await (const batch of data) {
            if (skip > 0) {
              // resuming mid-epoch: these batches were trained on before the checkpoint
              tf.dispose([batch.images, batch.labels]);
              skip -= 1;
              context.batch += 1;
              continue;
            }
            const t0 = performance.now();
            const batchSize = batch.images.shape[0];
            const lr = logLearningRate ? learningRates()?.[0] : undefined;
            let lossValue: number;
            try {
              if (trainer !== undefined) lossValue = await trainer.step(batch.images, batch.labels);
              else {
                const loss =
                  options.microBatchSize === undefined
                    ? optimizer.minimize(() => stepLoss(batch.images, batch.labels), true, variables)
                    : accumulatedStep(optimizer, stepLoss, batch.images, batch.labels, variables, options.microBatchSize);
                if (loss === null) throw new Error('fit: the optimiser returned no loss');
                lossValue = (await loss.data())[0]!;
                loss.dispose();
              }
            } catch (error) {
              const heapBytes = wasmHeapBytes(tf.backend());
              throw explainStepFailure(error, { backend: tf.getBackend(), heapBytes, batchSize, ...(options.microBatchSize === undefined ? {} : { microBatchSize: options.microBatchSize }) });
            } finally {
              tf.dispose([batch.images, batch.labels]);
            }
            const seconds = (performance.now() - t0) / 1000;
            trainSeconds += seconds;
            context.step += 1;
            if (!Number.isFinite(lossValue)) throw new NonFiniteLossError(context.step, epoch, lossValue);
            position.step = context.step;
            position.images += batchSize;
            position.epochLossSum += lossValue;
            position.batchInEpoch = context.batch + 1;
            if (scheduler?.interval === 'iteration') scheduler.step();
            const logs: Logs = { loss: lossValue, batchSize, seconds };
            if (lr !== undefined) logs.lr = lr;
            await callbacks.callWithLogs('onBatchEnd', context, logs);
            if (evaluation?.everySteps !== undefined && context.step % evaluation.everySteps === 0) {
              await runEvaluation();
            }
            await flush();
            context.batch += 1;
            if (interruptRequested) stopReason = 'interrupted';
            else if (options.signal?.aborted) stopReason = 'aborted';
            else if (context.stopTraining) stopReason = 'callback';
            if (stopReason !== 'completed') {
              await callbacks.callWithLogs('onEpochEnd', context, epochLogs(position, lastEvaluation, evalName));
              break epochs;
            }
          }
          if (evaluation !== undefined && evaluation.everySteps === undefined && position.evaluatedAtStep !== context.step) {
            await runEvaluation();
          }
          const logs = epochLogs(position, lastEvaluation, evalName);
          if (scheduler?.interval === 'epoch') {
            const name = options.schedulerMetric;
            if (name !== undefined && logs[name] === undefined) {
              throw new Error(`fit: schedulerMetric '${name}' is not among the epoch's figures (${Object.keys(logs).join(', ')})`);
            }
            scheduler.step(name === undefined ? undefined : logs[name]);
          }
          await callbacks.callWithLogs('onEpochEnd', context, logs);
          position.epochComplete = true;
          await flush();
          if (context.stopTraining) {
            stopReason = 'callback';
            break;
          }
        }
        if (evaluation !== undefined && stopReason !== 'aborted' && stopReason !== 'interrupted' && position.evaluatedAtStep !== context.step) {
          await runEvaluation();
        }
      } catch (error) {
        pending.clear(); // a failed run leaves the last good checkpoint as it is
        await callbacks.call('onTrainEnd', context, error);
        throw error;
      }
      await callbacks.call('onTrainEnd', context);
      await flush();
      return {
        steps: context.step,
        epochs: context.epoch + 1,
        images: position.images,
        seconds: (performance.now() - started) / 1000,
        trainSeconds,
        imagesPerSecond: trainSeconds > 0 ? position.images / trainSeconds : 0,
        lastEvaluation,
        stopReason,
      };
    }
  } finally {
    if (interruptHandler !== undefined) process.off('SIGINT', interruptHandler);
    Math.random = previousRandom;
    if (trainer !== undefined) await trainer.dispose(); // terminates the workers; disposes the optimiser if built from a spec
    else if (ownsOptimizer) optimizer.dispose();
  }
}

function epochLogs(position: TrainingPosition, evaluation: EvaluationResult | undefined, name: string): Logs {
  const logs: Logs = { loss: position.batchInEpoch > 0 ? position.epochLossSum / position.batchInEpoch : Number.NaN };
  if (evaluation !== undefined) {
    logs[`${name}_loss`] = evaluation.loss;
    logs[`${name}_accuracy`] = evaluation.accuracy;
  }
  return logs;
}
