/**
 * The browser side of `tools/browser/run.ts`: trains each requested model a few SGD steps on each requested
 * backend with `@cnn/backend`, `@cnn/models`, `@cnn/data`'s loader and `@cnn/augment`'s transforms, and posts the
 * losses back to the server.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { parseBackendName, selectBackend } from '@cnn/backend';
import { DataLoader, ImageArrayDataset, mulberry32 } from '@cnn/data';
import { Compose, RandomHorizontalFlip, ToTensor } from '@cnn/augment';
import { createModel } from '@cnn/models';
import type { BrowserJob, BrowserJobResult } from './browser-training.js';

async function post(path: string, body: unknown): Promise<void> {
  await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function runJob(job: BrowserJob): Promise<BrowserJobResult> {
  const choice = await selectBackend({ backend: parseBackendName(job.backend) });
  const model = createModel(job.model, { inputShape: job.inputShape, numClasses: job.classes, seed: 1 }) as tfl.LayersModel;
  const optimizer = tf.train.sgd(0.01);
  // The input side of the toolkit in the browser too: a seeded in-memory dataset, @cnn/augment's per-sample
  // transforms and @cnn/data's DataLoader (one batch per epoch, so every step sees the same images, flipped anew).
  const [height, width, channels] = job.inputShape;
  const random = mulberry32(1);
  const dataset = new ImageArrayDataset({
    images: Uint8Array.from({ length: job.batchSize * height * width * channels }, () => Math.floor(random() * 256)),
    labels: Int32Array.from({ length: job.batchSize }, (_, i) => i % job.classes),
    height,
    width,
    channels,
  });
  const loader = new DataLoader(dataset, { batchSize: job.batchSize, seed: 1, sampleTransform: new Compose([new RandomHorizontalFlip(), new ToTensor()]) });
  const losses: number[] = [];
  const step = async (): Promise<number> => {
    let value = Number.NaN;
    for await (const batch of loader) {
      const labels = tf.oneHot(batch.labels, job.classes);
      const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(batch.images, { training: true }) as tf.Tensor), true);
      value = (await loss!.data())[0]!;
      tf.dispose([loss!, labels, batch.images, batch.labels]);
    }
    return value;
  };
  losses.push(await step()); // warm-up: compiles shaders / kernels
  const before = tf.memory().numTensors;
  const start = performance.now();
  for (let i = 1; i < job.steps; i += 1) losses.push(await step());
  const seconds = (performance.now() - start) / 1000;
  const tensorsLeaked = tf.memory().numTensors - before;
  model.dispose();
  optimizer.dispose();
  return { ...job, ok: true, chosen: choice.name, losses, imagesPerSecond: ((job.steps - 1) * job.batchSize) / seconds, tensorsLeaked };
}

async function main(): Promise<void> {
  setWasmPaths('/wasm/');
  const jobs = (await (await fetch('/jobs')).json()) as BrowserJob[];
  for (const job of jobs) {
    let result: BrowserJobResult;
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
