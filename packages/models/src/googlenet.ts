/**
 * GoogLeNet / Inception v1 (Szegedy et al. 2015, "Going Deeper with Convolutions"), in two layouts:
 *
 * - `googlenet`: torchvision's `GoogLeNet` (1000 classes, 224x224 input): BasicConv2d stem (7x7/2, 1x1, 3x3),
 *   ceil-mode max pools, nine inception blocks, global average pool, Dropout(0.2), Linear(1024, classes); conv and
 *   dense weights from N(0, 0.01) as torchvision's `init_weights`, BatchNorm eps 1e-3. With `auxLogits` it adds
 *   torchvision's two `InceptionAux` heads (after 4a and 4d) and returns `[main, aux1, aux2]` (torchvision's
 *   `GoogLeNetOutputs` orders them `logits, aux_logits2, aux_logits1`).
 * - `inception_v1_aux`: seed 001's `InceptionNet` for CIFAR-10 (10 classes, 32x32): stem 7x7/2 conv → BN → ReLU →
 *   max pool 3/2 (padding 1) → 3x3 conv → BN → ReLU → max pool, the seed's `InceptionBlock`s, its two
 *   `AuxiliaryClassifier`s (after 3b and 4d), global average pool, Dropout(0.4), Linear(1024, classes); PyTorch's
 *   default init. A multi-output model: outputs `[main, aux1, aux2]`, the order of the seed's `forward`; the seed
 *   trains with loss = CE(main) + 0.3 · CE(aux1) + 0.3 · CE(aux2) and predicts with `main`.
 *
 * PyTorch's padded and ceil-mode max pools are reproduced exactly (tfjs' 'same' pads on the other side).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import {
  auxiliaryClassifier,
  Conv2D,
  FanInUniform,
  inceptionBlock,
  inceptionOutputChannels,
  pytorchBatchNorm,
  pytorchConv2d,
  pytorchDense,
  type InceptionWidths,
} from '@cnn/layers';
import { registerModel, type BaseModelOptions } from './registry.js';

/** The nine inception blocks, in order. */
export const INCEPTION_BLOCK_NAMES = ['3a', '3b', '4a', '4b', '4c', '4d', '4e', '5a', '5b'] as const;
/** Name of one of the nine inception blocks. */
export type InceptionBlockName = (typeof INCEPTION_BLOCK_NAMES)[number];

/** Widths of a GoogLeNet: the config table a variant is. */
export interface GoogLeNetWidths {
  /** Stem convolutions' filters: seed 001 `[64, 192]` (7x7, 3x3); torchvision `[64, 64, 192]` (7x7, 1x1, 3x3). */
  stem: readonly number[];
  /** Widths of each inception block. */
  blocks: Readonly<Record<InceptionBlockName, InceptionWidths>>;
  /** Auxiliary heads' 1x1 convolution filters (128) and hidden units (1024). */
  aux: { readonly convChannels: number; readonly hiddenUnits: number };
}

/** Options of {@link googlenet} and {@link inceptionV1Aux}. */
export interface GoogLeNetOptions extends BaseModelOptions {
  /** Widths; default {@link GOOGLENET_WIDTHS} (torchvision) or {@link INCEPTION_V1_AUX_WIDTHS} (seed 001). */
  widths?: GoogLeNetWidths;
  /** Include the two auxiliary heads as extra outputs `[main, aux1, aux2]`. Default false (`googlenet`), true (`inception_v1_aux`). */
  auxLogits?: boolean;
  /** Dropout before the final dense layer. Default 0.2 (`googlenet`), 0.4 (`inception_v1_aux`). */
  dropout?: number;
}

/** torchvision's defaults: 1000 ImageNet classes, 224x224 RGB, no auxiliary heads. */
export const GOOGLENET_DEFAULTS = { numClasses: 1000, inputShape: [224, 224, 3] as const };
/** Seed 001's defaults: 10 CIFAR-10 classes, 32x32 RGB, auxiliary heads as outputs. */
export const INCEPTION_V1_AUX_DEFAULTS = { numClasses: 10, inputShape: [32, 32, 3] as const };

const w = (out1x1: number, reduce3x3: number, out3x3: number, reduce5x5: number, out5x5: number, poolProjection: number): InceptionWidths => ({
  out1x1,
  reduce3x3,
  out3x3,
  reduce5x5,
  out5x5,
  poolProjection,
});

/** The paper's (and both PyTorch codes') inception widths. */
const PAPER_BLOCKS: Record<InceptionBlockName, InceptionWidths> = {
  '3a': w(64, 96, 128, 16, 32, 32),
  '3b': w(128, 128, 192, 32, 96, 64),
  '4a': w(192, 96, 208, 16, 48, 64),
  '4b': w(160, 112, 224, 24, 64, 64),
  '4c': w(128, 128, 256, 24, 64, 64),
  '4d': w(112, 144, 288, 32, 64, 64),
  '4e': w(256, 160, 320, 32, 128, 128),
  '5a': w(256, 160, 320, 32, 128, 128),
  '5b': w(384, 192, 384, 48, 128, 128),
};

/** torchvision's GoogLeNet widths. */
export const GOOGLENET_WIDTHS: GoogLeNetWidths = { stem: [64, 64, 192], blocks: PAPER_BLOCKS, aux: { convChannels: 128, hiddenUnits: 1024 } };
/** Seed 001's InceptionNet widths. */
export const INCEPTION_V1_AUX_WIDTHS: GoogLeNetWidths = { stem: [64, 192], blocks: PAPER_BLOCKS, aux: { convChannels: 128, hiddenUnits: 1024 } };

const TINY_BLOCKS = Object.fromEntries(INCEPTION_BLOCK_NAMES.map((n) => [n, n === '4d' ? w(4, 4, 6, 2, 4, 4) : w(4, 4, 4, 2, 4, 4)])) as Record<
  InceptionBlockName,
  InceptionWidths
>;
/** Tiny torchvision-layout widths for tests (the golden fixture's). */
export const GOOGLENET_TINY_WIDTHS: GoogLeNetWidths = { stem: [8, 8, 16], blocks: TINY_BLOCKS, aux: { convChannels: 8, hiddenUnits: 16 } };
/** Tiny seed-001-layout widths for tests (the golden fixture's). */
export const INCEPTION_V1_AUX_TINY_WIDTHS: GoogLeNetWidths = { stem: [8, 16], blocks: TINY_BLOCKS, aux: { convChannels: 8, hiddenUnits: 16 } };

type Sym = tfl.SymbolicTensor;

/** Output size of PyTorch's pooling, or an error naming the layer and the size. */
function torchPoolSize(size: number, kernel: number, stride: number, padding: number, ceilMode: boolean, where: string): number {
  let out = Math.floor((size + 2 * padding - kernel + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  if (ceilMode && (out - 1) * stride >= size + padding) out -= 1;
  if (out < 1) {
    throw new Error(`${where}: a map side of ${size} is too small for PyTorch's ${kernel}x${kernel} max pool with stride ${stride}${ceilMode ? ' (ceil mode)' : ''}; use a larger inputShape`);
  }
  return out;
}

/**
 * PyTorch's `MaxPool2d(kernel, stride, padding, ceil_mode)` on an NHWC map, exactly: padding (k − 1)/2 as a stride-1
 * 'same' pool (symmetric, padding ignored) subsampled by `stride`; ceil mode without padding as 'valid' or 'same'
 * (which then pads only after the map, as ceil mode does).
 */
function torchMaxPool(x: Sym, kernel: number, stride: number, padding: number, ceilMode: boolean, name: string, model: string): Sym {
  const [height, width] = [x.shape[1]!, x.shape[2]!];
  const where = `${model}: ${name}`;
  const oh = torchPoolSize(height, kernel, stride, padding, ceilMode, where);
  const ow = torchPoolSize(width, kernel, stride, padding, ceilMode, where);
  if (padding > 0) {
    if (2 * padding !== kernel - 1 || ceilMode) throw new Error(`${where}: only padding (kernel - 1) / 2 without ceil mode is supported`);
    const y = tfl.layers.maxPooling2d({ poolSize: kernel, strides: 1, padding: 'same', name: `${name}_window` }).apply(x) as Sym;
    return tfl.layers.maxPooling2d({ poolSize: 1, strides: stride, padding: 'valid', name }).apply(y) as Sym;
  }
  const same = (size: number, out: number): boolean => Math.ceil(size / stride) === out && Math.floor(Math.max((out - 1) * stride + kernel - size, 0) / 2) === 0;
  const valid = (size: number, out: number): boolean => Math.floor((size - kernel) / stride) + 1 === out && size >= kernel;
  if (valid(height, oh) && valid(width, ow)) return tfl.layers.maxPooling2d({ poolSize: kernel, strides: stride, padding: 'valid', name }).apply(x) as Sym;
  if (same(height, oh) && same(width, ow)) return tfl.layers.maxPooling2d({ poolSize: kernel, strides: stride, padding: 'same', name }).apply(x) as Sym;
  throw new Error(`${where}: cannot reproduce PyTorch's ceil-mode pooling of a ${height}x${width} map with 'valid' or 'same'`);
}

function checkCommon(options: GoogLeNetOptions, model: string): void {
  const { dropout } = options;
  if (dropout !== undefined && !(dropout >= 0 && dropout < 1)) throw new Error(`${model}: dropout must be in [0, 1), got ${String(dropout)}`);
}

function blockSeed(seed: number | undefined, k: number): { seed?: number } {
  return seed === undefined ? {} : { seed: seed * 1000 + k };
}

/**
 * Builds torchvision's GoogLeNet (`googlenet`). Any input of at least 15x15 works, as in PyTorch (its ceil-mode pools refuse smaller ones);
 * outputs `[batch, numClasses]` logits, or `[main, aux1, aux2]` with `auxLogits` (the heads pool to 4x4 adaptively).
 */
export function googlenet(options: GoogLeNetOptions = {}): tfl.LayersModel {
  const { numClasses, inputShape, seed, name, widths = GOOGLENET_WIDTHS, auxLogits = false, dropout = 0.2 } = { ...GOOGLENET_DEFAULTS, ...options };
  const model = 'googlenet';
  checkCommon(options, model);
  if (widths.stem.length !== 3) throw new Error(`${model}: widths.stem must have 3 entries (7x7, 1x1, 3x3 filters), got ${widths.stem.length}`);
  const [s1, s2, s3] = widths.stem as [number, number, number];
  const input = tfl.input({ shape: [...inputShape] });
  const normal = (k: number): ReturnType<typeof tfl.initializers.randomNormal> => tfl.initializers.randomNormal({ mean: 0, stddev: 0.01, ...blockSeed(seed, k) });
  const basic = (x: Sym, filters: number, kernelSize: number, layer: string, k: number, strides = 1): Sym => {
    let y = x;
    if (strides > 1) y = tfl.layers.zeroPadding2d({ padding: (kernelSize - 1) / 2, name: `${layer}_pad` }).apply(y) as Sym;
    const padding = strides > 1 ? 'valid' : 'same';
    y = new Conv2D({ filters, kernelSize, strides, padding, useBias: false, kernelInitializer: normal(k), name: `${layer}_conv` }).apply(y) as Sym;
    y = pytorchBatchNorm({ epsilon: 1e-3, name: `${layer}_bn` }).apply(y) as Sym;
    return tfl.layers.reLU({ name: `${layer}_relu` }).apply(y) as Sym;
  };
  let x = basic(input, s1, 7, 'conv1', 1, 2);
  x = torchMaxPool(x, 3, 2, 0, true, 'maxpool1', model);
  x = basic(x, s2, 1, 'conv2', 2);
  x = basic(x, s3, 3, 'conv3', 3);
  x = torchMaxPool(x, 3, 2, 0, true, 'maxpool2', model);
  const aux: Sym[] = [];
  INCEPTION_BLOCK_NAMES.forEach((block, i) => {
    if (block === '4a') x = torchMaxPool(x, 3, 2, 0, true, 'maxpool3', model);
    if (block === '5a') x = torchMaxPool(x, 2, 2, 0, true, 'maxpool4', model);
    x = inceptionBlock(x, { ...widths.blocks[block], name: `inception${block}`, style: 'torchvision', ...blockSeed(seed, 10 + i) });
    if (auxLogits && (block === '4a' || block === '4d')) {
      const head = `aux${aux.length + 1}`;
      aux.push(auxiliaryClassifier(x, { name: head, numClasses, style: 'torchvision', ...widths.aux, ...blockSeed(seed, 30 + aux.length) }));
    }
  });
  x = tfl.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as Sym;
  x = tfl.layers.dropout({ rate: dropout, name: 'dropout' }).apply(x) as Sym;
  const features = inceptionOutputChannels(widths.blocks['5b']);
  const logits = tfl.layers
    .dense({ units: numClasses, name: 'fc', kernelInitializer: normal(50), biasInitializer: new FanInUniform({ fanIn: features, ...blockSeed(seed, 51) }) })
    .apply(x) as Sym;
  return tfl.model({ inputs: input, outputs: auxLogits ? [logits, ...aux] : logits, name: name ?? model });
}

/**
 * Builds seed 001's InceptionNet (`inception_v1_aux`), outputs `[main, aux1, aux2]` (only `main` when `auxLogits` is
 * false). Any input size works, as in PyTorch (every pool keeps at least one cell).
 */
export function inceptionV1Aux(options: GoogLeNetOptions = {}): tfl.LayersModel {
  const { numClasses, inputShape, seed, name, widths = INCEPTION_V1_AUX_WIDTHS, auxLogits = true, dropout = 0.4 } = {
    ...INCEPTION_V1_AUX_DEFAULTS,
    ...options,
  };
  const model = 'inception_v1_aux';
  checkCommon(options, model);
  if (widths.stem.length !== 2) throw new Error(`${model}: widths.stem must have 2 entries (7x7, 3x3 filters), got ${widths.stem.length}`);
  const [s1, s2] = widths.stem as [number, number];
  const input = tfl.input({ shape: [...inputShape] });
  const bnRelu = (y: Sym, layer: string): Sym =>
    tfl.layers.reLU({ name: `${layer}_relu` }).apply(pytorchBatchNorm({ name: `${layer.replace('conv', 'bn')}` }).apply(y) as Sym) as Sym;
  let x = tfl.layers.zeroPadding2d({ padding: 3, name: 'stem_pad1' }).apply(input) as Sym;
  x = pytorchConv2d({ inChannels: inputShape[2], filters: s1, kernelSize: 7, strides: 2, padding: 'valid', name: 'stem_conv1', ...blockSeed(seed, 1) }).apply(x) as Sym;
  x = bnRelu(x, 'stem_conv1');
  x = torchMaxPool(x, 3, 2, 1, false, 'stem_pool1', model);
  x = pytorchConv2d({ inChannels: s1, filters: s2, kernelSize: 3, padding: 'same', name: 'stem_conv2', ...blockSeed(seed, 2) }).apply(x) as Sym;
  x = bnRelu(x, 'stem_conv2');
  x = torchMaxPool(x, 3, 2, 1, false, 'stem_pool2', model);
  const aux: Sym[] = [];
  INCEPTION_BLOCK_NAMES.forEach((block, i) => {
    if (block === '4a') x = torchMaxPool(x, 3, 2, 1, false, 'maxpool4', model);
    if (block === '5a') x = torchMaxPool(x, 3, 2, 1, false, 'maxpool5', model);
    x = inceptionBlock(x, { ...widths.blocks[block], name: `inception${block}`, style: 'seed001', ...blockSeed(seed, 10 + i) });
    if (auxLogits && (block === '3b' || block === '4d')) {
      const head = `aux${aux.length + 1}`;
      aux.push(auxiliaryClassifier(x, { name: head, numClasses, style: 'seed001', ...widths.aux, ...blockSeed(seed, 30 + aux.length) }));
    }
  });
  x = tfl.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as Sym;
  x = tfl.layers.dropout({ rate: dropout, name: 'dropout' }).apply(x) as Sym;
  const features = inceptionOutputChannels(widths.blocks['5b']);
  const logits = pytorchDense({ inFeatures: features, units: numClasses, name: 'fc', ...blockSeed(seed, 50) }).apply(x) as Sym;
  return tfl.model({ inputs: input, outputs: auxLogits ? [logits, ...aux] : logits, name: name ?? model });
}

registerModel<GoogLeNetOptions>({
  name: 'googlenet',
  description: "GoogLeNet / Inception v1, torchvision's layout (1000 classes, 224x224; auxLogits adds its two auxiliary heads)",
  defaults: { ...GOOGLENET_DEFAULTS, auxLogits: false },
  minInputShape: [15, 15, 3],
  build: googlenet,
});

registerModel<GoogLeNetOptions>({
  name: 'inception_v1_aux',
  description: "Seed 001's GoogLeNet for CIFAR-10 with two auxiliary classifiers; outputs [main, aux1, aux2], loss main + 0.3·aux1 + 0.3·aux2",
  defaults: { ...INCEPTION_V1_AUX_DEFAULTS, auxLogits: true },
  minInputShape: [1, 1, 3],
  build: inceptionV1Aux,
});
