import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, getModelEntry, listModels } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function paramCounts(model: ReturnType<typeof createModel>): { trainable: number; nonTrainable: number } {
  const count = (ws: Array<{ shape: Array<number | null> }>): number => ws.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
  return { trainable: count(model.trainableWeights), nonTrainable: count(model.nonTrainableWeights) };
}

describe('registry', () => {
  it('lists every registered model with a description', () => {
    const names = listModels().map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['lenet', 'lenet_bn']));
    for (const m of listModels()) expect(m.description.length).toBeGreaterThan(10);
  });

  it('refuses unknown names, listing the known ones', () => {
    expect(() => createModel('lenet5')).toThrow(/Unknown model 'lenet5'; registered models: .*lenet, lenet_bn/);
  });

  it('refuses impossible options with the value', () => {
    expect(() => createModel('lenet', { numClasses: 0 })).toThrow(/numClasses must be a positive integer, got 0/);
    expect(() => createModel('lenet', { inputShape: [8, 8, 1] })).toThrow(/8x8 is too small/);
    expect(() => createModel('lenet', { inputShape: [28, 28] as unknown as [number, number, number] })).toThrow(/inputShape/);
  });

  // every registered model is built, trained and saved in registry-walk.test.ts; here the LeNet family at its defaults
  it.each(['lenet', 'lenet_bn'])('%s builds with its defaults and gives logits of the right shape', (name) => {
    const before = tf.memory().numTensors;
    const model = createModel(name, { seed: 1 });
    const [h, w, c] = getModelEntry(name).defaults.inputShape;
    const out = tf.tidy(() => model.apply(tf.zeros([2, h, w, c]), { training: false }) as tf.Tensor);
    expect(out.shape).toEqual([2, getModelEntry(name).defaults.numClasses]);
    out.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('LeNet', () => {
  it('has the parameter count of the seed’s PyTorch LeNet (61,706)', () => {
    const model = createModel('lenet');
    expect(paramCounts(model)).toEqual({ trainable: 61_706, nonTrainable: 0 });
    model.dispose();
  });

  it('with BatchNorm adds γ, β (trainable) and running mean/var (not trainable) per feature', () => {
    const model = createModel('lenet_bn');
    const bnFeatures = 6 + 16 + 120 + 84;
    expect(paramCounts(model)).toEqual({ trainable: 61_706 + 2 * bnFeatures, nonTrainable: 2 * bnFeatures });
    const bn = model.layers.filter((l) => l.getClassName() === 'BatchNormalization');
    expect(bn).toHaveLength(4);
    for (const layer of bn) expect(layer.getConfig()).toMatchObject({ momentum: 0.9, epsilon: 1e-5 });
    model.dispose();
  });

  it('initialises as PyTorch: weights and biases within ±1/√fan_in', () => {
    const model = createModel('lenet', { seed: 3 });
    const fanIns = [25, 150, 400, 120, 84];
    const kernels = model.trainableWeights.filter((w) => w.name.includes('kernel'));
    const biases = model.trainableWeights.filter((w) => w.name.includes('bias'));
    kernels.forEach((k, i) => {
      const v = k.read().dataSync();
      const bound = 1 / Math.sqrt(fanIns[i]!);
      expect(Math.max(...v)).toBeLessThanOrEqual(bound);
      expect(Math.max(...v)).toBeGreaterThan(bound * 0.8);
    });
    biases.forEach((b, i) => {
      expect(Math.max(...b.read().dataSync().map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(fanIns[i]!));
    });
    model.dispose();
  });

  it('is reproducible with a seed', () => {
    const a = createModel('lenet', { seed: 5 });
    const b = createModel('lenet', { seed: 5 });
    const c = createModel('lenet', { seed: 6 });
    const first = (m: typeof a): number[] => Array.from(m.trainableWeights[0]!.read().dataSync());
    expect(first(a)).toEqual(first(b));
    expect(first(a)).not.toEqual(first(c));
    [a, b, c].forEach((m) => m.dispose());
  });
});
