import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { caseOptions, goldenModelDiff, loadModelGolden } from './__fixtures__/resnet-golden.js';
import { checkDownsampling, createModel, getModelEntry, resnet, RESNET34_DROPBLOCK_DEFAULTS, type ResNetOptions } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const count = (ws: Array<{ shape: Array<number | null> }>): number => ws.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);

/** Builds, counts trainable and non-trainable parameters, disposes. */
function paramCounts(name: string, overrides: ResNetOptions = {}): { trainable: number; nonTrainable: number } {
  const model = createModel(name, { seed: 1, ...overrides });
  const counts = { trainable: count(model.trainableWeights), nonTrainable: count(model.nonTrainableWeights) };
  model.dispose();
  return counts;
}

const golden = loadModelGolden('resnet-golden.json');

describe('ResNet parameter counts equal torchvision / seed 000 PyTorch', () => {
  // BatchNorm running mean and variance are buffers in PyTorch, non-trainable weights here: 2 per BN channel.
  it.each([
    ['resnet18', 11_689_512, 2 * 4_800],
    ['resnet34', 21_797_672, 2 * 8_512],
    ['resnet50', 25_557_032, 2 * 26_560],
    // seed 000's ResNet-34: biased convolutions, 102 classes (computed by tools/reference/resnet_densenet_golden.py)
    ['resnet34_dropblock', 21_345_510, 2 * 8_512],
  ] as const)('%s: %d trainable', (name, trainable, nonTrainable) => {
    expect(paramCounts(name)).toEqual({ trainable, nonTrainable });
    expect(golden.trainableParams).toMatchObject({ [name === 'resnet34_dropblock' ? 'resnet34_dropblock (seed 000, 102 classes)' : name]: trainable });
  });
});

describe('ResNet outputs equal PyTorch for the same weights (tiny variants, inference mode)', () => {
  it.each(['basic_imagenet', 'bottleneck_imagenet', 'bottleneck_cifar'])('torchvision layout: %s', (name) => {
    const model = resnet({ ...(caseOptions(golden, name) as ResNetOptions), seed: 0 });
    expect(goldenModelDiff(model, golden, name)).toBeLessThan(1e-4);
    model.dispose();
  });

  it("seed 000's ResNet with DropBlock (biased convolutions, 2x2 max-pool stem)", () => {
    const { dropBlockSizes, ...options } = caseOptions(golden, 'seed000_dropblock') as unknown as ResNetOptions & { dropBlockSizes: number[] };
    const model = resnet({ ...RESNET34_DROPBLOCK_DEFAULTS, ...options, dropBlock: { ...RESNET34_DROPBLOCK_DEFAULTS.dropBlock, blockSizes: dropBlockSizes }, seed: 0 });
    expect(model.layers.filter((l) => l.getClassName() === 'DropBlock2D').map((l) => l.name)).toEqual(['layer2.dropblock', 'layer3.dropblock', 'layer4.dropblock']);
    expect(goldenModelDiff(model, golden, 'seed000_dropblock')).toBeLessThan(1e-4);
    model.dispose();
  });
});

describe('ResNet structure', () => {
  const shapeOf = (model: tfl.LayersModel, layer: string): unknown => model.getLayer(layer).outputShape;

  it('ImageNet stem: 224 → 112 (conv1) → 56 (maxpool), stages 56, 28, 14, 7; CIFAR stem keeps 32', () => {
    const imagenet = resnet({ depths: [1, 1, 1, 1], widths: [4, 4, 4, 4], numClasses: 3, seed: 1 });
    expect([shapeOf(imagenet, 'conv1'), shapeOf(imagenet, 'maxpool'), shapeOf(imagenet, 'layer4.0.relu')]).toEqual([
      [null, 112, 112, 4],
      [null, 56, 56, 4],
      [null, 7, 7, 4],
    ]);
    const cifar = resnet({ block: 'bottleneck', depths: [1, 1, 1, 1], widths: [2, 2, 2, 2], stem: 'cifar', inputShape: [32, 32, 3], numClasses: 3, seed: 1 });
    expect(cifar.layers.some((l) => l.name === 'maxpool')).toBe(false);
    expect([shapeOf(cifar, 'conv1'), shapeOf(cifar, 'layer4.0.relu')]).toEqual([
      [null, 32, 32, 2],
      [null, 4, 4, 8],
    ]);
    imagenet.dispose();
    cifar.dispose();
  });

  it("resnet34_dropblock has seed 000's layout: DropBlock (dropblock package, 0.3; 15, 8, 4), 102 classes, 2x2 pool", () => {
    const model = createModel('resnet34_dropblock', { seed: 1 });
    const drop = model.layers.filter((l) => l.getClassName() === 'DropBlock2D');
    expect(drop.map((l) => [l.name, l.getConfig()['blockSize'], l.getConfig()['dropProb'], l.getConfig()['variant']])).toEqual([
      ['layer2.dropblock', 15, 0.3, 'dropblockPackage'],
      ['layer3.dropblock', 8, 0.3, 'dropblockPackage'],
      ['layer4.dropblock', 4, 0.3, 'dropblockPackage'],
    ]);
    // DropBlock follows the first (downsampling) block of its stage, as in the seed's nn.Sequential.
    const inbound = (name: string): string => (model.getLayer(name) as unknown as { inboundNodes: Array<{ inboundLayers: Array<{ name: string }> }> }).inboundNodes[0]!.inboundLayers[0]!.name;
    expect(inbound('layer2.dropblock')).toBe('layer2.0.relu');
    expect(inbound('layer2.1.conv1')).toBe('layer2.dropblock');
    expect(shapeOf(model, 'maxpool')).toEqual([null, 56, 56, 64]);
    expect(shapeOf(model, 'fc')).toEqual([null, 102]);
    expect(getModelEntry('resnet34_dropblock').defaults).toMatchObject({ numClasses: 102, inputShape: [224, 224, 3] });
    model.dispose();
  });

  it('initialises as torchvision: convs Kaiming normal fan_out (std √(2/fan_out)), no conv bias, BN γ 1 β 0, fc PyTorch default', () => {
    const model = createModel('resnet18', { seed: 2 });
    const std = (values: Float32Array): number => Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
    const kernel = model.getLayer('layer3.0.conv2').getWeights()[0]!; // [3, 3, 256, 256]: fan_out 3·3·256
    expect(std(kernel.dataSync() as Float32Array)).toBeCloseTo(Math.sqrt(2 / (9 * 256)), 3);
    expect(model.getLayer('layer3.0.conv2').getWeights()).toHaveLength(1);
    const [gamma, beta] = model.getLayer('layer3.0.bn2').getWeights();
    expect([...gamma!.dataSync()].every((v) => v === 1) && [...beta!.dataSync()].every((v) => v === 0)).toBe(true);
    const [fcKernel, fcBias] = model.getLayer('fc').getWeights();
    const maxAbs = (t: tf.Tensor): number => Array.from(t.dataSync()).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(maxAbs(fcKernel!)).toBeLessThanOrEqual(1 / Math.sqrt(512));
    expect(maxAbs(fcKernel!)).toBeGreaterThan(0.9 / Math.sqrt(512));
    expect(maxAbs(fcBias!)).toBeGreaterThan(0);
    expect(maxAbs(fcBias!)).toBeLessThanOrEqual(1 / Math.sqrt(512));
    model.dispose();
  });

  it("seed 000's init: Kaiming normal fan_out for convs and the classifier, all biases 0", () => {
    const model = resnet({ ...RESNET34_DROPBLOCK_DEFAULTS, depths: [1, 1, 1, 1], widths: [8, 8, 16, 16], inputShape: [64, 64, 3], numClasses: 102, seed: 3 });
    const [kernel, bias] = model.getLayer('fc').getWeights();
    const values = Array.from(kernel!.dataSync());
    const std = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
    expect(std).toBeGreaterThan(Math.sqrt(2 / 102) * 0.9);
    expect(std).toBeLessThan(Math.sqrt(2 / 102) * 1.1);
    expect([...bias!.dataSync()].every((v) => v === 0)).toBe(true);
    expect([...model.getLayer('layer2.0.conv1').getWeights()[1]!.dataSync()].every((v) => v === 0)).toBe(true);
    model.dispose();
  });

  it('is reproducible with a seed and frees its tensors', () => {
    const before = tf.memory().numTensors;
    const options: ResNetOptions = { depths: [1, 1], widths: [4, 8], stem: 'cifar', inputShape: [8, 8, 3], numClasses: 2 };
    const [a, b, c] = [5, 5, 6].map((seed) => resnet({ ...options, seed }));
    const weights = (m: tfl.LayersModel): number[] => m.getWeights().flatMap((w) => [...w.dataSync()]);
    expect(weights(a!)).toEqual(weights(b!));
    expect(weights(a!)).not.toEqual(weights(c!));
    [a, b, c].forEach((m) => m!.dispose());
    expect(tf.memory().numTensors).toBe(before);
  });

  it("saves and loads back (seed 000's layout, with DropBlock and Kaiming initialisers) to identical outputs", async () => {
    const model = resnet({ ...RESNET34_DROPBLOCK_DEFAULTS, depths: [1, 1], widths: [4, 8], dropBlock: { ...RESNET34_DROPBLOCK_DEFAULTS.dropBlock, blockSizes: [3] }, inputShape: [16, 16, 3], numClasses: 3, seed: 8 });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    const x = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 9);
    const [a, b] = [model, loaded].map((m) => m.predict(x) as tf.Tensor);
    expect(Array.from(b!.dataSync())).toEqual(Array.from(a!.dataSync()));
    expect(loaded.getLayer('layer2.dropblock').getConfig()).toMatchObject({ variant: 'dropblockPackage', blockSize: 3 });
    tf.dispose([x, a!, b!]);
    model.dispose();
    loaded.dispose();
  });

  it('trains: a few SGD steps on a tiny CIFAR-stem ResNet lower the loss', async () => {
    const model = resnet({ depths: [1, 1], widths: [4, 8], stem: 'cifar', inputShape: [8, 8, 3], numClasses: 2, seed: 7 });
    model.compile({ optimizer: tf.train.sgd(0.05), loss: tf.losses.softmaxCrossEntropy });
    const x = tf.randomNormal([8, 8, 8, 3], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1], 'int32'), 2);
    const history = await model.fit(x, y, { epochs: 8, batchSize: 8, verbose: 0 });
    const losses = history.history['loss'] as number[];
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('ResNet options are checked', () => {
  it('refuses inputs too small for the downsampling, naming the step and the minimum', () => {
    expect(() => createModel('resnet18', { inputShape: [16, 16, 3] })).toThrow(
      "resnet18: input 16x16 is too small for its downsampling: 'layer4.0' (stride 2) would receive a 1-pixel side; the input must be at least 17x17",
    );
    expect(() => createModel('resnet18', { inputShape: [8, 8, 3], stem: 'cifar' } as ResNetOptions)).not.toThrow();
    expect(() => createModel('resnet18', { inputShape: [4, 4, 3], stem: 'cifar' } as ResNetOptions)).toThrow(/at least 5x5/);
    expect(() => createModel('resnet34_dropblock', { inputShape: [224, 16, 3] })).toThrow(/input 224x16 is too small.*'layer4.0'/);
    expect(() => checkDownsampling('m', [1, 1, 3], [{ name: 'pool', kernelSize: 2, stride: 2, padding: 0 }])).toThrow(/at least 2x2/);
  });

  it('refuses inconsistent options with the values', () => {
    expect(() => resnet({ depths: [2, 2], widths: [8] })).toThrow(/one entry per stage, got 2 depths and 1 widths/);
    expect(() => resnet({ depths: [2, 0] })).toThrow(/depths must be a non-empty list of positive integers, got \[2,0\]/);
    expect(() => resnet({ stem: 'tiny' as 'cifar' })).toThrow(/stem must be one of imagenet, cifar, imagenetPool2, got 'tiny'/);
    expect(() => resnet({ block: 'wide' as 'basic' })).toThrow(/block must be 'basic' or 'bottleneck', got 'wide'/);
    expect(() => resnet({ dropBlock: { dropProb: 0.1, blockSizes: [3] } })).toThrow(/one size per stage after the first \(3\), got \[3\]/);
  });
});
