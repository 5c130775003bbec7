/**
 * Both networks learn from real Fashion-MNIST with the seed's settings (SGD lr 1.0, batch 100, unshuffled, PyTorch
 * initialisation) on the WASM backend with this repository's training kernels.
 *
 * Plain sigmoid LeNet sits on a plateau at chance level for its first ~1,500 iterations (the seed's own log shows 10%
 * until iteration 1,500 and 56% at 2,000; the PyTorch reference in tools/reference does the same), so its test trains
 * until test accuracy passes 50%, with a cap of 3,000 iterations, instead of a fixed short run that would prove nothing.
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@cnn/backend';
import { toUnitRange } from '@cnn/augment';
import { DataLoader, fashionMnist, type ImageArrayDataset } from '@cnn/data';
import { createModel } from '@cnn/models';
import { Callback, fit, type TrainContext } from '@cnn/train';
import type { Logs } from '@cnn/train';
import { beforeAll, describe, expect, it } from 'vitest';

let train: ImageArrayDataset;
let test: ImageArrayDataset;

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
  train = await fashionMnist({ split: 'train', download: false });
  test = await fashionMnist({ split: 'test', download: false, limit: 1000 });
});

/** Stops training once held-out accuracy passes a threshold. */
class StopAbove extends Callback {
  constructor(private readonly threshold: number) {
    super();
  }
  override onEvaluate(context: TrainContext, logs: Logs): void {
    if ((logs.test_accuracy ?? 0) > this.threshold) context.stopTraining = true;
  }
}

async function trainUntil(model: 'lenet' | 'lenet_bn', threshold: number, maxSteps: number): Promise<{ accuracy: number; steps: number; leaked: number }> {
  const before = tf.memory().numTensors;
  const net = createModel(model, { seed: 0 });
  const transform = toUnitRange();
  const result = await fit(net, new DataLoader(train, { batchSize: 100, transform }), {
    epochs: Math.ceil(maxSteps / 600),
    optimizer: { name: 'sgd', learningRate: 1.0 },
    evaluation: { data: new DataLoader(test, { batchSize: 500, transform }), everySteps: 100 },
    callbacks: [new StopAbove(threshold)],
  });
  net.dispose();
  return { accuracy: result.lastEvaluation!.accuracy, steps: result.steps, leaked: tf.memory().numTensors - before };
}

describe('LeNet on real Fashion-MNIST (WASM backend)', () => {
  it('LeNet-BN passes 70% test accuracy within 600 iterations (chance: 10%)', async () => {
    const { accuracy, steps, leaked } = await trainUntil('lenet_bn', 0.7, 600);
    expect(accuracy).toBeGreaterThan(0.7);
    expect(steps).toBeLessThanOrEqual(600);
    expect(leaked).toBe(0);
  }, 300_000);

  it('plain LeNet leaves the chance plateau and passes 50% within 3,000 iterations', async () => {
    const { accuracy, steps, leaked } = await trainUntil('lenet', 0.5, 3000);
    expect(accuracy).toBeGreaterThan(0.5);
    expect(steps).toBeLessThanOrEqual(3000);
    expect(leaked).toBe(0);
  }, 600_000);
});
