/**
 * Data-parallel training across worker threads: each step splits the batch into shards, the main thread and every
 * worker compute the loss and gradients of their shard, and one optimiser step applies their weighted average.
 */
import type { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { startModuleWorker } from '@cnn/data';
import { createCrossEntropy, type CrossEntropyOptions } from '../loss.js';
import type { GradientFailure, GradientReply, GradientRequest, GradientWorkerInit } from './protocol.js';

/** Options of {@link DataParallelTrainer.create}. */
export interface DataParallelOptions {
  /** Worker threads besides the main thread (which computes a shard too); a positive integer. Default 1. */
  workers?: number;
  /** The backend each worker selects (`'cpu'` or `'wasm'`). Default: the main thread's `tf.getBackend()`. */
  backend?: string;
  /**
   * Modules each worker imports before rebuilding the model: those that register layer classes (`@cnn/layers`,
   * `@cnn/models`) or kernels (a module awaiting `selectBackend({ backend: 'wasm' })` for our WASM training kernels).
   * Give absolute URLs (`import.meta.resolve('@cnn/layers')`): a bare name resolves from `@cnn/train`'s own
   * location, whose dependencies do not include them. Default none.
   */
  imports?: string[];
  /** The cross-entropy's options, the loss of every shard (as `createCrossEntropy`). Default `{}`. */
  crossEntropy?: CrossEntropyOptions;
}

function toArrays(tensors: readonly tf.Tensor[]): Float32Array[] {
  return tensors.map((t) => Float32Array.from(t.dataSync()));
}

/**
 * Trains a `LayersModel` on several threads at once (synchronous data parallelism, as PyTorch's
 * `DistributedDataParallel` on one machine). Each {@link step} sends the current weights to every worker, splits the
 * batch into `workers + 1` contiguous shards, and averages the shards' gradients weighted by shard size, so that for a
 * model without batch statistics the update equals the whole batch's. Non-trainable weights (BatchNorm moving
 * statistics) become the shard-size-weighted average of every thread's; BatchNorm normalises each shard with its own
 * statistics. Random layers (dropout) draw independently in each thread.
 *
 * Call {@link dispose} to terminate the workers.
 */
export class DataParallelTrainer {
  private readonly lossFn;

  private constructor(
    /** The model trained on the main thread, whose weights are the result. */
    readonly model: tfl.LayersModel,
    private readonly workers: Worker[],
    crossEntropy: CrossEntropyOptions,
  ) {
    this.lossFn = createCrossEntropy(crossEntropy);
  }

  /** Starts the workers, each rebuilding `model` from `model.toJSON()`. */
  static create(model: tfl.LayersModel, options: DataParallelOptions = {}): DataParallelTrainer {
    const count = options.workers ?? 1;
    if (!Number.isSafeInteger(count) || count < 1) {
      throw new RangeError(`DataParallelTrainer: workers must be a positive integer, got ${String(count)}`);
    }
    const init: GradientWorkerInit = {
      topology: JSON.stringify(model.toJSON(null, false)),
      backend: options.backend ?? tf.getBackend(),
      imports: options.imports ?? [],
      crossEntropy: options.crossEntropy ?? {},
    };
    const url = new URL(`./gradient-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);
    const workers = Array.from({ length: count }, () => startModuleWorker(url, { workerData: init }));
    return new DataParallelTrainer(model, workers, init.crossEntropy);
  }

  /** Number of threads computing shards (workers + the main thread). */
  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * One optimiser step over `images` and integer `labels`; returns the batch's mean loss. The inputs are not disposed.
   * A batch smaller than the thread count is trained on as many threads as it has images.
   */
  async step(optimizer: tf.Optimizer, images: tf.Tensor4D, labels: tf.Tensor1D): Promise<number> {
    const total = images.shape[0];
    if (labels.shape[0] !== total) throw new RangeError(`DataParallelTrainer.step: ${total} images but ${labels.shape[0]} labels`);
    if (total === 0) throw new RangeError('DataParallelTrainer.step: the batch is empty');
    const shards = Math.min(this.threads, total);
    const bounds = Array.from({ length: shards + 1 }, (_, k) => Math.round((k * total) / shards));
    const weights = toArrays(this.model.weights.map((w) => w.read()));
    const replies: Promise<GradientReply>[] = [];
    for (let k = 1; k < shards; k += 1) {
      const start = bounds[k]!;
      const count = bounds[k + 1]! - start;
      const [x, y] = tf.tidy(() => [tf.slice(images, start, count), tf.slice(labels, start, count)]);
      const request: GradientRequest = {
        kind: 'step',
        weights,
        images: Float32Array.from(x.dataSync()),
        imageShape: x.shape as [number, number, number, number],
        labels: Int32Array.from(y.dataSync()),
      };
      tf.dispose([x, y]);
      replies.push(this.request(this.workers[k - 1]!, request));
    }
    const own = bounds[1]!;
    const trainable = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.tidy(() => {
      const x = own === total ? images : tf.slice(images, 0, own);
      const y = own === total ? labels : tf.slice(labels, 0, own);
      return tf.variableGrads(() => {
        const out = this.model.apply(x, { training: true }) as tf.Tensor | tf.Tensor[];
        return this.lossFn(Array.isArray(out) ? out[0]! : out, y);
      }, trainable);
    });
    const ownLoss = (await value.data())[0]!;
    value.dispose();
    let answers: GradientReply[];
    try {
      answers = await Promise.all(replies);
    } catch (error) {
      tf.dispose(Object.values(grads));
      throw error;
    }
    const shares = Array.from({ length: shards }, (_, k) => (bounds[k + 1]! - bounds[k]!) / total);
    let loss = ownLoss * shares[0]!;
    answers.forEach((a, k) => (loss += a.loss * shares[k + 1]!));
    const averaged: tf.NamedTensorMap = tf.tidy(() => {
      const out: tf.NamedTensorMap = {};
      trainable.forEach((v, i) => {
        let sum = tf.mul(grads[v.name]!, shares[0]!);
        answers.forEach((a, k) => (sum = tf.add(sum, tf.mul(tf.tensor(a.grads[i]!, v.shape), shares[k + 1]!))));
        out[v.name] = sum;
      });
      return out;
    });
    tf.dispose(Object.values(grads));
    const nonTrainable = this.model.nonTrainableWeights;
    if (nonTrainable.length > 0 && answers.length > 0) {
      nonTrainable.forEach((w, i) => {
        const mean = tf.tidy(() => {
          let sum = tf.mul(w.read(), shares[0]!);
          answers.forEach((a, k) => (sum = tf.add(sum, tf.mul(tf.tensor(a.state[i]!, w.read().shape), shares[k + 1]!))));
          return sum;
        });
        w.write(mean);
        mean.dispose();
      });
    }
    try {
      optimizer.applyGradients(averaged);
    } finally {
      tf.dispose(Object.values(averaged));
    }
    return loss;
  }

  private request(worker: Worker, request: GradientRequest): Promise<GradientReply> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: GradientReply | GradientFailure): void => {
        worker.off('error', onError);
        if (reply.kind === 'error') reject(new Error(`gradient worker failed: ${reply.message}`));
        else resolve(reply);
      };
      const onError = (error: Error): void => {
        worker.off('message', onMessage);
        reject(error);
      };
      worker.once('message', onMessage);
      worker.once('error', onError);
      worker.postMessage(request);
    });
  }

  /** Terminates every worker. */
  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
