/**
 * ResNet (He, Zhang, Ren and Sun, "Deep Residual Learning for Image Recognition", CVPR 2016) in torchvision's layout
 * (v1.5: a bottleneck's stride sits on its 3x3 convolution): ResNet-18, -34 and -50 with an ImageNet stem (7x7/2
 * convolution, 3x3/2 max-pool) or a CIFAR stem (3x3/1 convolution, no max-pool), torchvision's initialisation
 * (Kaiming normal fan_out for convolutions, BatchNorm γ = 1 and β = 0, PyTorch's default for the classifier); and seed
 * 000's ResNet-34 with DropBlock (IP102 study, Ghiasi et al. 2018, "DropBlock: A regularization method for
 * convolutional networks").
 *
 * Layers are named as torchvision's state-dict keys (`conv1`, `layer2.0.downsample.0`, `fc`, ...), so PyTorch weights
 * map one to one onto tfjs layers (convolution `[out, in, kh, kw]` → `[kh, kw, in, out]`, linear transposed).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import {
  BASIC_BLOCK_EXPANSION,
  BOTTLENECK_EXPANSION,
  basicBlock,
  bottleneckBlock,
  DropBlock2D,
  KaimingNormal,
  paddedConv2d,
  pytorchBatchNorm,
  pytorchDense,
  type ConvInit,
  type DropBlockVariant,
} from '@cnn/layers';
import { registerModel, type BaseModelOptions } from './registry.js';

/** The residual block of a ResNet: torchvision's `BasicBlock` (ResNet-18/34) or `Bottleneck` (ResNet-50 and deeper). */
export type ResNetBlock = 'basic' | 'bottleneck';

/**
 * The stem before the residual stages:
 * - `'imagenet'`: 7x7/2 convolution (padding 3) → BN → ReLU → 3x3/2 max-pool (padding 1), torchvision's;
 * - `'cifar'`: 3x3/1 convolution (padding 1) → BN → ReLU, no max-pool (for 32x32 inputs);
 * - `'imagenetPool2'`: 7x7/2 convolution (padding 3) → BN → ReLU → 2x2/2 max-pool without padding, seed 000's
 *   `nn.MaxPool2d(2)`.
 */
export type ResNetStem = 'imagenet' | 'cifar' | 'imagenetPool2';

/** How the classifier is initialised: PyTorch's `nn.Linear` default, or Kaiming normal fan_out with bias 0 (seed 000). */
export type ClassifierInit = 'pytorchDefault' | 'kaimingNormalFanOut';

/** DropBlock layers inserted as seed 000 does: after the first (downsampling) block of each stage but the first. */
export interface ResNetDropBlockOptions {
  /** Drop probability of every DropBlock layer (seed 000: 0.3). */
  dropProb: number;
  /** Block size for stages 2, 3, ... (one per stage after the first; seed 000: 15, 8, 4). */
  blockSizes: readonly number[];
  /** Which DropBlock (see `DropBlock2D`). Default `'paper'`; seed 000 imports the `dropblock` package: `'dropblockPackage'`. */
  variant?: DropBlockVariant;
  /** Linear schedule of the drop probability over this many training calls (see `DropBlock2D`). Default: none. */
  scheduleSteps?: number;
}

/** Options of {@link resnet}. Every default is torchvision's ResNet-18 with the ImageNet stem. */
export interface ResNetOptions extends BaseModelOptions {
  /** Residual block. Default `'basic'`. */
  block?: ResNetBlock;
  /** Blocks per stage. Default `[2, 2, 2, 2]` (ResNet-18). */
  depths?: readonly number[];
  /** `planes` of each stage (the stem outputs `widths[0]` channels). Default `[64, 128, 256, 512]`. */
  widths?: readonly number[];
  /** Stem. Default `'imagenet'`. */
  stem?: ResNetStem;
  /** Biases on every convolution. Default false (torchvision); seed 000: true. */
  convBias?: boolean;
  /** Initialisation of the convolutions. Default `'kaimingNormalFanOut'` (torchvision and seed 000). */
  convInit?: ConvInit;
  /** Initialisation of the classifier. Default `'pytorchDefault'` (torchvision); seed 000: `'kaimingNormalFanOut'`. */
  classifierInit?: ClassifierInit;
  /** DropBlock after the first block of stages 2, 3, ... (seed 000). Default: none. */
  dropBlock?: ResNetDropBlockOptions;
}

/** One step of a network that shrinks the map, for {@link checkDownsampling}. */
export interface DownsamplingStep {
  /** Layer name shown in errors. */
  name: string;
  kernelSize: number;
  stride: number;
  /** PyTorch's padding on every side. */
  padding: number;
}

/** Registry defaults of the standard ResNets: 1000 ImageNet classes, 224x224 RGB. */
export const RESNET_DEFAULTS = { numClasses: 1000, inputShape: [224, 224, 3] as const };

/** The standard variants as data: blocks and depths (torchvision's `resnet18`, `resnet34`, `resnet50`). */
export const RESNET_CONFIGS = {
  resnet18: { block: 'basic', depths: [2, 2, 2, 2] },
  resnet34: { block: 'basic', depths: [3, 4, 6, 3] },
  resnet50: { block: 'bottleneck', depths: [3, 4, 6, 3] },
} as const satisfies Record<string, Pick<ResNetOptions, 'block' | 'depths'>>;

/**
 * Seed 000's ResNet-34 (IP102): 102 classes, 224x224 input, biased convolutions (PyTorch's `nn.Conv2d` default) with
 * Kaiming normal fan_out and bias 0 everywhere including the classifier, a 2x2 max-pool in the stem, and
 * `DropBlock2D(0.3, 15 | 8 | 4)` from the `dropblock` package after the first block of stages 2, 3 and 4.
 */
export const RESNET34_DROPBLOCK_DEFAULTS = {
  numClasses: 102,
  inputShape: [224, 224, 3] as const,
  block: 'basic',
  depths: [3, 4, 6, 3],
  stem: 'imagenetPool2',
  convBias: true,
  convInit: 'kaimingNormalFanOut',
  classifierInit: 'kaimingNormalFanOut',
  dropBlock: { dropProb: 0.3, blockSizes: [15, 8, 4], variant: 'dropblockPackage' },
} as const satisfies ResNetOptions;

const STEMS: readonly ResNetStem[] = ['imagenet', 'cifar', 'imagenetPool2'];

/**
 * Refuses an input too small for a network's downsampling: every step with stride > 1 must receive a map of at least
 * 2x2 (PyTorch refuses unpadded pools below their kernel; a strided step on a 1x1 map only sees padding), and the
 * error names the step, the map it would get and the smallest square input that works.
 */
export function checkDownsampling(model: string, inputShape: readonly number[], steps: readonly DownsamplingStep[]): void {
  const trace = (size: number): { step: DownsamplingStep; size: number } | undefined => {
    for (const step of steps) {
      if (step.stride > 1 && size < 2) return { step, size };
      size = Math.floor((size + 2 * step.padding - step.kernelSize) / step.stride) + 1;
      if (size < 1) return { step, size };
    }
    return undefined;
  };
  const [height = 0, width = 0] = inputShape;
  const failure = trace(height) ?? trace(width);
  if (failure === undefined) return;
  let minimum = 1;
  while (trace(minimum) !== undefined) minimum++;
  throw new Error(
    `${model}: input ${height}x${width} is too small for its downsampling: '${failure.step.name}' (stride ${failure.step.stride}) ` +
      `would receive a ${failure.size}-pixel side; the input must be at least ${minimum}x${minimum}`,
  );
}

function stemSteps(stem: ResNetStem): DownsamplingStep[] {
  if (stem === 'cifar') return [{ name: 'conv1', kernelSize: 3, stride: 1, padding: 1 }];
  const conv = { name: 'conv1', kernelSize: 7, stride: 2, padding: 3 };
  return stem === 'imagenet' ? [conv, { name: 'maxpool', kernelSize: 3, stride: 2, padding: 1 }] : [conv, { name: 'maxpool', kernelSize: 2, stride: 2, padding: 0 }];
}

function positiveIntegers(values: unknown, what: string, where: string): readonly number[] {
  if (!Array.isArray(values) || values.length === 0 || !values.every((v) => Number.isInteger(v) && v > 0)) {
    throw new Error(`${where}: ${what} must be a non-empty list of positive integers, got ${JSON.stringify(values)}`);
  }
  return values as number[];
}

/**
 * Builds a ResNet (torchvision layout) from {@link ResNetOptions}: stem, stages of residual blocks (the first block of
 * every stage after the first has stride 2), global average pool and a linear classifier `fc`.
 * @example const model = resnet({ block: 'bottleneck', depths: [3, 4, 6, 3], numClasses: 10, stem: 'cifar', inputShape: [32, 32, 3] });
 */
export function resnet(options: ResNetOptions = {}): tfl.LayersModel {
  const {
    numClasses,
    inputShape,
    block = 'basic',
    stem = 'imagenet',
    convBias = false,
    convInit = 'kaimingNormalFanOut',
    classifierInit = 'pytorchDefault',
    dropBlock,
    seed,
    name = 'resnet',
  } = { ...RESNET_DEFAULTS, ...options };
  const depths = positiveIntegers(options.depths ?? [2, 2, 2, 2], 'depths', name);
  const widths = positiveIntegers(options.widths ?? [64, 128, 256, 512], 'widths', name);
  if (depths.length !== widths.length) {
    throw new Error(`${name}: depths and widths need one entry per stage, got ${depths.length} depths and ${widths.length} widths`);
  }
  if (block !== 'basic' && block !== 'bottleneck') throw new Error(`${name}: block must be 'basic' or 'bottleneck', got '${String(block)}'`);
  if (!STEMS.includes(stem)) throw new Error(`${name}: stem must be one of ${STEMS.join(', ')}, got '${String(stem)}'`);
  if (classifierInit !== 'pytorchDefault' && classifierInit !== 'kaimingNormalFanOut') {
    throw new Error(`${name}: classifierInit must be 'pytorchDefault' or 'kaimingNormalFanOut', got '${String(classifierInit)}'`);
  }
  if (dropBlock !== undefined && dropBlock.blockSizes.length !== depths.length - 1) {
    throw new Error(
      `${name}: dropBlock.blockSizes needs one size per stage after the first (${depths.length - 1}), got ${JSON.stringify(dropBlock.blockSizes)}`,
    );
  }
  const strided = depths.slice(1).map((_, i) => ({ name: `layer${i + 2}.0`, kernelSize: 3, stride: 2, padding: 1 }));
  checkDownsampling(name, inputShape, [...stemSteps(stem), ...strided]);

  let nextSeed = 0;
  const seeds = (count: number): { seed?: number } => {
    nextSeed += count;
    return seed === undefined ? {} : { seed: seed * 1000 + nextSeed - count };
  };
  const input = tfl.input({ shape: [...inputShape], name: 'input' });
  const wide = stem === 'cifar' ? { kernelSize: 3, stride: 1, padding: 1 } : { kernelSize: 7, stride: 2, padding: 3 };
  let x = paddedConv2d(input, { filters: widths[0]!, ...wide, useBias: convBias, init: convInit, name: 'conv1', ...seeds(1) });
  x = tfl.layers.reLU({ name: 'relu' }).apply(pytorchBatchNorm({ name: 'bn1' }).apply(x)) as tfl.SymbolicTensor;
  if (stem === 'imagenet') {
    // PyTorch pads max-pools with −∞; after the ReLU every value is ≥ 0 and every 3x3 window holds at least one real
    // pixel, so zero padding gives the same maxima.
    x = tfl.layers.zeroPadding2d({ padding: 1, name: 'maxpool.pad' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid', name: 'maxpool' }).apply(x) as tfl.SymbolicTensor;
  } else if (stem === 'imagenetPool2') {
    x = tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'valid', name: 'maxpool' }).apply(x) as tfl.SymbolicTensor;
  }

  const blockFn = block === 'basic' ? basicBlock : bottleneckBlock;
  depths.forEach((depth, stage) => {
    for (let b = 0; b < depth; b++) {
      const stride = stage > 0 && b === 0 ? 2 : 1;
      x = blockFn(x, { planes: widths[stage]!, stride, useBias: convBias, init: convInit, name: `layer${stage + 1}.${b}`, ...seeds(4) });
      const blockSize = dropBlock?.blockSizes[stage - 1];
      if (b === 0 && dropBlock !== undefined && blockSize !== undefined) {
        const { dropProb, variant, scheduleSteps } = dropBlock;
        const layer = new DropBlock2D({ dropProb, blockSize, name: `layer${stage + 1}.dropblock`, ...(variant === undefined ? {} : { variant }), ...(scheduleSteps === undefined ? {} : { scheduleSteps }) });
        x = layer.apply(x) as tfl.SymbolicTensor;
      }
    }
  });

  const features = widths[widths.length - 1]! * (block === 'basic' ? BASIC_BLOCK_EXPANSION : BOTTLENECK_EXPANSION);
  x = tfl.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as tfl.SymbolicTensor;
  const fc =
    classifierInit === 'pytorchDefault'
      ? pytorchDense({ inFeatures: features, units: numClasses, name: 'fc', ...seeds(1) })
      : tfl.layers.dense({
          units: numClasses,
          name: 'fc',
          kernelInitializer: new KaimingNormal({ mode: 'fanOut', nonlinearity: 'relu', ...seeds(1) }),
          biasInitializer: 'zeros',
        });
  return tfl.model({ inputs: input, outputs: fc.apply(x) as tfl.SymbolicTensor, name });
}

function registerResNet(name: string, description: string, defaults: ResNetOptions & Required<Pick<ResNetOptions, 'numClasses' | 'inputShape'>>): void {
  registerModel<ResNetOptions>({ name, description, defaults, build: resnet });
}

registerResNet('resnet18', 'ResNet-18 (torchvision layout, BasicBlock [2, 2, 2, 2]; stem imagenet or cifar)', { ...RESNET_DEFAULTS, ...RESNET_CONFIGS.resnet18 });
registerResNet('resnet34', 'ResNet-34 (torchvision layout, BasicBlock [3, 4, 6, 3]; stem imagenet or cifar)', { ...RESNET_DEFAULTS, ...RESNET_CONFIGS.resnet34 });
registerResNet('resnet50', 'ResNet-50 (torchvision layout, Bottleneck v1.5 [3, 4, 6, 3]; stem imagenet or cifar)', { ...RESNET_DEFAULTS, ...RESNET_CONFIGS.resnet50 });
registerResNet('resnet34_dropblock', "Seed 000's ResNet-34 with DropBlock after stages 2-4 (IP102, 102 classes, Kaiming fan_out)", RESNET34_DROPBLOCK_DEFAULTS);
