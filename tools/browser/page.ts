/**
 * The browser side of `tools/browser/run.ts`: trains each requested model a few SGD steps on each requested
 * backend with `@cnn/backend`, `@cnn/models` and TensorFlow.js, and posts the losses back to the server.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { parseBackendName, selectBackend } from '@cnn/backend';
import { createModel } from '@cnn/models';

interface Job {
  backend: string;
  model: string;
  inputShape: [number, number, number];
  classes: number;
  batchSize: number;
  steps: number;
}

interface JobResult extends Job {
  ok: boolean;
  chosen?: string;
  losses?: number[];
  imagesPerSecond?: number;
  tensorsLeaked?: number;
  error?: string;
}

async function post(path: string, body: unknown): Promise<void> {
  await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function runJob(job: Job): Promise<JobResult> {
  const choice = await selectBackend({ backend: parseBackendName(job.backend) });
  const model = createModel(job.model, { inputShape: job.inputShape, numClasses: job.classes, seed: 1 }) as tfl.LayersModel;
  const optimizer = tf.train.sgd(0.01);
  const images = tf.randomNormal([job.batchSize, ...job.inputShape], 0, 1, 'float32', 1);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: job.batchSize }, (_, i) => i % job.classes), 'int32'), job.classes);
  const losses: number[] = [];
  const step = async (): Promise<number> => {
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(images, { training: true }) as tf.Tensor), true);
    const value = (await loss!.data())[0]!;
    loss!.dispose();
    return value;
  };
  losses.push(await step()); // warm-up: compiles shaders / kernels
  const before = tf.memory().numTensors;
  const start = performance.now();
  for (let i = 1; i < job.steps; i += 1) losses.push(await step());
  const seconds = (performance.now() - start) / 1000;
  const tensorsLeaked = tf.memory().numTensors - before;
  tf.dispose([images, labels]);
  model.dispose();
  optimizer.dispose();
  return { ...job, ok: true, chosen: choice.name, losses, imagesPerSecond: ((job.steps - 1) * job.batchSize) / seconds, tensorsLeaked };
}

async function main(): Promise<void> {
  setWasmPaths('/wasm/');
  const jobs = (await (await fetch('/jobs')).json()) as Job[];
  for (const job of jobs) {
    let result: JobResult;
    try {
      result = await runJob(job);
    } catch (error) {
      result = { ...job, ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
    await post('/result', result);
  }
  await post('/done', {});
}

main().catch((error: unknown) => post('/done', { error: String(error) }));
