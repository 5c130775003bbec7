/**
 * Residual building blocks (He, Zhang, Ren and Sun, "Deep Residual Learning for Image Recognition", CVPR 2016) as
 * functions on tfjs-layers `SymbolicTensor`s, laid out as torchvision's `BasicBlock` and `Bottleneck` (ResNet v1.5:
 * the stride sits on the 3x3 convolution), plus the convolution they share with the dense blocks: PyTorch's explicit
 * symmetric zero padding and a choice of PyTorch's weight initialisations.
 *
 * Each sublayer is named `${name}.${torchvisionName}` (`layer1.0.conv1`, `layer1.0.downsample.0`, ...) when `name` is
 * given, so PyTorch state-dict keys map one to one onto tfjs layer names.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { KaimingNormal } from '../initializers.js';
import { pytorchBatchNorm, pytorchConv2d } from '../pytorch-defaults.js';
import { Conv2D } from '../conv2d.js';

/**
 * How a convolution is initialised:
 * - `'pytorchDefault'`: `nn.Conv2d.reset_parameters` (Kaiming uniform a = √5, bias U(±1/√fan_in));
 * - `'kaimingNormalFanOut'`: `kaiming_normal_(w, mode='fan_out', nonlinearity='relu')`, bias 0 (torchvision's ResNet,
 *   seed 000's `WeightsInitializer`);
 * - `'kaimingNormalFanIn'`: `kaiming_normal_(w)` (fan_in, leaky ReLU with slope 0, i.e. gain √2), bias 0 (torchvision's
 *   DenseNet).
 */
export type ConvInit = 'pytorchDefault' | 'kaimingNormalFanOut' | 'kaimingNormalFanIn';

const CONV_INITS: readonly ConvInit[] = ['pytorchDefault', 'kaimingNormalFanOut', 'kaimingNormalFanIn'];

/** Options of {@link paddedConv2d}. */
export interface PaddedConv2dOptions {
  /** Output channels. */
  filters: number;
  /** Square kernel side. */
  kernelSize: number;
  /** Stride. Default 1. */
  stride?: number;
  /** PyTorch's `padding`: zeros added on every side. Default 0. */
  padding?: number;
  /** Add a bias. Default false (torchvision's convolutions have none). */
  useBias?: boolean;
  /** Weight initialisation. Default `'kaimingNormalFanOut'`. */
  init?: ConvInit;
  /** Seed of the weight (and bias) draws; unseeded when absent. */
  seed?: number;
  /** Layer name; tfjs picks a unique one when absent. The padding layer, if any, is `${name}.pad`. */
  name?: string;
}

/** The channel count of an NHWC symbolic tensor, or an error naming `where`. */
export function channelsOfSymbolic(x: tfl.SymbolicTensor, where: string): number {
  const channels = x.shape[3];
  if (x.shape.length !== 4 || channels == null) {
    throw new Error(`${where}: expects an NHWC input with known channels, got shape [${x.shape.join(', ')}]`);
  }
  return channels;
}

function positiveInteger(value: unknown, what: string, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${where}: ${what} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** `inChannels` if given and equal to the input's channels, else an error with both values. */
function checkedChannels(x: tfl.SymbolicTensor, inChannels: number | undefined, where: string): number {
  const channels = channelsOfSymbolic(x, where);
  if (inChannels !== undefined && inChannels !== channels) {
    throw new Error(`${where}: the input has ${channels} channels but inChannels is ${inChannels}`);
  }
  return channels;
}

const sub = (name: string | undefined, suffix: string): { name?: string } => (name === undefined ? {} : { name: `${name}.${suffix}` });

/**
 * A convolution as PyTorch's `nn.Conv2d(in, filters, kernelSize, stride, padding)`: tfjs `'same'` padding puts the odd
 * pixel of a strided convolution on the bottom/right only, so padding is explicit (a `zeroPadding2d` then `'valid'`)
 * unless it is the stride-1 `'same'` case, where both agree.
 */
export function paddedConv2d(x: tfl.SymbolicTensor, options: PaddedConv2dOptions): tfl.SymbolicTensor {
  const where = `paddedConv2d${options.name === undefined ? '' : ` '${options.name}'`}`;
  const inChannels = channelsOfSymbolic(x, where);
  const { filters, kernelSize, stride = 1, padding = 0, useBias = false, init = 'kaimingNormalFanOut', seed, name } = options;
  positiveInteger(filters, 'filters', where);
  positiveInteger(kernelSize, 'kernelSize', where);
  positiveInteger(stride, 'stride', where);
  if (!Number.isInteger(padding) || padding < 0) throw new Error(`${where}: padding must be a non-negative integer, got ${padding}`);
  if (!CONV_INITS.includes(init)) throw new Error(`${where}: init must be one of ${CONV_INITS.join(', ')}, got '${String(init)}'`);
  const same = stride === 1 && kernelSize % 2 === 1 && padding === (kernelSize - 1) / 2;
  let input = x;
  if (!same && padding > 0) input = tfl.layers.zeroPadding2d({ padding, ...sub(name, 'pad') }).apply(x) as tfl.SymbolicTensor;
  const conv = { filters, kernelSize, strides: stride, padding: same ? ('same' as const) : ('valid' as const), useBias, ...(name === undefined ? {} : { name }) };
  const layer =
    init === 'pytorchDefault'
      ? pytorchConv2d({ ...conv, inChannels, ...(seed === undefined ? {} : { seed }) })
      : new Conv2D({
          ...conv,
          kernelInitializer: new KaimingNormal({
            mode: init === 'kaimingNormalFanOut' ? 'fanOut' : 'fanIn',
            nonlinearity: 'relu',
            ...(seed === undefined ? {} : { seed }),
          }),
          biasInitializer: 'zeros',
        });
  return layer.apply(input) as tfl.SymbolicTensor;
}

/** Options shared by {@link basicBlock} and {@link bottleneckBlock}. */
export interface ResidualBlockOptions {
  /** Channels of the input; checked against the input's shape when given. Default: the input's. */
  inChannels?: number;
  /** torchvision's `planes`: width of the block's 3x3 convolutions; the block outputs planes · expansion channels. */
  planes: number;
  /** Stride of the block (on its first 3x3 convolution, as ResNet v1.5). Default 1. */
  stride?: number;
  /**
   * Project the shortcut with a 1x1 convolution (with `stride`) and BatchNorm. Default: when the stride is not 1 or
   * the channel count changes, as torchvision.
   */
  downsample?: boolean;
  /** Biases on the convolutions. Default false (torchvision); seed 000's `ResBlock` has them (true). */
  useBias?: boolean;
  /** Initialisation of the convolutions. Default `'kaimingNormalFanOut'` (torchvision's ResNet). */
  init?: ConvInit;
  /** Seed of the block's draws: its convolutions use seed, seed + 1, ..., seed + 3. Unseeded when absent. */
  seed?: number;
  /** Prefix of the sublayer names (e.g. `layer1.0`); tfjs names them when absent. */
  name?: string;
}

/** Output channels per `planes` of {@link basicBlock} (torchvision's `BasicBlock.expansion`). */
export const BASIC_BLOCK_EXPANSION = 1;
/** Output channels per `planes` of {@link bottleneckBlock} (torchvision's `Bottleneck.expansion`). */
export const BOTTLENECK_EXPANSION = 4;

interface ResolvedBlock {
  planes: number;
  stride: number;
  downsample: boolean;
  conv: (x: tfl.SymbolicTensor, filters: number, kernelSize: number, stride: number, index: number, suffix: string) => tfl.SymbolicTensor;
  norm: (x: tfl.SymbolicTensor, suffix: string) => tfl.SymbolicTensor;
  relu: (x: tfl.SymbolicTensor, suffix: string) => tfl.SymbolicTensor;
}

function resolveBlock(x: tfl.SymbolicTensor, options: ResidualBlockOptions, expansion: number, where: string): ResolvedBlock {
  const label = `${where}${options.name === undefined ? '' : ` '${options.name}'`}`;
  const inChannels = checkedChannels(x, options.inChannels, label);
  const planes = positiveInteger(options.planes, 'planes', label);
  const stride = positiveInteger(options.stride ?? 1, 'stride', label);
  const { useBias = false, init = 'kaimingNormalFanOut', seed, name } = options;
  const downsample = options.downsample ?? (stride !== 1 || inChannels !== planes * expansion);
  if (!downsample && (stride !== 1 || inChannels !== planes * expansion)) {
    throw new Error(
      `${label}: an identity shortcut needs stride 1 and ${planes * expansion} input channels, got stride ${stride} and ${inChannels} channels; set downsample`,
    );
  }
  return {
    planes,
    stride,
    downsample,
    conv: (input, filters, kernelSize, s, index, suffix) =>
      paddedConv2d(input, {
        filters,
        kernelSize,
        stride: s,
        padding: (kernelSize - 1) / 2,
        useBias,
        init,
        ...sub(name, suffix),
        ...(seed === undefined ? {} : { seed: seed + index }),
      }),
    norm: (input, suffix) => pytorchBatchNorm(sub(name, suffix)).apply(input) as tfl.SymbolicTensor,
    relu: (input, suffix) => tfl.layers.reLU(sub(name, suffix)).apply(input) as tfl.SymbolicTensor,
  };
}

function addShortcut(x: tfl.SymbolicTensor, residual: tfl.SymbolicTensor, block: ResolvedBlock, outChannels: number, index: number, name: string | undefined): tfl.SymbolicTensor {
  let shortcut = x;
  if (block.downsample) {
    shortcut = block.norm(block.conv(x, outChannels, 1, block.stride, index, 'downsample.0'), 'downsample.1');
  }
  const sum = tfl.layers.add(sub(name, 'add')).apply([residual, shortcut]) as tfl.SymbolicTensor;
  return block.relu(sum, 'relu');
}

/**
 * torchvision's `BasicBlock`: 3x3 conv (stride) → BN → ReLU → 3x3 conv → BN, plus the shortcut (identity, or 1x1
 * conv (stride) → BN), then ReLU. Outputs `planes` channels.
 * @example const y = basicBlock(x, { planes: 128, stride: 2, name: 'layer2.0' });
 */
export function basicBlock(x: tfl.SymbolicTensor, options: ResidualBlockOptions): tfl.SymbolicTensor {
  const block = resolveBlock(x, options, BASIC_BLOCK_EXPANSION, 'basicBlock');
  let y = block.relu(block.norm(block.conv(x, block.planes, 3, block.stride, 0, 'conv1'), 'bn1'), 'relu1');
  y = block.norm(block.conv(y, block.planes, 3, 1, 1, 'conv2'), 'bn2');
  return addShortcut(x, y, block, block.planes, 2, options.name);
}

/**
 * torchvision's `Bottleneck` (ResNet v1.5): 1x1 conv → BN → ReLU → 3x3 conv (stride) → BN → ReLU → 1x1 conv to
 * planes · 4 → BN, plus the shortcut (identity, or 1x1 conv (stride) → BN), then ReLU. Outputs `planes · 4` channels.
 * @example const y = bottleneckBlock(x, { planes: 64, name: 'layer1.0' }); // 256 channels
 */
export function bottleneckBlock(x: tfl.SymbolicTensor, options: ResidualBlockOptions): tfl.SymbolicTensor {
  const block = resolveBlock(x, options, BOTTLENECK_EXPANSION, 'bottleneckBlock');
  const outChannels = block.planes * BOTTLENECK_EXPANSION;
  let y = block.relu(block.norm(block.conv(x, block.planes, 1, 1, 0, 'conv1'), 'bn1'), 'relu1');
  y = block.relu(block.norm(block.conv(y, block.planes, 3, block.stride, 1, 'conv2'), 'bn2'), 'relu2');
  y = block.norm(block.conv(y, outChannels, 1, 1, 2, 'conv3'), 'bn3');
  return addShortcut(x, y, block, outChannels, 3, options.name);
}
