/**
 * A data-parallel worker: rebuilds the model and the optimiser, then for each {@link StepRequest} computes its shard's
 * gradients into the shared exchange, waits at the barrier for the other threads, and applies the same averaged
 * update as they do. Started by {@link DataParallelTrainer}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createCrossEntropy } from '../loss.js';
import { GradientExchange } from './exchange.js';
import type { ParallelWorkerInit, StepRequest, SyncRequest, WorkerReply, WorkerRequest } from './protocol.js';
import { importOptimizerState, Replica, replicaOptimizer } from './replica.js';

const init = workerData as ParallelWorkerInit;
const port = parentPort;
if (port === null) throw new Error('gradient-worker must run in a worker thread');
const exchange = new GradientExchange(init.exchange);

async function start(): Promise<Replica> {
  await import(`@tensorflow/tfjs-backend-${init.backend}`);
  for (const specifier of init.imports) await import(specifier);
  if (!(await tf.setBackend(init.backend))) throw new Error(`data-parallel worker: backend '${init.backend}' failed to start`);
  const model = await tfl.models.modelFromJSON({ modelTopology: JSON.parse(init.topology) as never });
  const optimizer = replicaOptimizer(init.optimizer, init.groupOfWeight, model);
  return new Replica(model, optimizer, createCrossEntropy(init.crossEntropy), exchange, init.thread);
}

async function sync(replica: Replica, request: SyncRequest): Promise<void> {
  const { model } = replica;
  if (request.weights.length !== model.weights.length) {
    throw new Error(`data-parallel worker: the model has ${model.weights.length} weights but ${request.weights.length} were sent`);
  }
  model.weights.forEach((w, i) => {
    const value = tf.tensor(request.weights[i]!, w.shape as number[]);
    w.write(value);
    value.dispose();
  });
  await importOptimizerState(replica.optimizer, model, request.iterations, request.optimizerState);
  replica.optimizer.setLearningRates(request.learningRates);
}

function step(replica: Replica, request: StepRequest): WorkerReply {
  const t0 = performance.now();
  const receive = performance.timeOrigin + t0 - request.postedAt;
  if (request.labels.length > 0) {
    const [images, labels] = [tf.tensor4d(request.images, request.imageShape), tf.tensor1d(request.labels, 'int32')];
    try {
      replica.computeShard(request.parity, images, labels);
    } finally {
      tf.dispose([images, labels]);
    }
  }
  const t1 = performance.now();
  exchange.waitSync(exchange.arrive());
  const t2 = performance.now();
  replica.applyAverage(request.parity, request.shares, request.learningRates);
  return { kind: 'done', timings: { receive, compute: t1 - t0, wait: t2 - t1, update: performance.now() - t2 } };
}

const ready = start();
ready.then(
  () => port.postMessage({ kind: 'ready' } satisfies WorkerReply),
  (error: unknown) => port.postMessage(failure(error)),
);

function failure(error: unknown): WorkerReply {
  return { kind: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}

port.on('message', (request: WorkerRequest) => {
  ready
    .then(async (replica) => {
      if (request.kind === 'step') port.postMessage(step(replica, request));
      else if (request.kind === 'sync') {
        await sync(replica, request);
        port.postMessage({ kind: 'synced' } satisfies WorkerReply);
      } else {
        const weights = replica.model.weights.map((w) => Float32Array.from(w.read().dataSync()));
        port.postMessage({ kind: 'weights', weights } satisfies WorkerReply, weights.map((w) => w.buffer));
      }
    })
    .catch((error: unknown) => {
      exchange.abort(); // wake the threads waiting at the barrier for this one
      port.postMessage(failure(error));
    });
});
