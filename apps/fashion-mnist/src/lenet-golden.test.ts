/**
 * Same network, same training: LeNet and LeNet-BN start from PyTorch's own initial weights (converted to tfjs layout
 * by tools/reference/lenet_golden.py), train with the seed's settings on the same real batches, and must give
 * PyTorch's loss at every step and its test figures afterwards (BatchNorm running statistics included).
 */
import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@cnn/backend';
import { toUnitRange } from '@cnn/augment';
import { DataLoader, fashionMnist, type ImageArrayDataset } from '@cnn/data';
import { createModel } from '@cnn/models';
import { evaluate, fit, History } from '@cnn/train';
import { beforeAll, describe, expect, it } from 'vitest';

interface GoldenModel {
  initialWeights: Array<{ shape: number[]; data: string }>;
  losses: number[];
  testAccuracy: number;
  testLoss: number;
}
interface Golden {
  steps: number;
  batchSize: number;
  learningRate: number;
  models: Record<'lenet' | 'lenet_bn', GoldenModel>;
}

/**
 * How close tfjs must stay. Plain LeNet agrees with PyTorch to float32 round-off (~1e-6) for all 60 steps. With
 * BatchNorm at learning rate 1.0, round-off is amplified step after step: PyTorch float32 against float64 drifts from
 * 2e-8 at step 1 to 1e-4 by step 30, and tfjs (whose reductions round differently: 2e-6 at step 1) follows the same
 * amplification to ~1e-2. The first steps are therefore held tight (any error in the forward pass, the gradients or
 * the update would show there at once) and the later ones loosely.
 */
const TOLERANCE = {
  lenet: { tightSteps: 60, tight: 1e-5, loose: 1e-5, testLoss: 1e-3, testAccuracy: 0.002 },
  lenet_bn: { tightSteps: 6, tight: 2e-4, loose: 0.06, testLoss: 0.05, testAccuracy: 0.03 },
} as const;

const golden = JSON.parse(fs.readFileSync(new URL('./__fixtures__/lenet-golden.json', import.meta.url), 'utf8')) as Golden;
let train: ImageArrayDataset;
let test: ImageArrayDataset;

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
  train = await fashionMnist({ split: 'train', download: false, limit: golden.steps * golden.batchSize });
  test = await fashionMnist({ split: 'test', download: false, limit: 1000 });
});

function weightsOf(model: GoldenModel): tf.Tensor[] {
  return model.initialWeights.map(({ shape, data }) => {
    const bytes = Buffer.from(data, 'base64');
    return tf.tensor(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4), shape);
  });
}

describe.each(['lenet', 'lenet_bn'] as const)('%s trains as the PyTorch original', (name) => {
  it(`gives PyTorch's loss at each of ${golden.steps} SGD steps and its test figures`, async () => {
    const reference = golden.models[name];
    const model = createModel(name, { seed: 0 });
    const initial = weightsOf(reference);
    // the fixture lists each layer's weights in turn (BatchNorm: gamma, beta, running mean, running variance)
    let next = 0;
    for (const layer of model.layers) {
      const count = layer.weights.length;
      layer.setWeights(initial.slice(next, next + count));
      next += count;
    }
    expect(next).toBe(initial.length);
    tf.dispose(initial);

    const transform = toUnitRange();
    const history = new History();
    await fit(model, new DataLoader(train, { batchSize: golden.batchSize, transform }), {
      epochs: 1,
      optimizer: { name: 'sgd', learningRate: golden.learningRate },
      callbacks: [history],
    });
    const losses = history.series('loss').y;
    expect(losses).toHaveLength(golden.steps);
    const tolerances = TOLERANCE[name];
    losses.forEach((loss, step) => {
      const tolerance = step < tolerances.tightSteps ? tolerances.tight : tolerances.loose;
      expect(Math.abs(loss - reference.losses[step]!), `step ${step + 1}: tfjs ${loss}, PyTorch ${reference.losses[step]}`).toBeLessThan(tolerance * Math.max(1, reference.losses[step]!));
    });
    const result = await evaluate(model, new DataLoader(test, { batchSize: 500, transform }));
    expect(Math.abs(result.loss - reference.testLoss)).toBeLessThan(tolerances.testLoss);
    expect(Math.abs(result.accuracy - reference.testAccuracy)).toBeLessThanOrEqual(tolerances.testAccuracy);
    model.dispose();
  }, 120_000);
});
