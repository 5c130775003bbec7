/**
 * The inception block and the auxiliary classifier of GoogLeNet (Szegedy et al. 2015, "Going Deeper with
 * Convolutions"), as functions on `SymbolicTensor`s, in two layouts:
 *
 * - `'seed001'`, seed 001's `InceptionBlock` / `AuxiliaryClassifier` verbatim: branch 1 a bare 1x1 convolution (no
 *   BatchNorm, no ReLU); branches 2 and 3 1x1 conv → ReLU → BatchNorm → 3x3 (5x5) conv → BatchNorm → ReLU; branch 4
 *   3x3 max pool (stride 1) → ReLU → BatchNorm → 1x1 conv → BatchNorm → ReLU; convolutions with bias, PyTorch's
 *   default init and BatchNorm (eps 1e-5). Its auxiliary head: 1x1 conv (128) → BatchNorm → ReLU → global average
 *   pool → Linear(128, 1024) → ReLU → Dropout(0.6) → Linear(1024, classes).
 * - `'torchvision'`, `torchvision.models.googlenet`: every convolution a `BasicConv2d` (conv without bias → BatchNorm
 *   eps 1e-3 → ReLU); its "5x5" branch uses a 3x3 kernel, as torchvision keeps for its weights; weights drawn from
 *   N(0, 0.01) (torchvision's `trunc_normal_(std=0.01, a=-2, b=2)`, whose bounds lie 200 σ out). Its auxiliary head:
 *   adaptive average pool to 4x4 → BasicConv2d 1x1 (128) → flatten → Linear(2048, 1024) → ReLU → Dropout(0.7) →
 *   Linear(1024, classes).
 *
 * Branch outputs are concatenated on the channel axis in the order 1x1, 3x3, 5x5, pool (NHWC, channels last).
 * Layers are named `<name>_b1_conv`, `<name>_b2_reduce_conv`, `<name>_b2_reduce_bn`, `<name>_b2_conv`, … so that
 * weights can be loaded by name. Also here: {@link AdaptiveAveragePooling2D}, PyTorch's `adaptive_avg_pool2d`, which
 * the torchvision head needs.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { FanInUniform } from '../initializers.js';
import { Conv2D } from '../conv2d.js';
import { oneShape, oneTensor, positiveInteger, type Kwargs, type LayerArgs, type Shape } from '../layer-utils.js';
import { pytorchBatchNorm, pytorchConv2d, pytorchDense } from '../pytorch-defaults.js';

/** Which GoogLeNet the block follows: seed 001's `InceptionBlock` or torchvision's `Inception`. */
export type InceptionStyle = 'seed001' | 'torchvision';

/** Widths of an inception block, in the order of the PyTorch constructors' arguments. */
export interface InceptionWidths {
  /** Filters of the 1x1 branch (`out_1x1` / `ch1x1`). */
  out1x1: number;
  /** 1x1 reduction before the 3x3 convolution (`red_3x3` / `ch3x3red`). */
  reduce3x3: number;
  /** Filters of the 3x3 convolution (`out_3x3` / `ch3x3`). */
  out3x3: number;
  /** 1x1 reduction before the 5x5 convolution (`red_5x5` / `ch5x5red`). */
  reduce5x5: number;
  /** Filters of the 5x5 convolution (3x3 in the torchvision style) (`out_5x5` / `ch5x5`). */
  out5x5: number;
  /** Filters of the 1x1 projection after the pool (`pool_proj`). */
  poolProjection: number;
}

/** Options of {@link inceptionBlock}. */
export interface InceptionBlockOptions extends InceptionWidths {
  /** Layer-name prefix, unique in the model, e.g. `inception3a`. */
  name: string;
  /** `'seed001'` (default) or `'torchvision'`; see the module comment. */
  style?: InceptionStyle;
  /** Seed of the weight draws (each layer derives its own); unseeded when absent. */
  seed?: number;
}

/** Options of {@link auxiliaryClassifier}. */
export interface AuxiliaryClassifierOptions {
  /** Layer-name prefix, unique in the model, e.g. `aux1`. */
  name: string;
  /** Number of classes (logits). */
  numClasses: number;
  /** `'seed001'` (default) or `'torchvision'`; see the module comment. */
  style?: InceptionStyle;
  /** Filters of the 1x1 convolution. Default 128. */
  convChannels?: number;
  /** Units of the hidden dense layer. Default 1024. */
  hiddenUnits?: number;
  /** Dropout rate before the last dense layer. Default 0.6 (`'seed001'`), 0.7 (`'torchvision'`). */
  dropout?: number;
  /** Seed of the weight draws; unseeded when absent. */
  seed?: number;
}

/** Output channels of an inception block: the sum of its four branches. */
export function inceptionOutputChannels(w: InceptionWidths): number {
  return w.out1x1 + w.out3x3 + w.out5x5 + w.poolProjection;
}

type Sym = tfl.SymbolicTensor;

function channelsOfSymbolic(x: Sym, where: string): number {
  const c = x.shape[x.shape.length - 1];
  if (x.shape.length !== 4 || c == null) {
    throw new Error(`${where}: expects an NHWC input with known channels, got shape [${x.shape.join(', ')}]`);
  }
  return c;
}

function seedOf(seed: number | undefined, k: number): { seed?: number } {
  return seed === undefined ? {} : { seed: seed * 64 + k };
}

/** torchvision GoogLeNet's weight init for convolution and dense kernels: N(0, 0.01). */
function torchvisionKernelInit(seed: number | undefined, k: number): ReturnType<typeof tfl.initializers.randomNormal> {
  return tfl.initializers.randomNormal({ mean: 0, stddev: 0.01, ...seedOf(seed, k) });
}

/** A 'same'-padded stride-1 convolution (PyTorch padding (k − 1) / 2), with its style's bias and init. */
function conv(x: Sym, filters: number, kernelSize: number, style: InceptionStyle, name: string, seed: number | undefined, k: number): Sym {
  const inChannels = channelsOfSymbolic(x, name);
  const layer =
    style === 'seed001'
      ? pytorchConv2d({ inChannels, filters, kernelSize, padding: 'same', name, ...seedOf(seed, k) })
      : new Conv2D({ filters, kernelSize, padding: 'same', useBias: false, kernelInitializer: torchvisionKernelInit(seed, k), name });
  return layer.apply(x) as Sym;
}

function bn(x: Sym, style: InceptionStyle, name: string): Sym {
  return pytorchBatchNorm(style === 'torchvision' ? { epsilon: 1e-3, name } : { name }).apply(x) as Sym;
}

function relu(x: Sym, name: string): Sym {
  return tfl.layers.reLU({ name }).apply(x) as Sym;
}

/** torchvision's `BasicConv2d`: conv (no bias) → BatchNorm (eps 1e-3) → ReLU, named `<name>_conv`, `<name>_bn`. */
function basicConv(x: Sym, filters: number, kernelSize: number, name: string, seed: number | undefined, k: number): Sym {
  return relu(bn(conv(x, filters, kernelSize, 'torchvision', `${name}_conv`, seed, k), 'torchvision', `${name}_bn`), `${name}_relu`);
}

function checkWidths(w: InceptionWidths, where: string): void {
  for (const key of ['out1x1', 'reduce3x3', 'out3x3', 'reduce5x5', 'out5x5', 'poolProjection'] as const) {
    positiveInteger(w[key], key, where);
  }
}

/**
 * An inception block on an NHWC `SymbolicTensor`: four branches concatenated on channels (1x1, 3x3, 5x5, pool).
 * The spatial size is kept; the output has {@link inceptionOutputChannels} channels.
 */
export function inceptionBlock(x: Sym, options: InceptionBlockOptions): Sym {
  const { name, style = 'seed001', seed } = options;
  const where = `inceptionBlock '${name}'`;
  checkWidths(options, where);
  if (style !== 'seed001' && style !== 'torchvision') throw new Error(`${where}: style must be 'seed001' or 'torchvision', got '${String(style)}'`);
  channelsOfSymbolic(x, where);
  const p = `${name}_`;
  let branches: Sym[];
  if (style === 'seed001') {
    const reduced = (filters: number, reduce: number, kernel: number, key: string, k: number): Sym => {
      let y = conv(x, reduce, 1, style, `${p}${key}_reduce_conv`, seed, k);
      y = bn(relu(y, `${p}${key}_reduce_relu`), style, `${p}${key}_reduce_bn`);
      y = bn(conv(y, filters, kernel, style, `${p}${key}_conv`, seed, k + 1), style, `${p}${key}_bn`);
      return relu(y, `${p}${key}_relu`);
    };
    let pool = tfl.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same', name: `${p}b4_pool` }).apply(x) as Sym;
    pool = bn(relu(pool, `${p}b4_pool_relu`), style, `${p}b4_pool_bn`);
    pool = relu(bn(conv(pool, options.poolProjection, 1, style, `${p}b4_conv`, seed, 6), style, `${p}b4_bn`), `${p}b4_relu`);
    branches = [
      conv(x, options.out1x1, 1, style, `${p}b1_conv`, seed, 1),
      reduced(options.out3x3, options.reduce3x3, 3, 'b2', 2),
      reduced(options.out5x5, options.reduce5x5, 5, 'b3', 4),
      pool,
    ];
  } else {
    const pool = tfl.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same', name: `${p}b4_pool` }).apply(x) as Sym;
    branches = [
      basicConv(x, options.out1x1, 1, `${p}b1`, seed, 1),
      basicConv(basicConv(x, options.reduce3x3, 1, `${p}b2_reduce`, seed, 2), options.out3x3, 3, `${p}b2`, seed, 3),
      basicConv(basicConv(x, options.reduce5x5, 1, `${p}b3_reduce`, seed, 4), options.out5x5, 3, `${p}b3`, seed, 5),
      basicConv(pool, options.poolProjection, 1, `${p}b4`, seed, 6),
    ];
  }
  return tfl.layers.concatenate({ axis: -1, name: `${p}concat` }).apply(branches) as Sym;
}

/**
 * GoogLeNet's auxiliary classifier on an NHWC `SymbolicTensor`, returning logits `[batch, numClasses]`. In training
 * the seed's loss adds 0.3 × each auxiliary head's cross-entropy to the main one; at inference it is usually ignored.
 */
export function auxiliaryClassifier(x: Sym, options: AuxiliaryClassifierOptions): Sym {
  const { name, numClasses, style = 'seed001', convChannels = 128, hiddenUnits = 1024, seed } = options;
  const where = `auxiliaryClassifier '${name}'`;
  positiveInteger(numClasses, 'numClasses', where);
  positiveInteger(convChannels, 'convChannels', where);
  positiveInteger(hiddenUnits, 'hiddenUnits', where);
  const rate = options.dropout ?? (style === 'seed001' ? 0.6 : 0.7);
  if (!(rate >= 0 && rate < 1)) throw new Error(`${where}: dropout must be in [0, 1), got ${String(rate)}`);
  channelsOfSymbolic(x, where);
  let y: Sym;
  let features: number;
  if (style === 'seed001') {
    y = relu(bn(conv(x, convChannels, 1, style, `${name}_conv`, seed, 1), style, `${name}_bn`), `${name}_relu`);
    y = tfl.layers.globalAveragePooling2d({ name: `${name}_pool` }).apply(y) as Sym;
    features = convChannels;
  } else {
    y = new AdaptiveAveragePooling2D({ outputSize: 4, name: `${name}_pool` }).apply(x) as Sym;
    y = basicConv(y, convChannels, 1, `${name}_conv`, seed, 1);
    y = tfl.layers.flatten({ name: `${name}_flatten` }).apply(y) as Sym;
    features = convChannels * 16;
  }
  const dense = (input: Sym, inFeatures: number, units: number, layerName: string, k: number): Sym =>
    (style === 'seed001'
      ? pytorchDense({ inFeatures, units, name: layerName, ...seedOf(seed, k) })
      : tfl.layers.dense({
          units,
          name: layerName,
          kernelInitializer: torchvisionKernelInit(seed, k),
          biasInitializer: new FanInUniform({ fanIn: inFeatures, ...seedOf(seed, k + 32) }),
        })
    ).apply(input) as Sym;
  y = relu(dense(y, features, hiddenUnits, `${name}_fc1`, 2), `${name}_fc1_relu`);
  y = tfl.layers.dropout({ rate, name: `${name}_dropout` }).apply(y) as Sym;
  return dense(y, hiddenUnits, numClasses, `${name}_fc2`, 3);
}

/** Options of {@link AdaptiveAveragePooling2D}. */
export interface AdaptiveAveragePooling2DArgs extends LayerArgs {
  /** Output height and width (one number for both). */
  outputSize: number | [number, number];
}

/**
 * PyTorch's `adaptive_avg_pool2d` on NHWC maps: output cell (i, j) of an H × W input is the mean over rows
 * ⌊i·H/h⌋ … ⌈(i+1)·H/h⌉ − 1 and the same for columns, so windows may differ in size and overlap (14 → 4 uses
 * starts 0, 3, 7, 10, each 4 wide). Inputs smaller than the output repeat cells, as PyTorch does. No weights.
 */
export class AdaptiveAveragePooling2D extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'AdaptiveAveragePooling2D';
  readonly outputSize: [number, number];

  constructor(args: AdaptiveAveragePooling2DArgs) {
    super(args);
    const size = typeof args?.outputSize === 'number' ? [args.outputSize, args.outputSize] : args?.outputSize;
    if (!Array.isArray(size) || size.length !== 2) {
      throw new Error(`AdaptiveAveragePooling2D: outputSize must be a positive integer or [height, width], got ${JSON.stringify(args?.outputSize)}`);
    }
    this.outputSize = [positiveInteger(size[0], 'outputSize', 'AdaptiveAveragePooling2D'), positiveInteger(size[1], 'outputSize', 'AdaptiveAveragePooling2D')];
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const shape = oneShape(inputShape, 'AdaptiveAveragePooling2D');
    if (shape.length !== 4) throw new Error(`AdaptiveAveragePooling2D: expects NHWC input of rank 4, got shape [${shape.join(', ')}]`);
    return [shape[0]!, this.outputSize[0], this.outputSize[1], shape[3]!];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs, 'AdaptiveAveragePooling2D') as tf.Tensor4D;
      const [, height, width] = x.shape;
      const [oh, ow] = this.outputSize;
      if (height % oh === 0 && width % ow === 0) {
        const [kh, kw] = [height / oh, width / ow];
        return tf.avgPool(x, [kh, kw], [kh, kw], 'valid');
      }
      const rows = poolAxis(x, 1, height, oh);
      return poolAxis(rows, 2, width, ow);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), outputSize: [...this.outputSize] };
  }
}

/** Means over PyTorch's adaptive windows along `axis` (1 rows, 2 columns), concatenated. */
function poolAxis(x: tf.Tensor4D, axis: 1 | 2, size: number, out: number): tf.Tensor4D {
  const cells: tf.Tensor4D[] = [];
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * size) / out);
    const end = Math.ceil(((i + 1) * size) / out);
    const begin = [0, 0, 0, 0];
    const extent = [-1, -1, -1, -1];
    begin[axis] = start;
    extent[axis] = end - start;
    cells.push(tf.mean(tf.slice(x, begin, extent), axis, true));
  }
  return tf.concat(cells, axis);
}

tf.serialization.registerClass(AdaptiveAveragePooling2D, 'cnn');
