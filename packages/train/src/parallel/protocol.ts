/**
 * Messages between {@link DataParallelTrainer} and its workers. Gradients do not travel in messages: they go through
 * the shared {@link ExchangeBuffers}; messages carry each step's shard and learning rates, and the replies.
 */
import type { CrossEntropyOptions } from '../loss.js';
import type { ParamGroup } from '../optim/param-groups.js';
import type { OptimizerSpec } from '../optimizers.js';
import type { ExchangeBuffers } from './exchange.js';

/**
 * An optimiser spec that survives `postMessage`: parameter groups lose their `filter` function (membership travels
 * as {@link ParallelWorkerInit.groupOfWeight}).
 */
export type PortableOptimizerSpec = Omit<OptimizerSpec, 'paramGroups'> & { paramGroups?: readonly Omit<ParamGroup, 'filter'>[] };

/** What a worker starts from (its `workerData`). */
export interface ParallelWorkerInit {
  /** `JSON.stringify(model.toJSON(null, false))`: the topology, rebuilt with `tfl.models.modelFromJSON`. */
  topology: string;
  /** The tfjs backend the worker selects: `'cpu'` or `'wasm'` (imports `@tensorflow/tfjs-backend-<name>`). */
  backend: string;
  /** Modules imported before the model is rebuilt, so that their layer classes and kernels are registered. */
  imports: string[];
  /** The cross-entropy's options (the loss every thread computes). */
  crossEntropy: CrossEntropyOptions;
  /** The optimiser every thread builds; parameter groups carry no `filter` (see {@link groupOfWeight}). */
  optimizer: PortableOptimizerSpec;
  /** For each trainable weight (in `trainableWeights` order), its parameter group: 0 default, `i + 1` paramGroups[i]. */
  groupOfWeight: number[];
  /** This thread's slot in the exchange (1 ... workers; the main thread is 0). */
  thread: number;
  /** The shared memory of the exchange. */
  exchange: ExchangeBuffers;
}

/** Optimiser state of one variable buffer, addressed by the variable's index in `trainableWeights`. */
export interface PortableOptimizerEntry {
  /** Index in `trainableWeights`. */
  weight: number;
  /** `step` or a buffer name (`momentum_buffer`, `exp_avg`, ...). */
  key: string;
  values: Float32Array | Int32Array;
  shape: number[];
  dtype: 'float32' | 'int32';
}

/** Replaces the worker's weights (all of `model.weights`, in order), optimiser state and learning rates. */
export interface SyncRequest {
  kind: 'sync';
  weights: Float32Array[];
  iterations: number;
  optimizerState: PortableOptimizerEntry[];
  learningRates: number[];
}

/** One step: the worker's shard (possibly empty), every thread's share of the batch, the learning rates. */
export interface StepRequest {
  kind: 'step';
  /** The step's number modulo 2: which half of the double-buffered exchange it uses. */
  parity: number;
  images: Float32Array;
  imageShape: [number, number, number, number];
  labels: Int32Array;
  shares: number[];
  learningRates: number[];
  /** When the main thread posted this request (`performance.timeOrigin + performance.now()`), for {@link WorkerStepTimings.receive}. */
  postedAt: number;
}

/** Asks for the worker's current weights (all of `model.weights`), to check that the threads agree. */
export interface ReadRequest {
  kind: 'read';
}

/** Any request to a worker. */
export type WorkerRequest = SyncRequest | StepRequest | ReadRequest;

/** Milliseconds a worker spent in each phase of a step. */
export interface WorkerStepTimings {
  /** From the main thread posting the step until the worker starts on it (message latency, or the worker still busy). */
  receive: number;
  /** Forward and backward pass of the shard, and writing its gradients into the exchange. */
  compute: number;
  /** Waiting at the barrier for the other threads' gradients. */
  wait: number;
  /** Averaging the slots and the optimiser update. */
  update: number;
}

/** Replies of a worker. */
export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'synced' }
  | { kind: 'done'; timings: WorkerStepTimings }
  | { kind: 'weights'; weights: Float32Array[] }
  | { kind: 'error'; message: string };
