/**
 * Seed 004, "Normalización por Lotes": LeNet with and without BatchNorm on Fashion-MNIST, SGD lr 1.0, batch 100,
 * 10 epochs, test accuracy measured every 50 iterations. A short configuration of the packages, not a framework.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { formatBackendReport, selectBackend, type BackendChoice } from '@cnn/backend';
import { compose, toUnitRange } from '@cnn/augment';
import { DataLoader, fashionMnist, FASHION_MNIST_CLASSES } from '@cnn/data';
import { createModel } from '@cnn/models';
import { fit, History, ProgressBar, type FitResult } from '@cnn/train';
import { writeRun, type ModelRun } from './outputs.js';
import { STUDY_MODELS, type StudySettings } from './settings.js';

/** What a finished study produced. */
export interface StudyResult {
  /** The run directory, complete. */
  dir: string;
  backend: BackendChoice;
  runs: ModelRun[];
}

/**
 * Runs the study and writes its run directory. The directory is built as `<out>.incomplete` and renamed to `<out>`
 * only when everything is written; a failed or interrupted run removes it, so nothing half-written looks finished.
 */
export async function runStudy(settings: StudySettings, signal?: AbortSignal): Promise<StudyResult> {
  const out = path.resolve(settings.out);
  if (await exists(out)) throw new Error(`Run directory ${out} already exists; choose another --out`);
  const workDir = `${out}.incomplete`;
  await fs.rm(workDir, { recursive: true, force: true });
  await fs.mkdir(workDir, { recursive: true });
  try {
    const result = await trainAndReport(settings, workDir, signal);
    await fs.rename(workDir, out);
    return { ...result, dir: out };
  } catch (error) {
    await fs.rm(workDir, { recursive: true, force: true });
    throw error;
  }
}

async function trainAndReport(settings: StudySettings, workDir: string, signal: AbortSignal | undefined): Promise<StudyResult> {
  const backend = await selectBackend({ backend: settings.backend });
  log(settings, formatBackendReport(backend));

  const dataOptions = { ...(settings.data === undefined ? {} : { root: settings.data }), download: settings.download };
  const train = await fashionMnist({ split: 'train', ...dataOptions, ...(settings.limit === undefined ? {} : { limit: settings.limit }) });
  const test = await fashionMnist({ split: 'test', ...dataOptions, ...(settings.testLimit === undefined ? {} : { limit: settings.testLimit }) });
  log(settings, `Fashion-MNIST: ${train.size} training and ${test.size} test images`);

  const transform = compose([toUnitRange()]);
  const runs: ModelRun[] = [];
  const started = performance.now();
  for (const name of settings.models) {
    const trainLoader = new DataLoader(train, {
      batchSize: settings.batchSize,
      shuffle: settings.shuffle,
      seed: settings.seed,
      transform,
    });
    const testLoader = new DataLoader(test, { batchSize: 1000, transform });
    const tensorsBefore = tf.memory().numTensors;
    const model = createModel(STUDY_MODELS[name], { seed: settings.seed, numClasses: 10, inputShape: [28, 28, 1] });
    const history = new History();
    let result: FitResult;
    try {
      result = await fit(model, trainLoader, {
        epochs: settings.epochs,
        optimizer: { name: 'sgd', learningRate: settings.learningRate },
        loss: 'cross_entropy',
        evaluation: { name: 'test', data: testLoader, everySteps: settings.evalEvery },
        callbacks: [history, new ProgressBar({ label: name, mode: settings.progress })],
        ...(signal === undefined ? {} : { signal }),
      });
    } finally {
      model.dispose();
    }
    if (result.stopReason === 'aborted') throw new Error(`Interrupted while training ${name}; no run directory was written`);
    const evaluation = result.lastEvaluation;
    if (evaluation === undefined) throw new Error(`No evaluation ran for ${name}`);
    runs.push({ model: name, result, evaluation, history, tensorsLeaked: tf.memory().numTensors - tensorsBefore });
    log(
      settings,
      `${name}: test accuracy ${(evaluation.accuracy * 100).toFixed(2)}% after ${result.steps} steps, ` +
        `${result.imagesPerSecond.toFixed(0)} img/s training, ${result.seconds.toFixed(1)} s`,
    );
  }
  await writeRun(workDir, {
    settings,
    backend,
    runs,
    classes: FASHION_MNIST_CLASSES,
    trainImages: train.size,
    testImages: test.size,
    wallSeconds: (performance.now() - started) / 1000,
  });
  return { dir: workDir, backend, runs };
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}

function log(settings: StudySettings, message: string): void {
  if (settings.progress !== 'silent') process.stderr.write(`${message}\n`);
}
