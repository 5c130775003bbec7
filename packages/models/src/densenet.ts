/**
 * DenseNet-BC (Huang, Liu, van der Maaten and Weinberger, "Densely Connected Convolutional Networks", CVPR 2017) in
 * torchvision's layout: a 7x7/2 convolution and 3x3/2 max-pool stem, dense blocks of BN-ReLU-1x1-BN-ReLU-3x3 layers
 * joined by transitions that halve the channels (compression 0.5) and the resolution, a final BatchNorm and ReLU, global
 * average pool and a linear classifier; torchvision's initialisation (Kaiming normal fan_in for convolutions,
 * BatchNorm γ = 1 and β = 0, classifier weight PyTorch's default and bias 0). DenseNet-121: growth rate 32, blocks
 * (6, 12, 24, 16), the network seed 000 builds for IP102.
 *
 * Layers are named as torchvision's state-dict keys (`features.conv0`, `features.denseblock1.denselayer1.norm1`,
 * `features.transition1.conv`, `features.norm5`, `classifier`).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { denseBlock, KaimingUniform, paddedConv2d, pytorchBatchNorm, transition, type ConvInit } from '@cnn/layers';
import { registerModel, type BaseModelOptions } from './registry.js';
import { checkDownsampling } from './resnet.js';

/** Options of {@link densenet}. Every default is torchvision's DenseNet-121. */
export interface DenseNetOptions extends BaseModelOptions {
  /** Channels each dense layer adds (`k`). Default 32. */
  growthRate?: number;
  /** Dense layers per block. Default `[6, 12, 24, 16]`. */
  blockConfig?: readonly number[];
  /** Channels of the stem convolution. Default 64. */
  numInitFeatures?: number;
  /** Bottleneck width factor (the 1x1 convolution outputs `bnSize · growthRate` channels). Default 4. */
  bnSize?: number;
  /** Fraction of channels a transition keeps (⌊channels · compression⌋). Default 0.5. */
  compression?: number;
  /** Dropout rate after each dense layer. Default 0. */
  dropRate?: number;
  /** Initialisation of the convolutions. Default `'kaimingNormalFanIn'` (torchvision's DenseNet). */
  convInit?: ConvInit;
}

/** Registry defaults: 1000 ImageNet classes, 224x224 RGB. */
export const DENSENET_DEFAULTS = { numClasses: 1000, inputShape: [224, 224, 3] as const };

/** The standard variants as data (torchvision's `densenet121`). */
export const DENSENET_CONFIGS = {
  densenet121: { growthRate: 32, blockConfig: [6, 12, 24, 16], numInitFeatures: 64 },
} as const satisfies Record<string, DenseNetOptions>;

function positiveInteger(value: unknown, what: string, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${where}: ${what} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/**
 * Builds a DenseNet-BC (torchvision layout) from {@link DenseNetOptions}. The input must survive the stem's two
 * stride-2 steps and one 2x2 average pool per transition (at least 29x29 for four blocks).
 * @example const model = densenet({ growthRate: 12, blockConfig: [6, 6, 6], numClasses: 10 });
 */
export function densenet(options: DenseNetOptions = {}): tfl.LayersModel {
  const { numClasses, inputShape, compression = 0.5, dropRate = 0, convInit = 'kaimingNormalFanIn', seed, name = 'densenet' } = {
    ...DENSENET_DEFAULTS,
    ...options,
  };
  const growthRate = positiveInteger(options.growthRate ?? 32, 'growthRate', name);
  const numInitFeatures = positiveInteger(options.numInitFeatures ?? 64, 'numInitFeatures', name);
  const bnSize = positiveInteger(options.bnSize ?? 4, 'bnSize', name);
  const blockConfig = options.blockConfig ?? [6, 12, 24, 16];
  if (!Array.isArray(blockConfig) || blockConfig.length === 0 || !blockConfig.every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error(`${name}: blockConfig must be a non-empty list of positive integers, got ${JSON.stringify(blockConfig)}`);
  }
  if (!(compression > 0 && compression <= 1)) throw new Error(`${name}: compression must be in (0, 1], got ${String(compression)}`);
  checkDownsampling(name, inputShape, [
    { name: 'features.conv0', kernelSize: 7, stride: 2, padding: 3 },
    { name: 'features.pool0', kernelSize: 3, stride: 2, padding: 1 },
    ...blockConfig.slice(1).map((_, i) => ({ name: `features.transition${i + 1}.pool`, kernelSize: 2, stride: 2, padding: 0 })),
  ]);

  let nextSeed = 0;
  const seeds = (count: number): { seed?: number } => {
    nextSeed += count;
    return seed === undefined ? {} : { seed: seed * 1000 + nextSeed - count };
  };
  const input = tfl.input({ shape: [...inputShape], name: 'input' });
  let x = paddedConv2d(input, { filters: numInitFeatures, kernelSize: 7, stride: 2, padding: 3, init: convInit, name: 'features.conv0', ...seeds(1) });
  x = tfl.layers.reLU({ name: 'features.relu0' }).apply(pytorchBatchNorm({ name: 'features.norm0' }).apply(x)) as tfl.SymbolicTensor;
  // PyTorch pads max-pools with −∞; after the ReLU every value is ≥ 0 and every 3x3 window holds at least one real
  // pixel, so zero padding gives the same maxima.
  x = tfl.layers.zeroPadding2d({ padding: 1, name: 'features.pool0.pad' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid', name: 'features.pool0' }).apply(x) as tfl.SymbolicTensor;

  let channels = numInitFeatures;
  blockConfig.forEach((numLayers, i) => {
    x = denseBlock(x, { numLayers, growthRate, bnSize, dropRate, init: convInit, name: `features.denseblock${i + 1}`, ...seeds(2 * numLayers) });
    channels += numLayers * growthRate;
    if (i !== blockConfig.length - 1) {
      channels = Math.floor(channels * compression);
      x = transition(x, { outChannels: channels, init: convInit, name: `features.transition${i + 1}`, ...seeds(1) });
    }
  });
  x = tfl.layers.reLU({ name: 'features.relu5' }).apply(pytorchBatchNorm({ name: 'features.norm5' }).apply(x)) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as tfl.SymbolicTensor;
  const classifier = tfl.layers.dense({
    units: numClasses,
    name: 'classifier',
    kernelInitializer: new KaimingUniform({ a: Math.sqrt(5), ...seeds(1) }),
    biasInitializer: 'zeros',
  });
  return tfl.model({ inputs: input, outputs: classifier.apply(x) as tfl.SymbolicTensor, name });
}

registerModel<DenseNetOptions>({
  name: 'densenet121',
  description: 'DenseNet-121 (torchvision layout: growth 32, blocks [6, 12, 24, 16], bn_size 4, compression 0.5)',
  defaults: { ...DENSENET_DEFAULTS, ...DENSENET_CONFIGS.densenet121 },
  build: densenet,
});
