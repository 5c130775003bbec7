import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Callback, type TrainContext } from './callback.js';
import { readCheckpointState } from './checkpoint.js';
import { fit, NonFiniteLossError } from './fit.js';
import { History } from './history.js';
import { ModelCheckpoint } from './model-checkpoint.js';
import type { LearningRateControl, LRScheduler } from './optim/types.js';
import { SGD } from './optim/sgd.js';
import { restoreGlobalRandom, seedGlobalRandom, withSeed } from './random-state.js';
import { StepLR } from './schedules/step-lr.js';
import type { Batch, BatchSource } from './types.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => restoreGlobalRandom());

/** 48 samples of two noisy blobs, reshuffled per epoch from (seed, epoch) like @cnn/data's DataLoader. */
function shuffledBlobs(batchSize: number, poisonStep?: number): BatchSource {
  const count = 48;
  let epoch = 0;
  let served = 0;
  return {
    length: count / batchSize,
    setEpoch(e: number) {
      epoch = e;
    },
    async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
      const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => Math.sin(a * 91.7 + epoch * 13.1) - Math.sin(b * 91.7 + epoch * 13.1));
      for (let start = 0; start < count; start += batchSize) {
        served += 1;
        const ids = order.slice(start, start + batchSize);
        const xs = ids.flatMap((i) => [(i % 2 ? 1 : -1) + Math.cos(i * 7.3) * 0.8, (i % 2 ? 1 : -1) + Math.sin(i * 3.1) * 0.8]);
        const images = tf.tensor4d(served === poisonStep ? xs.map(() => Number.NaN) : xs, [ids.length, 1, 1, 2]);
        yield { images, labels: tf.tensor1d(ids.map((i) => i % 2), 'int32') };
      }
    },
  };
}

function dropoutModel(name: string, units = 16): tfl.LayersModel {
  return tfl.sequential({
    name,
    layers: [
      tfl.layers.flatten({ inputShape: [1, 1, 2] }),
      tfl.layers.dense({ units, activation: 'relu' }),
      tfl.layers.dropout({ rate: 0.5 }),
      tfl.layers.dense({ units: 2 }),
    ],
  });
}

/** tfjs's momentum SGD with PyTorch-style learning-rate control. */
class ControlledMomentum extends tf.MomentumOptimizer implements LearningRateControl {
  private rate: number;
  constructor(rate: number) {
    super(rate, 0.9);
    this.rate = rate;
  }
  getLearningRates(): number[] {
    return [this.rate];
  }
  setLearningRates(rates: readonly number[]): void {
    this.rate = rates[0]!;
    this.setLearningRate(this.rate);
  }
  override dispose(): void {
    super.dispose();
    this.c.dispose(); // tfjs 4.22's MomentumOptimizer.dispose forgets SGDOptimizer's learning-rate scalar
  }
}

/** Halves the learning rate every 3 steps (a StepLR stand-in). */
class HalveEveryThree implements LRScheduler {
  readonly interval = 'iteration' as const;
  private steps = 0;
  constructor(
    private readonly optimizer: LearningRateControl,
    private readonly base: number,
  ) {}
  step(): void {
    this.steps += 1;
    this.optimizer.setLearningRates([this.base * 0.5 ** Math.floor(this.steps / 3)]);
  }
  getLastLr(): number[] {
    return this.optimizer.getLearningRates();
  }
  getState(): Record<string, unknown> {
    return { steps: this.steps };
  }
  setState(state: Record<string, unknown>): void {
    this.steps = state.steps as number;
  }
}

class StopAt extends Callback {
  constructor(private readonly step: number) {
    super();
  }
  override onBatchEnd(context: TrainContext): void {
    if (context.step === this.step) context.stopTraining = true;
  }
}

class Interrupt extends Callback {
  override onBatchEnd(context: TrainContext): void {
    if (context.step === 2) process.emit('SIGINT');
  }
}

async function run(dir: string, stopAt: number, resume?: string) {
  const model = await withSeed(resume === undefined ? 1 : 999, () => dropoutModel('blobs'));
  const optimizer = new ControlledMomentum(0.2);
  const history = new History();
  const result = await fit(model, shuffledBlobs(8), {
    epochs: 3,
    optimizer,
    scheduler: new HalveEveryThree(optimizer, 0.2),
    evaluation: { data: shuffledBlobs(16), everySteps: 4 },
    callbacks: [history, new ModelCheckpoint({ dir, monitor: 'test_loss' }), new StopAt(stopAt)],
    ...(resume === undefined ? { seed: 7 } : { resume }),
  });
  const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
  model.dispose();
  optimizer.dispose();
  return { result, history, weights };
}

describe('checkpoint and resume', () => {
  it('continues to the same losses, learning rates and weights as an uninterrupted run (dropout, momentum, schedule, shuffling)', async () => {
    const tensorsAtStart = tf.memory().numTensors;
    const dir = mkdtempSync(join(tmpdir(), 'cnn-train-ckpt-'));
    const full = await run(join(dir, 'full'), -1);
    expect(full.result.steps).toBe(18);
    const first = await run(join(dir, 'split'), 8);
    expect(first.result.stopReason).toBe('callback');
    const state = await readCheckpointState(join(dir, 'split', 'last'));
    expect(state.position).toMatchObject({ epoch: 1, step: 8, batchInEpoch: 2, epochComplete: false });
    seedGlobalRandom(12345); // a different random state than the checkpoint's
    const resumed = await run(join(dir, 'split'), -1, join(dir, 'split', 'last'));
    expect(resumed.result.steps).toBe(18);
    const losses = (h: History) => h.records.map((r) => r.loss);
    expect(losses(resumed.history)).toEqual(losses(full.history));
    expect(resumed.history.series('lr').y).toEqual(full.history.series('lr').y);
    expect(resumed.history.series('test_loss')).toEqual(full.history.series('test_loss'));
    expect(resumed.weights).toEqual(full.weights);
    expect(full.history.series('lr').y.slice(0, 7)).toEqual([0.2, 0.2, 0.2, 0.1, 0.1, 0.1, 0.05]);
    const testLoss = full.history.series('test_loss');
    const bestStep = testLoss.x[testLoss.y.indexOf(Math.min(...testLoss.y))];
    expect((await readCheckpointState(join(dir, 'split', 'best'))).position.step).toBe(bestStep);
    expect((await readCheckpointState(join(dir, 'split', 'last'))).position).toMatchObject({ step: 18, epoch: 2, epochComplete: true });
    expect(readdirSync(join(dir, 'split')).sort()).toEqual(['best', 'last']); // no temporary directories left
    expect(tf.memory().numTensors).toBe(tensorsAtStart);
  });

  it("resumes this package's SGD (state keyed by variable name, renamed for the rebuilt model) and StepLR exactly", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnn-train-ckpt-'));
    const torchRun = async (at: string, stopAt: number, resume?: string) => {
      const model = await withSeed(resume === undefined ? 1 : 999, () => dropoutModel('torch'));
      const optimizer = new SGD({ lr: 0.3, momentum: 0.9, weightDecay: 1e-3 });
      const history = new History();
      await fit(model, shuffledBlobs(8), {
        epochs: 2,
        optimizer,
        scheduler: new StepLR(optimizer, { stepSize: 4, gamma: 0.5, interval: 'iteration' }),
        callbacks: [history, new ModelCheckpoint({ dir: at, saveBest: false }), new StopAt(stopAt)],
        ...(resume === undefined ? { seed: 5 } : { resume }),
      });
      model.dispose();
      optimizer.dispose();
      return history.records.map((r) => [r.loss, r.lr]);
    };
    const full = await torchRun(join(dir, 'full'), -1);
    await torchRun(join(dir, 'split'), 5);
    expect(await torchRun(join(dir, 'split'), -1, join(dir, 'split', 'last'))).toEqual(full);
    expect(full.map(([, lr]) => lr).slice(0, 9)).toEqual([0.3, 0.3, 0.3, 0.3, 0.15, 0.15, 0.15, 0.15, 0.075]);
  });

  it('refuses a checkpoint from another architecture, naming both models', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnn-train-ckpt-'));
    await run(dir, 2);
    const other = dropoutModel('wide', 32);
    const error = await fit(other, shuffledBlobs(8), { epochs: 1, optimizer: new ControlledMomentum(0.1), resume: join(dir, 'last') }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/saved from model 'blobs' \(4 layers\) but fit was given model 'wide' \(4 layers\); first difference at layer 1: checkpoint Dense\(\[2,16\] \[16\]\), model Dense\(\[2,32\] \[32\]\)/);
    other.dispose();
  });

  it('stops at a NaN loss naming the step and keeps the last good checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnn-train-ckpt-'));
    const model = dropoutModel('nan');
    const error = await fit(model, shuffledBlobs(8, 4), {
      epochs: 1,
      optimizer: { name: 'sgd', learningRate: 0.1 },
      callbacks: [new ModelCheckpoint({ dir, everySteps: 1, saveBest: false })],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect((error as Error).message).toMatch(/loss is NaN at step 4 \(epoch 1\)/);
    const state = await readCheckpointState(join(dir, 'last'));
    expect(state.position.step).toBe(3);
    const weights = new Float32Array(new Uint8Array(readFileSync(join(dir, 'last', 'weights.bin'))).buffer);
    expect(weights.every(Number.isFinite)).toBe(true);
    expect(readdirSync(dir)).toEqual(['last']);
    model.dispose();
  });

  it('on SIGINT stops after the current step, writes the last checkpoint and resolves as interrupted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnn-train-ckpt-'));
    const listeners = process.listenerCount('SIGINT');
    const model = dropoutModel('interrupted');
    const result = await fit(model, shuffledBlobs(8), {
      epochs: 2,
      optimizer: { name: 'sgd', learningRate: 0.1 },
      handleInterrupt: true,
      callbacks: [new Interrupt(), new ModelCheckpoint({ dir, saveBest: false })],
    });
    expect(result.stopReason).toBe('interrupted');
    expect(result.steps).toBe(2);
    expect((await readCheckpointState(join(dir, 'last'))).position).toMatchObject({ step: 2, batchInEpoch: 2, epochComplete: false });
    expect(process.listenerCount('SIGINT')).toBe(listeners);
    await expect(fit(model, shuffledBlobs(8), { epochs: 1, optimizer: { name: 'sgd', learningRate: 0.1 }, handleInterrupt: true })).rejects.toThrow(
      /handleInterrupt needs a ModelCheckpoint with saveLast/,
    );
    model.dispose();
  });
});
