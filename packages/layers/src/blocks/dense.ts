/**
 * Dense blocks and transitions (Huang, Liu, van der Maaten and Weinberger, "Densely Connected Convolutional Networks",
 * CVPR 2017) as functions on tfjs-layers `SymbolicTensor`s, laid out as torchvision's `_DenseLayer`, `_DenseBlock` and
 * `_Transition` (DenseNet-BC: a 1x1 bottleneck of `bnSize · growthRate` channels before each 3x3 convolution).
 *
 * Sublayers are named as torchvision's state-dict keys under `name` (`${name}.denselayer1.norm1`, `${name}.conv`, ...)
 * when `name` is given.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { pytorchBatchNorm } from '../pytorch-defaults.js';
import { channelsOfSymbolic, paddedConv2d, type ConvInit } from './residual.js';

/** Options of {@link denseBlock}. */
export interface DenseBlockOptions {
  /** Dense layers in the block (DenseNet-121: 6, 12, 24, 16). */
  numLayers: number;
  /** Channels each dense layer adds (`k`). Default 32. */
  growthRate?: number;
  /** Bottleneck width factor: the 1x1 convolution outputs `bnSize · growthRate` channels. Default 4. */
  bnSize?: number;
  /** Dropout rate after each dense layer (torchvision's `drop_rate`). Default 0. */
  dropRate?: number;
  /** Initialisation of the convolutions. Default `'kaimingNormalFanIn'` (torchvision's DenseNet). */
  init?: ConvInit;
  /** Seed of the draws: dense layer i (from 0) uses seed + 2i and seed + 2i + 1. Unseeded when absent. */
  seed?: number;
  /** Prefix of the sublayer names (e.g. `features.denseblock1`); tfjs names them when absent. */
  name?: string;
}

/** Options of {@link transition}. */
export interface TransitionOptions {
  /** Output channels (DenseNet-BC: ⌊input channels · compression⌋, compression 0.5). */
  outChannels: number;
  /** Initialisation of the 1x1 convolution. Default `'kaimingNormalFanIn'` (torchvision's DenseNet). */
  init?: ConvInit;
  /** Seed of the convolution's draw; unseeded when absent. */
  seed?: number;
  /** Prefix of the sublayer names (e.g. `features.transition1`); tfjs names them when absent. */
  name?: string;
}

const sub = (name: string | undefined, suffix: string): { name?: string } => (name === undefined ? {} : { name: `${name}.${suffix}` });
const label = (where: string, name: string | undefined): string => `${where}${name === undefined ? '' : ` '${name}'`}`;

function positiveInteger(value: unknown, what: string, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${where}: ${what} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

const normRelu = (x: tfl.SymbolicTensor, name: string | undefined, norm: string, relu: string): tfl.SymbolicTensor =>
  tfl.layers.reLU(sub(name, relu)).apply(pytorchBatchNorm(sub(name, norm)).apply(x)) as tfl.SymbolicTensor;

/**
 * torchvision's `_DenseBlock`: `numLayers` dense layers, each BN → ReLU → 1x1 conv (bnSize · growthRate) → BN → ReLU →
 * 3x3 conv (growthRate) → dropout, whose output is concatenated after all earlier features (input first, as
 * `torch.cat(features, 1)`). Outputs input channels + numLayers · growthRate channels.
 * @example const y = denseBlock(x, { numLayers: 6, growthRate: 32, name: 'features.denseblock1' });
 */
export function denseBlock(x: tfl.SymbolicTensor, options: DenseBlockOptions): tfl.SymbolicTensor {
  const where = label('denseBlock', options.name);
  channelsOfSymbolic(x, where);
  const numLayers = positiveInteger(options.numLayers, 'numLayers', where);
  const growthRate = positiveInteger(options.growthRate ?? 32, 'growthRate', where);
  const bnSize = positiveInteger(options.bnSize ?? 4, 'bnSize', where);
  const { dropRate = 0, init = 'kaimingNormalFanIn', seed, name } = options;
  if (!(dropRate >= 0 && dropRate < 1)) throw new Error(`${where}: dropRate must be in [0, 1), got ${String(dropRate)}`);
  let features = x;
  for (let i = 0; i < numLayers; i++) {
    const layer = name === undefined ? undefined : `${name}.denselayer${i + 1}`;
    const conv = (input: tfl.SymbolicTensor, filters: number, kernelSize: number, offset: number, suffix: string): tfl.SymbolicTensor =>
      paddedConv2d(input, {
        filters,
        kernelSize,
        padding: (kernelSize - 1) / 2,
        init,
        ...sub(layer, suffix),
        ...(seed === undefined ? {} : { seed: seed + 2 * i + offset }),
      });
    let y = conv(normRelu(features, layer, 'norm1', 'relu1'), bnSize * growthRate, 1, 0, 'conv1');
    y = conv(normRelu(y, layer, 'norm2', 'relu2'), growthRate, 3, 1, 'conv2');
    if (dropRate > 0) y = tfl.layers.dropout({ rate: dropRate, ...sub(layer, 'dropout') }).apply(y) as tfl.SymbolicTensor;
    features = tfl.layers.concatenate({ axis: -1, ...sub(layer, 'concat') }).apply([features, y]) as tfl.SymbolicTensor;
  }
  return features;
}

/**
 * torchvision's `_Transition`: BN → ReLU → 1x1 conv (outChannels) → 2x2 average pool with stride 2. The input must be
 * at least 2x2 (PyTorch's `AvgPool2d(2)` refuses smaller maps).
 * @example const y = transition(x, { outChannels: 128, name: 'features.transition1' });
 */
export function transition(x: tfl.SymbolicTensor, options: TransitionOptions): tfl.SymbolicTensor {
  const where = label('transition', options.name);
  channelsOfSymbolic(x, where);
  const outChannels = positiveInteger(options.outChannels, 'outChannels', where);
  const [, height, width] = x.shape;
  if ((height != null && height < 2) || (width != null && width < 2)) {
    throw new Error(`${where}: the 2x2 average pool needs a map of at least 2x2, got ${height}x${width}; use a larger input`);
  }
  const { init = 'kaimingNormalFanIn', seed, name } = options;
  const y = paddedConv2d(normRelu(x, name, 'norm', 'relu'), { filters: outChannels, kernelSize: 1, init, ...sub(name, 'conv'), ...(seed === undefined ? {} : { seed }) });
  return tfl.layers.averagePooling2d({ poolSize: 2, strides: 2, padding: 'valid', ...sub(name, 'pool') }).apply(y) as tfl.SymbolicTensor;
}
