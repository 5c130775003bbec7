/**
 * A data-parallel gradient worker: rebuilds the model, then answers each {@link GradientRequest} with the loss and
 * gradients of its shard. Started by {@link DataParallelTrainer}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createCrossEntropy } from '../loss.js';
import type { GradientFailure, GradientReply, GradientRequest, GradientWorkerInit } from './protocol.js';

const init = workerData as GradientWorkerInit;
const port = parentPort;
if (port === null) throw new Error('gradient-worker must run in a worker thread');

async function start(): Promise<(request: GradientRequest) => GradientReply> {
  await import(`@tensorflow/tfjs-backend-${init.backend}`);
  for (const specifier of init.imports) await import(specifier);
  if (!(await tf.setBackend(init.backend))) throw new Error(`gradient worker: backend '${init.backend}' failed to start`);
  const model = await tfl.models.modelFromJSON({ modelTopology: JSON.parse(init.topology) as never });
  const loss = createCrossEntropy(init.crossEntropy);
  const trainable = model.trainableWeights;
  const nonTrainable = model.nonTrainableWeights;
  return (request) => {
    model.weights.forEach((w, i) => {
      const value = tf.tensor(request.weights[i]!, w.read().shape);
      w.write(value);
      value.dispose();
    });
    const { value, grads } = tf.tidy(() => {
      const x = tf.tensor4d(request.images, request.imageShape);
      const y = tf.tensor1d(request.labels, 'int32');
      const variables = trainable.map((w) => w.read() as tf.Variable);
      return tf.variableGrads(() => {
        const out = model.apply(x, { training: true }) as tf.Tensor | tf.Tensor[];
        return loss(Array.isArray(out) ? out[0]! : out, y);
      }, variables);
    });
    const reply: GradientReply = {
      kind: 'gradients',
      loss: value.dataSync()[0]!,
      grads: trainable.map((w) => Float32Array.from(grads[(w.read() as tf.Variable).name]!.dataSync())),
      state: nonTrainable.map((w) => Float32Array.from(w.read().dataSync())),
    };
    tf.dispose([value, ...Object.values(grads)]);
    return reply;
  };
}

const ready = start();
port.on('message', (request: GradientRequest) => {
  ready
    .then((step) => {
      const reply = step(request);
      port.postMessage(reply, [...reply.grads, ...reply.state].map((a) => a.buffer as ArrayBuffer));
    })
    .catch((error: unknown) => {
      const failure: GradientFailure = { kind: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
      port.postMessage(failure);
    });
});
