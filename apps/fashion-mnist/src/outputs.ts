/** The run directory: metrics.json, history.csv, curves, confusion matrices and report.md. */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { BackendChoice } from '@cnn/backend';
import { confusionMatrixChart, lineChart, saveChart } from '@cnn/metrics/plots';
import type { EvaluationResult, FitResult, History } from '@cnn/train';
import { SEED_TEST_ACCURACY, type StudyModel, type StudySettings } from './settings.js';

/** One trained model's results. */
export interface ModelRun {
  model: StudyModel;
  result: FitResult;
  evaluation: EvaluationResult;
  history: History;
  /** Tensors left allocated after training and disposing the model (0 when nothing leaks). */
  tensorsLeaked: number;
}

/** What {@link writeRun} writes about. */
export interface RunSummary {
  settings: StudySettings;
  backend: BackendChoice;
  runs: ModelRun[];
  classes: readonly string[];
  trainImages: number;
  testImages: number;
  wallSeconds: number;
}

/** Writes every output of the run into `dir`. */
export async function writeRun(dir: string, summary: RunSummary): Promise<void> {
  const { runs, settings } = summary;
  const metrics = {
    study: 'fashion-mnist',
    seedNotebook: '004_ecf6e686283b6365',
    backend: summary.backend.name,
    backendReason: summary.backend.reason,
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    learningRate: settings.learningRate,
    evalEvery: settings.evalEvery,
    seed: settings.seed,
    shuffle: settings.shuffle,
    trainImages: summary.trainImages,
    testImages: summary.testImages,
    wallSeconds: round(summary.wallSeconds, 2),
    finishedAt: new Date().toISOString(),
    models: runs.map((r) => ({
      model: r.model,
      testAccuracy: round(r.evaluation.accuracy, 6),
      testLoss: round(r.evaluation.loss, 6),
      seedTestAccuracy: SEED_TEST_ACCURACY[r.model],
      steps: r.result.steps,
      epochs: r.result.epochs,
      wallSeconds: round(r.result.seconds, 2),
      trainSeconds: round(r.result.trainSeconds, 2),
      imagesPerSecond: round(r.result.imagesPerSecond, 1),
      tensorsLeaked: r.tensorsLeaked,
    })),
  };
  await fs.writeFile(path.join(dir, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  await fs.writeFile(path.join(dir, 'history.csv'), historyCsv(runs));

  const lossChart = await lineChart({
    title: 'Training loss per iteration (Fashion-MNIST)',
    xLabel: 'iteration',
    yLabel: 'cross-entropy loss',
    series: runs.map((r) => ({ name: r.model, ...r.history.series('loss') })),
  });
  const accuracyChart = await lineChart({
    title: `Test accuracy every ${settings.evalEvery} iterations`,
    xLabel: 'iteration',
    yLabel: 'test accuracy',
    series: runs.map((r) => ({ name: r.model, ...r.history.series('test_accuracy') })),
    yDomain: [0, 1],
  });
  for (const [name, chart] of [
    ['loss', lossChart],
    ['accuracy', accuracyChart],
  ] as const) {
    await saveChart(chart, path.join(dir, `${name}.png`));
    await saveChart(chart, path.join(dir, `${name}.svg`));
  }
  for (const r of runs) {
    const chart = await confusionMatrixChart({
      matrix: r.evaluation.confusionMatrix,
      labels: summary.classes,
      title: `${r.model}: confusion matrix on the test set (accuracy ${(r.evaluation.accuracy * 100).toFixed(2)}%)`,
    });
    await saveChart(chart, path.join(dir, `confusion-${r.model}.png`));
    await saveChart(chart, path.join(dir, `confusion-${r.model}.svg`));
  }
  await fs.writeFile(path.join(dir, 'report.md'), reportMarkdown(summary));
}

function historyCsv(runs: ModelRun[]): string {
  const keys = ['epoch', 'step', 'loss', 'batchSize', 'seconds', 'test_loss', 'test_accuracy'];
  const lines = [['model', ...keys].join(',')];
  for (const r of runs) {
    for (const row of r.history.records) lines.push([r.model, ...keys.map((k) => (row[k] === undefined ? '' : String(row[k])))].join(','));
  }
  return `${lines.join('\n')}\n`;
}

function reportMarkdown(summary: RunSummary): string {
  const { settings, runs } = summary;
  const pct = (v: number): string => `${(v * 100).toFixed(2)}%`;
  const rows = runs.map(
    (r) =>
      `| ${r.model} | ${pct(r.evaluation.accuracy)} | ${pct(SEED_TEST_ACCURACY[r.model])} | ` +
      `${r.result.steps} | ${r.result.imagesPerSecond.toFixed(0)} | ${r.result.seconds.toFixed(1)} s |`,
  );
  const full = settings.epochs === 10 && summary.trainImages === 60_000 && summary.testImages === 10_000;
  return [
    '# Fashion-MNIST: LeNet with and without BatchNorm',
    '',
    'Reproduction of seed 004 (`004_ecf6e686283b6365`, "Normalización por Lotes"): LeNet with sigmoid activations and',
    'average pooling, and the same network with BatchNorm after every convolution and hidden dense layer, trained with',
    `SGD (learning rate ${settings.learningRate}), batch ${settings.batchSize}, ${settings.epochs} epoch(s), PyTorch's`,
    'initialisation and BatchNorm settings; test accuracy measured on the test set every',
    `${settings.evalEvery} iterations, as the seed does.`,
    '',
    `Backend: **${summary.backend.name}** (${summary.backend.reason}). Training images: ${summary.trainImages}; test images:`,
    `${summary.testImages}. Seed: ${settings.seed}. Total wall time: ${summary.wallSeconds.toFixed(1)} s.`,
    '',
    '| model | test accuracy (this run) | test accuracy (seed, 6,000 iterations) | iterations | training images/s | wall time |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    full
      ? 'This run used the seed\'s full settings, so the figures are directly comparable.'
      : 'This run did **not** use the seed\'s full settings (10 epochs on all 60,000 images, 10,000 test images), so its figures are not directly comparable with the seed\'s.',
    '',
    'Files: `metrics.json`, `history.csv` (one row per iteration; test figures every evaluation), `loss.png`,',
    '`accuracy.png`, `confusion-<model>.png` (and SVG versions).',
    '',
    '![training loss](loss.png)',
    '',
    '![test accuracy](accuracy.png)',
    '',
    ...runs.map((r) => `![confusion matrix of ${r.model}](confusion-${r.model}.png)\n`),
  ].join('\n');
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
