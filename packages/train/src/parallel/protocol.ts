/**
 * Messages between {@link DataParallelTrainer} and its gradient workers.
 */
import type { CrossEntropyOptions } from '../loss.js';

/** What a gradient worker starts from (its `workerData`). */
export interface GradientWorkerInit {
  /** `JSON.stringify(model.toJSON(null, false))`: the topology, rebuilt with `tfl.models.modelFromJSON`. */
  topology: string;
  /** The tfjs backend the worker selects: `'cpu'` or `'wasm'` (imports `@tensorflow/tfjs-backend-<name>`). */
  backend: string;
  /** Modules imported before the model is rebuilt, so that their layer classes are registered. */
  imports: string[];
  /** The cross-entropy's options (the loss every worker computes). */
  crossEntropy: CrossEntropyOptions;
}

/** One shard's step: the current weights (all of `model.weights`, in order) and the shard's images and labels. */
export interface GradientRequest {
  kind: 'step';
  weights: Float32Array[];
  images: Float32Array;
  imageShape: [number, number, number, number];
  labels: Int32Array;
}

/** A worker's answer: the shard's mean loss, its gradients (in `trainableWeights` order) and its non-trainable weights. */
export interface GradientReply {
  kind: 'gradients';
  loss: number;
  grads: Float32Array[];
  state: Float32Array[];
}

/** A worker's failure, passed on to the step that waits for it. */
export interface GradientFailure {
  kind: 'error';
  message: string;
}
