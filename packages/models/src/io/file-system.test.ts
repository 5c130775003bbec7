import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { GroupedConv2D, LayerScaler, pytorchBatchNorm, pytorchDense } from '@cnn/layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../index.js';
import { fileSystem, loadModel, registerFileSystemRouter, saveModel } from './index.js';

let root: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'cnn-models-io-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A functional model with custom layers of @cnn/layers: grouped and depthwise convolutions, a layer scale. */
function customLayersModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 4] });
  let x = new GroupedConv2D({ filters: 8, kernelSize: 3, groups: 2, padding: 1, seed: 1 }).apply(input) as tfl.SymbolicTensor;
  x = pytorchBatchNorm().apply(x) as tfl.SymbolicTensor;
  const y = new GroupedConv2D({ filters: 8, kernelSize: 3, groups: 8, padding: 1, seed: 2 }).apply(x) as tfl.SymbolicTensor;
  const scaled = new LayerScaler({ initValue: 0.5, dimensions: 8 }).apply(y) as tfl.SymbolicTensor;
  x = tfl.layers.add().apply([x, scaled]) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  const out = pytorchDense({ inFeatures: 8, units: 3, seed: 3 }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out, name: 'custom_layers' });
}

/** Moves BatchNorm statistics away from their initial 0/1 so that the round trip must carry them. */
function perturb(model: tfl.LayersModel): void {
  model.setWeights(model.getWeights().map((w, i) => tf.tidy(() => tf.add(w, tf.mul(tf.randomUniform(w.shape, -0.1, 0.1, 'float32', i), 1)))));
}

async function expectRoundTrip(model: tfl.LayersModel, dir: string, inputShape: number[]): Promise<void> {
  perturb(model);
  const x = tf.randomNormal([2, ...inputShape], 0, 1, 'float32', 7);
  await saveModel(model, dir);
  expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
  const loaded = await loadModel(dir);
  expect(loaded.getClassName()).toBe(model.getClassName());
  expect(loaded.layers.map((l) => l.getClassName())).toEqual(model.layers.map((l) => l.getClassName()));
  const before = model.getWeights();
  const after = loaded.getWeights();
  expect(after.map((w) => w.shape)).toEqual(before.map((w) => w.shape));
  for (const [i, w] of before.entries()) expect(after[i]!.dataSync()).toEqual(w.dataSync());
  const expected = model.predict(x) as tf.Tensor;
  const actual = loaded.predict(x) as tf.Tensor;
  expect(actual.dataSync()).toEqual(expected.dataSync());
  tf.dispose([x, expected, actual]); // getWeights() returns the variables themselves: not disposed here.
  loaded.dispose();
}

describe('fileSystem / saveModel / loadModel', () => {
  it('round-trips LeNet-BN to identical weights and outputs', async () => {
    const model = createModel('lenet_bn', { seed: 1 });
    await expectRoundTrip(model, join(root, 'lenet_bn'), [28, 28, 1]);
    model.dispose();
  });

  it('round-trips a model with GroupedConv2D and LayerScaler', async () => {
    const model = customLayersModel();
    await expectRoundTrip(model, join(root, 'nested', 'custom'), [8, 8, 4]);
    model.dispose();
  });

  it('writes tfjs’s own layout: model.json with a weightsManifest naming weights.bin', async () => {
    const model = createModel('lenet', { seed: 2 });
    const dir = join(root, 'layout');
    await saveModel(model, dir);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.modelTopology.class_name).toBe('Sequential');
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    const bytes = (await readFile(join(dir, 'weights.bin'))).byteLength;
    expect(bytes).toBe(61_706 * 4);
    model.dispose();
  });

  it('replaces a previous save atomically and refuses a directory holding other files', async () => {
    const dir = join(root, 'replace');
    const first = createModel('lenet', { seed: 3 });
    const second = createModel('lenet', { seed: 4 });
    await saveModel(first, dir);
    await saveModel(second, dir);
    const loaded = await loadModel(dir);
    const [a, b] = [loaded.getWeights()[0]!, second.getWeights()[0]!];
    expect(a.dataSync()).toEqual(b.dataSync());
    expect((await readdir(root)).filter((n) => n.includes('.tmp-'))).toEqual([]);
    await writeFile(join(dir, 'notes.txt'), 'mine');
    await expect(saveModel(first, dir)).rejects.toThrow(/refusing to replace .*replace: .*notes\.txt/);
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'notes.txt', 'weights.bin']);
    expect((await readdir(root)).filter((n) => n.includes('.tmp-'))).toEqual([]);
    for (const m of [first, second, loaded]) m.dispose();
  });

  it('names the path of a missing directory, a corrupt model.json and truncated weights', async () => {
    const missing = join(root, 'does-not-exist');
    await expect(loadModel(missing)).rejects.toThrow(new RegExp(`cannot read ${missing}/model.json \\(ENOENT\\)`));
    const corrupt = join(root, 'corrupt');
    await mkdir(corrupt);
    await writeFile(join(corrupt, 'model.json'), '{"modelTopology": ');
    await expect(loadModel(corrupt)).rejects.toThrow(new RegExp(`${corrupt}/model.json is not valid JSON`));
    await writeFile(join(corrupt, 'model.json'), '{"weightsManifest": []}');
    await expect(loadModel(corrupt)).rejects.toThrow(new RegExp(`${corrupt}/model.json has no modelTopology`));
    const truncated = join(root, 'truncated');
    const model = createModel('lenet', { seed: 5 });
    await saveModel(model, truncated);
    await writeFile(join(truncated, 'weights.bin'), new Uint8Array(100));
    await expect(loadModel(truncated)).rejects.toThrow(/weight files of .*truncated\/model\.json hold 100 bytes but its manifest describes 246824/);
    await rm(join(truncated, 'weights.bin'));
    await expect(loadModel(truncated)).rejects.toThrow(new RegExp(`cannot read weights ${truncated}/weights.bin`));
    expect(() => fileSystem('')).toThrow(/non-empty path/);
    model.dispose();
  });

  it('serves file:// URLs for model.save and tfl.loadLayersModel', async () => {
    expect(registerFileSystemRouter()).toBe(true);
    const model = createModel('lenet', { seed: 6 });
    const dir = join(root, 'url');
    await model.save(`file://${dir}`);
    const loaded = await tfl.loadLayersModel(`file://${dir}/model.json`);
    expect(loaded.getWeights()[0]!.dataSync()).toEqual(model.getWeights()[0]!.dataSync());
    model.dispose();
    loaded.dispose();
  });
});
