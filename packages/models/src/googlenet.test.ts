import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadSeedGolden, loadWeightsByName, maxAbsDiff, paramCounts } from './__fixtures__/googlenet-golden.js';
import {
  createModel,
  googlenet,
  GOOGLENET_TINY_WIDTHS,
  INCEPTION_V1_AUX_DEFAULTS,
  INCEPTION_V1_AUX_TINY_WIDTHS,
  inceptionV1Aux,
} from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const golden = loadSeedGolden('googlenet-golden.json');

function countsOf(name: string, overrides: Record<string, unknown> = {}): { trainable: number; nonTrainable: number } {
  const model = createModel(name, { seed: 1, ...overrides });
  const counts = paramCounts(model);
  model.dispose();
  return counts;
}

describe('GoogLeNet parameter counts equal PyTorch', () => {
  it("googlenet: torchvision's 6,624,904 trainable (1000 classes); 13,004,888 with auxLogits", () => {
    expect(countsOf('googlenet')).toEqual({ trainable: 6_624_904, nonTrainable: 14_560 });
    expect(countsOf('googlenet', { auxLogits: true })).toEqual({ trainable: 13_004_888, nonTrainable: 15_072 });
    expect(golden.parameterCounts['googlenet']).toEqual({ trainable: 6_624_904, nonTrainable: 14_560 });
    expect(golden.parameterCounts['googlenet_aux']).toEqual({ trainable: 13_004_888, nonTrainable: 15_072 });
  });

  it("inception_v1_aux: seed 001's InceptionNet(10) with both auxiliary classifiers, 6,414,510 trainable", () => {
    expect(countsOf('inception_v1_aux')).toEqual({ trainable: 6_414_510, nonTrainable: 20_896 });
    expect(golden.parameterCounts['inception_v1_aux']).toEqual({ trainable: 6_414_510, nonTrainable: 20_896 });
  });
});

/** Loads the fixture's weights under `prefix`, runs inference and compares with the fixture's outputs `first`…`first + 2`. */
function goldenDiffs(model: tfl.LayersModel, prefix: string, input: tf.Tensor, first: number): number[] {
  expect(loadWeightsByName(model, golden, prefix)).toEqual([]);
  const outputs = model.predict(input) as tf.Tensor[];
  const expected = golden.outputs();
  const diffs = outputs.map((y, i) => maxAbsDiff(y, expected[first + i]!));
  tf.dispose([...outputs, input, ...expected]);
  model.dispose();
  return diffs;
}

describe('GoogLeNet outputs equal PyTorch for the same weights (tiny widths, inference mode)', () => {
  it("seed 001's InceptionNet: main, aux1, aux2 within 1e-4 (32x32, padded stride-2 pools on even maps)", () => {
    const before = tf.memory().numTensors;
    const model = inceptionV1Aux({ ...INCEPTION_V1_AUX_DEFAULTS, widths: INCEPTION_V1_AUX_TINY_WIDTHS, seed: 0 });
    expect(model.outputs.map((o) => o.shape)).toEqual([[null, 10], [null, 10], [null, 10]]);
    const diffs = goldenDiffs(model, 'seed/', golden.input('seed'), 0);
    expect(diffs).toHaveLength(3);
    for (const d of diffs) expect(d).toBeLessThan(1e-4);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("torchvision's GoogLeNet with auxLogits: main, aux1, aux2 within 1e-4 (84x84: ceil-mode pools on even and odd maps, 5x5 → 4x4 adaptive pool)", () => {
    const model = googlenet({ widths: GOOGLENET_TINY_WIDTHS, numClasses: 5, inputShape: [84, 84, 3], auxLogits: true, seed: 0 });
    const diffs = goldenDiffs(model, 'tv/', golden.input('tv'), 3);
    expect(diffs).toHaveLength(3);
    for (const d of diffs) expect(d).toBeLessThan(1e-4);
  });
});

describe('GoogLeNet structure and options', () => {
  it("torchvision's map sizes at 224: 112, 56, 28, 14, 7", () => {
    const model = googlenet({ widths: GOOGLENET_TINY_WIDTHS, seed: 1 });
    const side = (layer: string): unknown => (model.getLayer(layer).outputShape as number[])[1];
    expect(['conv1_relu', 'maxpool1', 'maxpool2', 'maxpool3', 'maxpool4'].map(side)).toEqual([112, 56, 28, 14, 7]);
    expect(model.outputs).toHaveLength(1);
    model.dispose();
  });

  it("seed 001's map sizes at 32: 16, 8, 4, 2, 1, and its outputs named main (fc), aux1, aux2", () => {
    const model = inceptionV1Aux({ widths: INCEPTION_V1_AUX_TINY_WIDTHS, seed: 1 });
    const side = (layer: string): unknown => (model.getLayer(layer).outputShape as number[])[1];
    expect(['stem_conv1_relu', 'stem_pool1', 'stem_pool2', 'maxpool4', 'maxpool5'].map(side)).toEqual([16, 8, 4, 2, 1]);
    expect(model.outputs.map((o) => o.sourceLayer.name)).toEqual(['fc', 'aux1_fc2', 'aux2_fc2']);
    model.dispose();
    const mainOnly = inceptionV1Aux({ widths: INCEPTION_V1_AUX_TINY_WIDTHS, auxLogits: false, seed: 1 });
    expect(mainOnly.outputs).toHaveLength(1);
    mainOnly.dispose();
  });

  it('initialises torchvision-style: conv and dense kernels N(0, 0.01), BatchNorm eps 1e-3', () => {
    const model = googlenet({ widths: GOOGLENET_TINY_WIDTHS, inputShape: [32, 32, 3], numClasses: 4, seed: 2 });
    const values = Array.from(model.getLayer('inception4c_b2_conv').getWeights()[0]!.dataSync());
    const std = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
    expect(std).toBeGreaterThan(0.007);
    expect(std).toBeLessThan(0.013);
    expect(model.getLayer('conv1_bn').getConfig()).toMatchObject({ epsilon: 1e-3, momentum: 0.9 });
    model.dispose();
  });

  it('refuses inputs too small for the pools and bad options, naming the value', () => {
    expect(() => googlenet({ widths: GOOGLENET_TINY_WIDTHS, inputShape: [8, 8, 3] })).toThrow(/googlenet: maxpool\d: a map side of 1 is too small/);
    expect(() => googlenet({ widths: GOOGLENET_TINY_WIDTHS, dropout: 1 })).toThrow(/dropout must be in \[0, 1\), got 1/);
    expect(() => inceptionV1Aux({ widths: GOOGLENET_TINY_WIDTHS })).toThrow(/widths.stem must have 2 entries/);
    expect(() => googlenet({ widths: GOOGLENET_TINY_WIDTHS, inputShape: [14, 14, 3] })).toThrow(/maxpool3: a map side of 1 is too small for PyTorch's 3x3 max pool with stride 2 \(ceil mode\)/);
    const smallest = googlenet({ widths: GOOGLENET_TINY_WIDTHS, inputShape: [15, 15, 3], auxLogits: true });
    expect((smallest.getLayer('maxpool4').outputShape as number[])[1]).toBe(1);
    smallest.dispose();
  });

  it('trains: one SGD step on the seed loss main + 0.3·aux1 + 0.3·aux2 reaches the stem and all three heads', () => {
    // The auxiliary heads' Dropout(0.6) draws through Math.random; a fixed sequence keeps some of their few active
    // units alive, so that aux1_conv gets a gradient on every run.
    let state = 12345;
    const random = vi.spyOn(Math, 'random').mockImplementation(() => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296));
    const model = inceptionV1Aux({ widths: INCEPTION_V1_AUX_TINY_WIDTHS, inputShape: [16, 16, 3], seed: 3 });
    const x = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 1);
    const labels = tf.oneHot([1, 7], 10);
    const before = model.trainableWeights.map((w) => w.read().clone());
    const optimizer = tf.train.sgd(0.1);
    const seedLoss = (): tf.Scalar => {
      const [main, aux1, aux2] = model.apply(x, { training: true }) as tf.Tensor[];
      const ce = (logits: tf.Tensor | undefined): tf.Scalar => tf.losses.softmaxCrossEntropy(labels, logits!) as tf.Scalar;
      return tf.add(ce(main), tf.mul(0.3, tf.add(ce(aux1), ce(aux2)))) as tf.Scalar;
    };
    const loss = optimizer.minimize(seedLoss, true)!;
    expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
    // Biases of convolutions followed by BatchNorm get no gradient in training mode (BN removes any constant), as in PyTorch.
    const changed = model.trainableWeights.filter((w, i) => maxAbsDiff(w.read(), before[i]!) > 0).map((w) => w.originalName);
    for (const layer of ['stem_conv1', 'inception3a_b1_conv', 'inception5b_b4_conv', 'fc', 'aux1_fc2', 'aux2_fc2', 'aux1_conv']) {
      expect(changed).toContain(`${layer}/kernel`);
    }
    tf.dispose([x, labels, loss, ...before]);
    optimizer.dispose();
    model.dispose();
    expect(random).toHaveBeenCalled(); // the dropout masks did come from the fixed sequence
    random.mockRestore();
  });
});
