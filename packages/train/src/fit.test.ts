import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Callback, createOptimizer, crossEntropy, DataParallelTrainer, evaluate, fit, getLoss, History, ModelCheckpoint, NonFiniteLossError, ProgressBar, StepLR, type Batch, type BatchSource, type TrainContext } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Two Gaussian blobs in 2-D laid out as 1x1x2 "images"; class = which blob. Deterministic. */
function blobs(count: number, batchSize: number, offset = 0): BatchSource {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const label = (i + offset) % 2;
    const a = Math.sin(i * 12.9898 + offset) * 0.3;
    const b = Math.cos(i * 78.233 + offset) * 0.3;
    xs.push(label === 0 ? -1 + a : 1 + a, label === 0 ? -1 + b : 1 + b);
    ys.push(label);
  }
  return {
    length: Math.ceil(count / batchSize),
    async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
      for (let start = 0; start < count; start += batchSize) {
        const end = Math.min(count, start + batchSize);
        yield {
          images: tf.tensor4d(xs.slice(start * 2, end * 2), [end - start, 1, 1, 2]),
          labels: tf.tensor1d(ys.slice(start, end), 'int32'),
        };
      }
    },
  };
}

function tinyModel(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.flatten({ inputShape: [1, 1, 2] }),
      tfl.layers.dense({ units: 4, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
      tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
}

const silent = new Writable({ write: (_c, _e, cb) => cb() });

describe('crossEntropy', () => {
  it('equals −mean log softmax at the label', () => {
    const logits = tf.tensor2d([[1, 2, 3], [0, 0, 0]]);
    const labels = tf.tensor1d([2, 0], 'int32');
    const loss = crossEntropy(logits, labels).dataSync()[0]!;
    const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    expect(loss).toBeCloseTo(((lse - 3) + Math.log(3)) / 2, 5);
    tf.dispose([logits, labels]);
  });

  it('refuses mismatched shapes and unknown names', () => {
    expect(() => crossEntropy(tf.zeros([2, 3]), tf.zeros([3], 'int32') as tf.Tensor1D)).toThrow(/3 labels for a batch of 2/);
    expect(() => getLoss('hinge')).toThrow(/Unknown loss 'hinge'; known losses: cross_entropy/);
    expect(() => createOptimizer({ name: 'lbfgs' } as never)).toThrow(/Unknown optimizer 'lbfgs'/);
    expect(() => createOptimizer({ name: 'sgd', learningRate: -1 })).toThrow(/learningRate must be a finite number > 0, got -1/);
  });
});

describe('fit', () => {
  it('learns a separable problem, evaluates as configured and leaks no tensors across steps', async () => {
    const tensorsAtStart = tf.memory().numTensors;
    const model = tinyModel();
    const history = new History();
    const counts: number[] = [];
    class Count extends Callback {
      override onBatchEnd(): void {
        counts.push(tf.memory().numTensors);
      }
    }
    const before = await evaluate(model, blobs(64, 16, 1));
    const result = await fit(model, blobs(128, 16), {
      epochs: 3,
      optimizer: { name: 'sgd', learningRate: 0.5 },
      evaluation: { data: blobs(64, 16, 1), everySteps: 5 },
      callbacks: [history, new Count()],
    });
    expect(result.steps).toBe(24);
    expect(result.stopReason).toBe('completed');
    expect(result.lastEvaluation!.accuracy).toBeGreaterThan(0.95);
    expect(result.lastEvaluation!.loss).toBeLessThan(before.loss);
    expect(result.lastEvaluation!.count).toBe(64);
    // evaluations at steps 5, 10, 15, 20 and a final one after step 24
    expect(history.series('test_accuracy').x).toEqual([5, 10, 15, 20, 24]);
    expect(new Set(counts.slice(2)).size).toBe(1);
    expect(history.toCsv().split('\n')[0]).toBe('epoch,step,loss,batchSize,seconds,test_loss,test_accuracy');
    model.dispose();
    expect(tf.memory().numTensors).toBe(tensorsAtStart);
  });

  it('runs hooks in order and stops when a callback asks', async () => {
    const calls: string[] = [];
    class Recorder extends Callback {
      override onTrainBegin(): void { calls.push('trainBegin'); }
      override onEpochBegin(c: TrainContext): void { calls.push(`epochBegin${c.epoch}`); }
      override onBatchEnd(c: TrainContext): void {
        calls.push(`batch${c.step}`);
        if (c.step === 3) c.stopTraining = true;
      }
      override onEpochEnd(c: TrainContext): void { calls.push(`epochEnd${c.epoch}`); }
      override onTrainEnd(): void { calls.push('trainEnd'); }
    }
    const model = tinyModel();
    const result = await fit(model, blobs(32, 16), { epochs: 5, optimizer: { name: 'sgd', learningRate: 0.1 }, callbacks: [new Recorder()] });
    expect(result.stopReason).toBe('callback');
    expect(calls).toEqual(['trainBegin', 'epochBegin0', 'batch1', 'batch2', 'epochEnd0', 'epochBegin1', 'batch3', 'epochEnd1', 'trainEnd']);
    model.dispose();
  });

  it('stops with an error naming the step when the loss is not finite', async () => {
    const model = tinyModel();
    const poisoned: BatchSource = {
      async *[Symbol.asyncIterator]() {
        for (let i = 0; i < 4; i += 1) {
          yield { images: tf.fill([2, 1, 1, 2], i === 2 ? Number.NaN : 1) as tf.Tensor4D, labels: tf.tensor1d([0, 1], 'int32') };
        }
      },
    };
    const before = tf.memory().numTensors;
    const error = await fit(model, poisoned, { epochs: 1, optimizer: { name: 'sgd', learningRate: 0.1 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect((error as Error).message).toMatch(/loss is NaN at step 3 \(epoch 1\)/);
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before + 2); // at most the abandoned generator's next batch
    model.dispose();
  });

  it('refuses bad options', async () => {
    const model = tinyModel();
    await expect(fit(model, blobs(4, 2), { epochs: 0, optimizer: { name: 'sgd', learningRate: 1 } })).rejects.toThrow(/epochs must be a positive integer, got 0/);
    await expect(
      fit(model, blobs(4, 2), { epochs: 1, optimizer: { name: 'sgd', learningRate: 1 }, evaluation: { data: blobs(4, 2), everySteps: 0.5 } }),
    ).rejects.toThrow(/everySteps must be a positive integer, got 0.5/);
    model.dispose();
  });

  it('prints one line per epoch in lines mode', async () => {
    let text = '';
    const stream = new Writable({ write: (c, _e, cb) => { text += String(c); cb(); } }) as unknown as NodeJS.WriteStream;
    const model = tinyModel();
    await fit(model, blobs(32, 16), {
      epochs: 2,
      optimizer: { name: 'sgd', learningRate: 0.1 },
      evaluation: { data: blobs(16, 16, 1) },
      callbacks: [new ProgressBar({ label: 'tiny', mode: 'lines', stream })],
    });
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^tiny epoch 2\/2: steps 4, mean loss \d+\.\d{4}, acc \d\.\d{4}, \d+ img\/s$/);
    expect(() => new ProgressBar({ mode: 'loud' as 'bar', stream: silent as unknown as NodeJS.WriteStream })).toThrow(/got 'loud'/);
    model.dispose();
  });
});

describe('fit with dataParallel', () => {
  /** Records every trainer fit disposes, to check that its workers were terminated. */
  function watchDisposals(): DataParallelTrainer[] {
    const disposed: DataParallelTrainer[] = [];
    const original = DataParallelTrainer.prototype.dispose;
    vi.spyOn(DataParallelTrainer.prototype, 'dispose').mockImplementation(async function (this: DataParallelTrainer) {
      disposed.push(this);
      return original.call(this);
    });
    return disposed;
  }
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('tracks single-thread training (losses, weights, schedule, history), leaks nothing and terminates its workers', async () => {
    const disposed = watchDisposals();
    const run = async (parallel: boolean) => {
      const model = tinyModel();
      const optimizer = createOptimizer({ name: 'sgd', learningRate: 0.5, momentum: 0.9 });
      const scheduler = new StepLR(optimizer, { stepSize: 3, gamma: 0.5, interval: 'iteration' });
      const history = new History();
      const tensorsBefore = tf.memory().numTensors;
      const result = await fit(model, blobs(70, 16), {
        epochs: 2,
        optimizer,
        scheduler,
        callbacks: [history],
        ...(parallel ? { dataParallel: { workers: 1, backend: 'cpu' } } : {}),
      });
      const tensorsAfter = tf.memory().numTensors;
      optimizer.dispose();
      const weights = model.getWeights().map((w) => Float32Array.from(w.dataSync()));
      model.dispose();
      return { result, weights, losses: history.series('loss').y, lrs: history.series('lr').y, tensorsBefore, tensorsAfter };
    };
    const single = await run(false);
    const parallel = await run(true);
    expect(parallel.result.steps).toBe(10);
    expect(parallel.lrs).toEqual(single.lrs);
    expect(parallel.lrs.at(-1)).toBeCloseTo(0.5 * 0.5 ** 3, 10);
    parallel.losses.forEach((loss, i) => expect(loss).toBeCloseTo(single.losses[i]!, 5));
    parallel.weights.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(v - single.weights[i]![j]!)).toBeLessThan(1e-5)));
    // the optimiser's state (momentum buffers) is the only growth, as in single-thread fit
    expect(parallel.tensorsAfter - parallel.tensorsBefore).toBe(single.tensorsAfter - single.tensorsBefore);
    expect(disposed).toHaveLength(1);
    expect(disposed[0]!.threads).toBe(1);
  }, 60_000);

  it('terminates its workers when training throws', async () => {
    const disposed = watchDisposals();
    class Fails extends Callback {
      override onBatchEnd(): void {
        throw new Error('callback failed');
      }
    }
    const model = tinyModel();
    await expect(
      fit(model, blobs(32, 8), { epochs: 1, optimizer: { name: 'sgd', learningRate: 0.1 }, callbacks: [new Fails()], dataParallel: { workers: 1, backend: 'cpu' } }),
    ).rejects.toThrow(/callback failed/);
    expect(disposed).toHaveLength(1);
    expect(disposed[0]!.threads).toBe(1);
    model.dispose();
  }, 60_000);

  it('resumes from a checkpoint to the same weights as an uninterrupted data-parallel run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnn-train-dp-'));
    class StopAt extends Callback {
      constructor(private readonly step: number) {
        super();
      }
      override onBatchEnd(context: TrainContext): void {
        if (context.step === this.step) context.stopTraining = true;
      }
    }
    const run = async (checkpoints: string, options: { stop?: boolean; resume?: string }) => {
      const model = tinyModel();
      if (options.resume !== undefined) tf.tidy(() => model.setWeights(model.getWeights().map((w) => tf.zerosLike(w)))); // overwritten by the checkpoint
      await fit(model, blobs(40, 8), {
        epochs: 2,
        optimizer: { name: 'sgd', learningRate: 0.3, momentum: 0.9 },
        callbacks: [new ModelCheckpoint({ dir: checkpoints, saveBest: false }), new StopAt(options.stop === true ? 3 : -1)],
        dataParallel: { workers: 1, backend: 'cpu' },
        ...(options.resume === undefined ? {} : { resume: options.resume }),
      });
      const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      return weights;
    };
    try {
      const full = await run(join(dir, 'full'), {});
      await run(join(dir, 'split'), { stop: true });
      const resumed = await run(join(dir, 'split'), { resume: join(dir, 'split', 'last') });
      expect(resumed).toEqual(full);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses what it cannot do, before starting workers', async () => {
    const model = tinyModel();
    const sgd = { name: 'sgd', learningRate: 0.1 } as const;
    const dataParallel = { workers: 1, backend: 'cpu' };
    await expect(fit(model, blobs(4, 2), { epochs: 1, optimizer: sgd, dataParallel: { workers: 0 } })).rejects.toThrow(/dataParallel.workers must be a positive integer, got 0/);
    await expect(fit(model, blobs(4, 2), { epochs: 1, optimizer: tf.train.adam(), dataParallel })).rejects.toThrow(/not AdamOptimizer; pass one of those or a spec/);
    await expect(fit(model, blobs(4, 2), { epochs: 1, optimizer: sgd, loss: crossEntropy, dataParallel })).rejects.toThrow(/cross-entropy loss only/);
    await expect(fit(model, blobs(4, 2), { epochs: 1, optimizer: sgd, microBatchSize: 2, dataParallel })).rejects.toThrow(/dataParallel and microBatchSize cannot be combined/);
    await expect(fit(model, blobs(4, 2), { epochs: 1, optimizer: sgd, losses: [{ weight: 1 }], dataParallel })).rejects.toThrow(/single-output models only/);
    model.dispose();
  });
});
