import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { Callback, type TrainContext } from './callback.js';
import { EarlyStopping } from './early-stopping.js';
import { evaluate } from './evaluate.js';
import { fit } from './fit.js';
import { History } from './history.js';
import { JsonLinesLogger } from './json-lines.js';
import { createCrossEntropy, crossEntropy } from './loss.js';
import type { LearningRateControl, LRScheduler } from './optim/types.js';
import { MIXED_PRECISION_UNSUPPORTED } from './precision.js';
import { ProgressBar } from './progress.js';
import { repeatRuns } from './repeats.js';
import type { Batch, BatchSource, Logs } from './types.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function blobs(count: number, batchSize: number): BatchSource {
  return {
    length: Math.ceil(count / batchSize),
    async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
      for (let start = 0; start < count; start += batchSize) {
        const ids = Array.from({ length: Math.min(batchSize, count - start) }, (_, i) => start + i);
        const xs = ids.flatMap((i) => [(i % 2 ? 1 : -1) + Math.cos(i * 7.3) * 0.3, (i % 2 ? 1 : -1) + Math.sin(i * 3.1) * 0.3]);
        yield { images: tf.tensor4d(xs, [ids.length, 1, 1, 2]), labels: tf.tensor1d(ids.map((i) => i % 2), 'int32') };
      }
    },
  };
}

function tinyModel(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.flatten({ inputShape: [1, 1, 2] }),
      tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }),
    ],
  });
}

class ControlledSgd extends tf.SGDOptimizer implements LearningRateControl {
  getLearningRates(): number[] {
    return [this.learningRate];
  }
  setLearningRates(rates: readonly number[]): void {
    this.setLearningRate(rates[0]!);
  }
}

/** Records the metrics passed to step(); multiplies the rate by 0.1 each epoch. */
class RecordingEpochScheduler implements LRScheduler {
  readonly interval = 'epoch' as const;
  readonly metrics: (number | undefined)[] = [];
  constructor(private readonly optimizer: LearningRateControl) {}
  step(metric?: number): void {
    this.metrics.push(metric);
    this.optimizer.setLearningRates([this.optimizer.getLearningRates()[0]! * 0.1]);
  }
  getLastLr(): number[] {
    return this.optimizer.getLearningRates();
  }
  getState(): Record<string, unknown> {
    return {};
  }
  setState(): void {}
}

class Collect extends Callback {
  readonly evaluations: Logs[] = [];
  override onEvaluate(_c: TrainContext, logs: Logs): void {
    this.evaluations.push(logs);
  }
}

describe('fit options', () => {
  it('steps an epoch scheduler with the chosen metric, logs lr per step and shows it in the progress lines', async () => {
    const model = tinyModel();
    const optimizer = new ControlledSgd(0.5);
    const scheduler = new RecordingEpochScheduler(optimizer);
    const history = new History();
    const collect = new Collect();
    let text = '';
    const stream = new Writable({ write: (c, _e, cb) => { text += String(c); cb(); } }) as unknown as NodeJS.WriteStream;
    await fit(model, blobs(16, 8), {
      epochs: 2,
      optimizer,
      scheduler,
      schedulerMetric: 'test_loss',
      evaluation: { data: blobs(8, 8) },
      callbacks: [history, collect, new ProgressBar({ mode: 'lines', stream })],
    });
    const lr = history.series('lr').y;
    expect(lr).toHaveLength(4);
    expect(lr.slice(0, 2)).toEqual([0.5, 0.5]); // epoch 1, then the epoch scheduler multiplies by 0.1
    expect(lr[2]).toBeCloseTo(0.05, 12);
    expect(lr[3]).toBeCloseTo(0.05, 12);
    expect(scheduler.metrics).toEqual(collect.evaluations.map((l) => l.test_loss));
    expect(text.trim().split('\n')[1]).toMatch(/, lr 0\.0500, \d+ img\/s$/);
    await expect(fit(model, blobs(16, 8), { epochs: 1, optimizer, scheduler, schedulerMetric: 'val_loss' })).rejects.toThrow(
      /schedulerMetric 'val_loss' is not among the epoch's figures \(loss\)/,
    );
    model.dispose();
    optimizer.dispose();
  });

  it('refuses mixed precision with the reason', async () => {
    const model = tinyModel();
    await expect(fit(model, blobs(4, 2), { epochs: 1, optimizer: { name: 'sgd', learningRate: 1 }, mixedPrecision: true })).rejects.toThrow(MIXED_PRECISION_UNSUPPORTED);
    expect(MIXED_PRECISION_UNSUPPORTED).toMatch(/no float16 data type.*shader-f16/);
    model.dispose();
  });

  it('trains with label smoothing: the first step loss is the smoothed cross-entropy of the initial model', async () => {
    const model = tinyModel();
    const smoothed = createCrossEntropy({ labelSmoothing: 0.2, classWeights: [1, 3] });
    const expected = (await evaluate(model, blobs(8, 8), { loss: smoothed })).loss;
    const plain = (await evaluate(model, blobs(8, 8), { loss: crossEntropy })).loss;
    const history = new History();
    await fit(model, blobs(8, 8), { epochs: 1, optimizer: { name: 'sgd', learningRate: 0.1 }, loss: { labelSmoothing: 0.2, classWeights: [1, 3] }, callbacks: [history] });
    expect(history.records[0]!.loss).toBeCloseTo(expected, 5);
    expect(Math.abs(expected - plain)).toBeGreaterThan(1e-3);
    model.dispose();
  });

  it('trains a multi-output model on loss + 0.3·aux and evaluates its first output', async () => {
    const input = tfl.input({ shape: [1, 1, 2] });
    const flat = tfl.layers.flatten().apply(input) as tfl.SymbolicTensor;
    const main = tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }) }).apply(flat) as tfl.SymbolicTensor;
    const aux = tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 5 }) }).apply(flat) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: [main, aux] });
    const tensorsBefore = tf.memory().numTensors;
    const [x, y] = [tf.tensor4d([1, 1, -1, -1], [2, 1, 1, 2]), tf.tensor1d([1, 0], 'int32')];
    const expected = tf.tidy(() => {
      const [m, a] = model.predict(x) as tf.Tensor[];
      return crossEntropy(m!, y).dataSync()[0]! + 0.3 * crossEntropy(a!, y).dataSync()[0]!;
    });
    const single: BatchSource = { async *[Symbol.asyncIterator]() { yield { images: x.clone() as tf.Tensor4D, labels: y.clone() as tf.Tensor1D }; } };
    const history = new History();
    await expect(fit(model, single, { epochs: 1, optimizer: { name: 'sgd', learningRate: 0.1 } })).rejects.toThrow(/the model has 2 outputs; pass losses/);
    const result = await fit(model, single, {
      epochs: 1,
      optimizer: { name: 'sgd', learningRate: 0.1 },
      losses: [{ weight: 1 }, { weight: 0.3 }],
      evaluation: { data: blobs(8, 4) },
      callbacks: [history],
    });
    expect(history.records[0]!.loss).toBeCloseTo(expected, 5);
    expect(result.lastEvaluation!.count).toBe(8);
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    model.dispose();
  });
});

describe('EarlyStopping', () => {
  it('stops after patience checks without an improvement larger than minDelta', () => {
    const stop = new EarlyStopping({ monitor: 'test_accuracy', mode: 'max', patience: 1, minDelta: 0.01 });
    const context = { epoch: 0, epochs: 9, step: 0, batch: 0, batchesPerEpoch: 1, stopTraining: false };
    const seen: boolean[] = [];
    for (const accuracy of [0.5, 0.6, 0.605, 0.62, 0.625, 0.63]) {
      context.step += 1;
      stop.onEvaluate(context, { test_accuracy: accuracy });
      stop.onEpochEnd(context, { loss: 1, test_accuracy: accuracy }); // repeats the evaluation: must not count twice
      seen.push(context.stopTraining);
    }
    // 0.605 (+0.005) waits 1; 0.62 improves; 0.625 waits 1; 0.63 (+0.01, not > 0.01) waits 2 > patience
    expect(seen).toEqual([false, false, false, false, false, true]);
    expect(stop.best).toBe(0.62);
    expect(stop.stoppedAtStep).toBe(6);
    const copy = new EarlyStopping({ monitor: 'test_accuracy', mode: 'max' });
    copy.setState(JSON.parse(JSON.stringify(stop.getState())));
    expect(copy.getState()).toEqual(stop.getState());
    expect(() => new EarlyStopping({ patience: -1 })).toThrow(/patience must be a non-negative integer, got -1/);
    expect(() => new EarlyStopping({ mode: 'up' as 'min' })).toThrow(/mode must be 'min' or 'max', got 'up'/);
  });

  it('stops fit on the training loss at epoch ends', async () => {
    const model = tinyModel();
    // learning rate 0 never changes the loss: epoch 1 sets the best, epoch 2 does not improve → stop
    const result = await fit(model, blobs(8, 4), { epochs: 5, optimizer: new ControlledSgd(0), callbacks: [new EarlyStopping({ monitor: 'loss' })] });
    expect(result.stopReason).toBe('callback');
    expect(result.epochs).toBe(2);
    model.dispose();
  });
});

describe('JSON lines', () => {
  it('History.toJsonLines and JsonLinesLogger write one JSON object per line', async () => {
    const model = tinyModel();
    const history = new History();
    const path = join(mkdtempSync(join(tmpdir(), 'cnn-train-jsonl-')), 'logs', 'train.jsonl');
    const optimizer = new ControlledSgd(0.1);
    await fit(model, blobs(8, 4), { epochs: 1, optimizer, logLearningRate: true, evaluation: { data: blobs(4, 4) }, callbacks: [history, new JsonLinesLogger(path)] });
    expect(history.toJsonLines().trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual(history.records);
    const events = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => `${String(e.event)}@${String(e.step)}`)).toEqual(['step@1', 'step@2', 'evaluation@2', 'epoch@2']);
    expect(events[0]!.loss).toBe(history.records[0]!.loss);
    expect(events[0]!.lr).toBe(0.1); // logLearningRate without a scheduler
    model.dispose();
    optimizer.dispose();
  });
});

describe('repeatRuns', () => {
  it('reports each run with the mean and the population or sample standard deviation', async () => {
    const runs: number[] = [];
    const summary = await repeatRuns(3, async (i) => {
      runs.push(i);
      return { accuracy: [0.8, 0.9, 0.85][i]!, loss: [3, 1, 2][i]! };
    });
    expect(runs).toEqual([0, 1, 2]);
    expect(summary.runs[1]).toEqual({ accuracy: 0.9, loss: 1 });
    expect(summary.mean.accuracy).toBeCloseTo(0.85, 12);
    expect(summary.std.loss).toBeCloseTo(1, 12); // torch.std([3, 1, 2]), the default
    expect((await repeatRuns(3, async (i) => [3, 1, 2][i]!, { ddof: 0 })).std.value).toBeCloseTo(Math.sqrt(2 / 3), 12); // np.std
    await expect(repeatRuns(0, async () => 1)).rejects.toThrow(/n must be a positive integer, got 0/);
    await expect(repeatRuns(2, async (i) => (i === 0 ? { a: 1 } : { b: 1 }) as Record<string, number>)).rejects.toThrow(/run 1 returned keys \[b\] but run 0 returned \[a\]/);
  });
});
