/** `@cnn/train`: a training loop for TensorFlow.js classifiers with evaluation during training and callbacks. */
export { Callback, CallbackList, type TrainContext } from './callback.js';
export { evaluate, outputClasses, type EvaluateOptions, type EvaluationResult } from './evaluate.js';
export { fit, NonFiniteLossError, type EvaluationSpec, type FitOptions, type FitResult } from './fit.js';
export { History, type HistoryRecord } from './history.js';
export { crossEntropy, getLoss, type LossFunction, type LossName } from './loss.js';
export { createOptimizer, OPTIMIZER_NAMES, type OptimizerSpec } from './optimizers.js';
export { ProgressBar, type ProgressBarOptions, type ProgressMode } from './progress.js';
export type { Batch, BatchSource, Logs } from './types.js';
