/**
 * Data-parallel training across worker threads, as PyTorch's `DistributedDataParallel` on one machine: every thread
 * (the main thread and each worker) keeps its own copy of the model and of the optimiser; each step every thread
 * computes the gradients of its shard of the batch, the gradients are averaged through shared memory, and every
 * thread applies the identical update to its own copy.
 */
import type { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { startModuleWorker } from '@cnn/data';
import { createCrossEntropy, type CrossEntropyOptions } from '../loss.js';
import type { TorchOptimizer } from '../optim/torch-optimizer.js';
import { createOptimizer, type OptimizerSpec } from '../optimizers.js';
import { ExchangeAbortedError, GradientExchange } from './exchange.js';
import type { ParallelWorkerInit, WorkerReply, WorkerRequest, WorkerStepTimings } from './protocol.js';
import { describeOptimizer } from './optimizer-spec.js';
import { exchangeSizes, exportOptimizerState, Replica } from './replica.js';

/** Where the threads run: the options `fit`'s `dataParallel` takes. */
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
}

/** Options of {@link DataParallelTrainer.create}. */
export interface DataParallelTrainerOptions extends DataParallelOptions {
  /**
   * The optimiser: a spec (`{ name: 'sgd', learningRate: 0.1, momentum: 0.9 }`, the trainer creates it and disposes it
   * in {@link DataParallelTrainer.dispose}), or an SGD, Adam, AdamW or RMSprop from `createOptimizer` (the caller keeps
   * it; its state and learning rates are copied to the workers). Every worker builds an identical one; parameter
   * groups work (membership is computed on the main thread and sent by weight index). Other optimisers are refused,
   * as their updates could not be replicated exactly.
   */
  optimizer: OptimizerSpec | tf.Optimizer;
  /** The cross-entropy's options, the loss of every shard (as `createCrossEntropy`). Default `{}`. */
  crossEntropy?: CrossEntropyOptions;
}

/** Mean milliseconds per step spent in each phase, since the trainer started. */
export interface DataParallelTimings {
  /** Steps measured. */
  steps: number;
  /** The main thread: slicing the batch and posting the shards; its own shard; waiting at the barrier; averaging and updating. */
  main: { split: number; compute: number; wait: number; update: number };
  /** The workers (averaged over them). */
  workers: WorkerStepTimings;
}

interface Pending {
  expect: WorkerReply['kind'];
  resolve: (reply: WorkerReply) => void;
  reject: (error: Error) => void;
}

/**
 * Trains a `LayersModel` on several threads at once (synchronous data parallelism). Each {@link step} splits the batch
 * into `workers + 1` contiguous shards; every thread computes its shard's loss and gradients and writes them into
 * shared memory, waits at an `Atomics` barrier, and then applies the optimiser to the shard-size-weighted average of
 * the gradients: for a model without batch statistics the update equals one thread's on the whole batch, and the
 * threads' weights stay identical (they run the same code on the same numbers) — no weights are copied per step.
 *
 * BatchNorm normalises each shard with the shard's own statistics (as PyTorch's DDP without SyncBatchNorm), and its
 * moving statistics become the shard-size-weighted average of every thread's update of them. Random layers (dropout)
 * draw independently in each thread. The main thread's {@link model} and {@link optimizer} hold the result: read
 * weights, evaluate, checkpoint and change learning rates there; after changing weights or optimiser state on the
 * main thread in any other way (restoring a checkpoint), call {@link synchronize}.
 *
 * A worker's failure rejects the step and breaks the trainer (later steps throw). Call {@link dispose} to terminate
 * the workers (also after a failure).
 */
export class DataParallelTrainer {
  /** Each worker's requests awaiting a reply, oldest first (a worker answers in order). */
  private readonly pending: Pending[][];
  private failure: Error | undefined;
  private stepCount = 0;
  private readonly totals = { steps: 0, split: 0, compute: 0, wait: 0, update: 0, workerSteps: 0, workerReceive: 0, workerCompute: 0, workerWait: 0, workerUpdate: 0 };

  private constructor(
    /** The model trained on the main thread, whose weights are the result. */
    readonly model: tfl.LayersModel,
    /** The main thread's optimiser (for learning-rate schedules and checkpoints); dispose() disposes it if it built it. */
    readonly optimizer: TorchOptimizer,
    private readonly ownsOptimizer: boolean,
    private readonly replica: Replica,
    private readonly exchange: GradientExchange,
    private readonly workers: Worker[],
  ) {
    this.pending = workers.map(() => []);
    workers.forEach((worker, k) => {
      worker.on('message', (reply: WorkerReply) => this.onReply(k, reply));
      worker.on('error', (error: Error) => this.fail(new Error(`data-parallel worker ${k + 1} failed: ${error.message}`)));
      worker.on('exit', (code: number) => this.fail(new Error(`data-parallel worker ${k + 1} exited (code ${code})`)));
    });
  }

  /**
   * Starts the workers (each rebuilds `model` from `model.toJSON()` and an optimiser from the spec), waits until they
   * are ready, and copies the model's weights to them. On failure the workers are terminated and the error thrown.
   */
  static async create(model: tfl.LayersModel, options: DataParallelTrainerOptions): Promise<DataParallelTrainer> {
    const count = options.workers ?? 1;
    if (!Number.isSafeInteger(count) || count < 1) {
      throw new RangeError(`DataParallelTrainer: workers must be a positive integer, got ${String(count)}`);
    }
    const nonFloat = model.weights.find((w) => w.dtype !== 'float32');
    if (nonFloat !== undefined) throw new Error(`DataParallelTrainer: weight '${nonFloat.name}' is ${nonFloat.dtype}; only float32 weights can be exchanged`);
    if (model.outputs.length !== 1) throw new Error(`DataParallelTrainer: the model has ${model.outputs.length} outputs; data-parallel training supports single-output models`);
    const given = options.optimizer;
    const ownsOptimizer = !(given instanceof tf.Optimizer);
    const optimizer = ownsOptimizer ? createOptimizer(given) : (given as TorchOptimizer);
    let described: ReturnType<typeof describeOptimizer>;
    try {
      described = describeOptimizer(optimizer, model);
    } catch (error) {
      if (ownsOptimizer) optimizer.dispose();
      throw error;
    }
    const crossEntropy = options.crossEntropy ?? {};
    const exchange = GradientExchange.allocate(count + 1, exchangeSizes(model));
    const replica = new Replica(model, optimizer, createCrossEntropy(crossEntropy), exchange, 0);
    const base: Omit<ParallelWorkerInit, 'thread'> = {
      topology: JSON.stringify(model.toJSON(null, false)),
      backend: options.backend ?? tf.getBackend(),
      imports: options.imports ?? [],
      crossEntropy,
      optimizer: described.spec,
      groupOfWeight: described.groupOfWeight,
      exchange: exchange.buffers,
    };
    const url = new URL(`./gradient-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);
    const workers = Array.from({ length: count }, (_, k) => startModuleWorker(url, { workerData: { ...base, thread: k + 1 } satisfies ParallelWorkerInit }));
    const trainer = new DataParallelTrainer(model, optimizer, ownsOptimizer, replica, exchange, workers);
    try {
      await Promise.all(workers.map((_, k) => trainer.expect(k, 'ready')));
      await trainer.synchronize();
    } catch (error) {
      await trainer.dispose();
      throw error;
    }
    return trainer;
  }

  /** Number of threads computing shards (workers + the main thread); 1 after {@link dispose}. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * Copies the main thread's weights, optimiser state and learning rates to every worker. Needed only after changing
   * them on the main thread other than through {@link step} or `setLearningRates` (e.g. restoring a checkpoint).
   */
  async synchronize(): Promise<void> {
    this.checkUsable();
    const weights = this.model.weights.map((w) => Float32Array.from(w.read().dataSync()));
    const { iterations, entries } = await exportOptimizerState(this.optimizer, this.model);
    const learningRates = this.optimizer.getLearningRates();
    await Promise.all(this.workers.map((_, k) => this.send(k, { kind: 'sync', weights, iterations, optimizerState: entries, learningRates }, 'synced')));
  }

  /**
   * One optimiser step over `images` and integer `labels` on every thread; returns the batch's mean loss once the main
   * thread's model is updated (the workers finish their identical update meanwhile). The inputs are not disposed. A
   * batch smaller than the thread count is trained on as many threads as it has images.
   */
  async step(images: tf.Tensor4D, labels: tf.Tensor1D): Promise<number> {
    this.checkUsable();
    const total = images.shape[0];
    if (labels.shape[0] !== total) throw new RangeError(`DataParallelTrainer.step: ${total} images but ${labels.shape[0]} labels`);
    if (total === 0) throw new RangeError('DataParallelTrainer.step: the batch is empty');
    const t0 = performance.now();
    const threads = this.threads;
    const bounds = Array.from({ length: threads + 1 }, (_, k) => Math.round((k * total) / threads));
    const shares = bounds.slice(1).map((end, k) => (end - bounds[k]!) / total);
    const learningRates = this.optimizer.getLearningRates();
    const [, height, width, channels] = images.shape;
    const parity = this.stepCount % 2;
    const done = this.workers.map((_, k) => {
      const start = bounds[k + 1]!;
      const count = bounds[k + 2]! - start;
      let pixels = new Float32Array(0);
      let classes = new Int32Array(0);
      if (count > 0) {
        const [x, y] = tf.tidy(() => [tf.slice(images, start, count), tf.slice(labels, start, count)]);
        pixels = new Float32Array(x.dataSync());
        classes = new Int32Array(y.dataSync());
        tf.dispose([x, y]);
      }
      const request: WorkerRequest = { kind: 'step', parity, images: pixels, imageShape: [count, height, width, channels], labels: classes, shares, learningRates, postedAt: performance.timeOrigin + performance.now() };
      return this.send(k, request, 'done', [pixels.buffer, classes.buffer]);
    });
    // the workers' replies only carry timings: a failure reaches the trainer through fail(), not through these promises
    done.forEach((p) => p.then((reply) => this.recordWorker(reply), () => undefined));
    const t1 = performance.now();
    let t2 = t1;
    let t3 = t1;
    let t4 = t1;
    try {
      const own = bounds[1]!;
      if (own > 0) {
        const [x, y] = own === total ? [images, labels] : tf.tidy(() => [tf.slice(images, 0, own), tf.slice(labels, 0, own)]);
        try {
          this.replica.computeShard(parity, x as tf.Tensor4D, y as tf.Tensor1D);
        } finally {
          if (x !== images) tf.dispose([x, y]);
        }
      }
      t2 = performance.now();
      await this.exchange.waitAsync(this.exchange.arrive());
      t3 = performance.now();
      this.replica.applyAverage(parity, shares);
      t4 = performance.now();
    } catch (error) {
      // a worker that aborted the exchange reports why in its reply (or exits): wait for it before naming the cause
      if (!(error instanceof ExchangeAbortedError)) this.fail(error as Error);
      await Promise.allSettled(done);
      const cause = this.failure ?? (error as Error);
      this.fail(cause);
      throw cause;
    }
    this.stepCount += 1;
    this.record([t1 - t0, t2 - t1, t3 - t2, t4 - t3]);
    return this.exchange.loss(parity, shares);
  }

  /** Every worker's current weights (all of `model.weights`, in order), to check that the threads agree. */
  async workerWeights(): Promise<Float32Array[][]> {
    this.checkUsable();
    const replies = await Promise.all(this.workers.map((_, k) => this.send(k, { kind: 'read' }, 'weights')));
    return replies.map((r) => (r.kind === 'weights' ? r.weights : []));
  }

  /**
   * Mean time per step in each phase, on the main thread and the workers, since the start or the last reset (for
   * profiling; pass `reset` after warm-up steps, whose first-call costs would otherwise dominate).
   */
  timings(reset = false): DataParallelTimings {
    const t = { ...this.totals };
    if (reset) for (const key of Object.keys(this.totals) as (keyof typeof this.totals)[]) this.totals[key] = 0;
    const n = Math.max(t.steps, 1);
    const w = Math.max(t.workerSteps, 1);
    return {
      steps: t.steps,
      main: { split: t.split / n, compute: t.compute / n, wait: t.wait / n, update: t.update / n },
      workers: { receive: t.workerReceive / w, compute: t.workerCompute / w, wait: t.workerWait / w, update: t.workerUpdate / w },
    };
  }

  /** Terminates every worker and disposes the main thread's optimiser if the trainer built it (never the model). Safe to call twice. */
  async dispose(): Promise<void> {
    const workers = this.workers.splice(0);
    this.failure ??= new Error('DataParallelTrainer: disposed');
    this.exchange.abort();
    for (const worker of workers) worker.removeAllListeners();
    await Promise.all(workers.map((w) => w.terminate()));
    for (const queue of this.pending.splice(0)) for (const p of queue) p.reject(this.failure);
    if (this.ownsOptimizer) this.optimizer.dispose();
  }

  private record(phases: number[]): void {
    const t = this.totals;
    t.steps += 1;
    t.split += phases[0]!;
    t.compute += phases[1]!;
    t.wait += phases[2]!;
    t.update += phases[3]!;
  }

  private recordWorker(reply: WorkerReply): void {
    if (reply.kind !== 'done') return;
    const t = this.totals;
    t.workerSteps += 1;
    t.workerReceive += reply.timings.receive;
    t.workerCompute += reply.timings.compute;
    t.workerWait += reply.timings.wait;
    t.workerUpdate += reply.timings.update;
  }

  private checkUsable(): void {
    if (this.failure !== undefined) throw new Error(`DataParallelTrainer can no longer train: ${this.failure.message}`, { cause: this.failure });
  }

  /** Breaks the trainer: wakes every thread at the barrier and rejects every pending request. */
  private fail(error: Error): void {
    this.failure ??= error;
    this.exchange.abort();
    for (const queue of this.pending) for (const p of queue.splice(0)) p.reject(this.failure);
  }

  private onReply(k: number, reply: WorkerReply): void {
    const pending = this.pending[k]?.shift();
    if (reply.kind === 'error') {
      const error = new Error(`data-parallel worker ${k + 1} failed: ${reply.message}`);
      pending?.reject(error);
      this.fail(error);
    } else if (pending === undefined) this.fail(new Error(`data-parallel worker ${k + 1} sent an unexpected '${reply.kind}'`));
    else if (reply.kind !== pending.expect) this.fail(new Error(`data-parallel worker ${k + 1} sent '${reply.kind}', expected '${pending.expect}'`));
    else pending.resolve(reply);
  }

  /** Waits for worker `k`'s next reply of `kind` (replies come in request order). */
  private expect(k: number, kind: WorkerReply['kind']): Promise<WorkerReply> {
    const failure = this.failure;
    if (failure !== undefined) return Promise.reject(failure);
    return new Promise((resolve, reject) => {
      this.pending[k]!.push({ expect: kind, resolve, reject });
    });
  }

  private send(k: number, request: WorkerRequest, reply: WorkerReply['kind'], transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    const answer = this.expect(k, reply);
    if (this.failure === undefined) this.workers[k]!.postMessage(request, transfer);
    return answer;
  }
}
