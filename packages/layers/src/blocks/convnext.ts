/**
 * ConvNeXt's building blocks (Liu et al. 2022, "A ConvNet for the 2020s") as functions on tfjs-layers
 * `SymbolicTensor`s (NHWC): the residual block and the between-stage downsampling layer.
 *
 * Two normalisations are offered, because the two codebases this toolkit follows differ:
 * - `'layerNorm'`: the official ConvNeXt (and timm / torchvision): each pixel's channel vector, epsilon 1e-6
 *   ({@link LayerNorm2d});
 * - `'groupNorm'`: seed 003's `nn.GroupNorm(num_groups=1)`: each sample over channels, height and width together,
 *   epsilon 1e-5 ({@link GroupNorm} with one group).
 *
 * Layers are named `<name>.<part>` after the PyTorch module paths (timm's for the official block, seed 003's for the
 * seed's), so that PyTorch weights can be copied by name.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { GELU } from '../gelu.js';
import { GroupNorm } from '../group-norm.js';
import { GroupedConv2D } from '../grouped-conv2d.js';
import { LayerNorm2d } from '../layer-norm-2d.js';
import { LayerScaler } from '../layer-scaler.js';
import { StochasticDepth, type StochasticDepthMode } from '../stochastic-depth.js';

/** Which normalisation a ConvNeXt block or downsampling layer uses; see the module documentation. */
export type ConvNextNorm = 'layerNorm' | 'groupNorm';

/** Options of {@link convNextBlock}. */
export interface ConvNextBlockOptions {
  /** Name prefix of the block's layers (its PyTorch module path); required, as layer names must be unique. */
  name: string;
  /** Expansion of the inverted bottleneck (hidden channels = expansion · input channels). Default 4. */
  expansion?: number;
  /** Depthwise kernel size (odd; padded by (k − 1)/2 on every side). Default 7. */
  kernelSize?: number;
  /** Whether the depthwise convolution has a bias. Default true (official); seed 003 uses false. */
  depthwiseBias?: boolean;
  /** Normalisation after the depthwise convolution. Default `'layerNorm'` (official); seed 003: `'groupNorm'`. */
  norm?: ConvNextNorm;
  /**
   * Initial layer scale γ. Default 1e-6; `null` leaves the layer scale out (the official code does when
   * `layer_scale_init_value` is not positive).
   */
  layerScaleInit?: number | null;
  /** Drop path (stochastic depth) probability of the residual branch. Default 0 (no drop-path layer is added). */
  dropPath?: number;
  /** Drop path granularity: `'row'` per sample (official/timm), `'batch'` whole batch (seed 003). Default `'row'`. */
  dropPathMode?: StochasticDepthMode;
  /** Names of the block's parts. Default: timm's (`conv_dw`, `norm`, `mlp.fc1`, `mlp.fc2`, `gamma`). */
  partNames?: Partial<Record<'depthwise' | 'norm' | 'expand' | 'project' | 'layerScale', string>>;
  /** Seed of the convolutions' initial weights (PyTorch's default init); unseeded when absent. */
  seed?: number;
}

const TIMM_PARTS = { depthwise: 'conv_dw', norm: 'norm', expand: 'mlp.fc1', project: 'mlp.fc2', layerScale: 'gamma' };

/** A normalisation layer of the chosen kind; `epsilon` overrides the kind's default. */
export function convNextNormLayer(norm: ConvNextNorm, name: string, epsilon?: number): tfl.layers.Layer {
  if (norm === 'layerNorm') return new LayerNorm2d({ name, ...(epsilon === undefined ? {} : { epsilon }) });
  if (norm === 'groupNorm') return new GroupNorm({ name, groups: 1, ...(epsilon === undefined ? {} : { epsilon }) });
  throw new Error(`ConvNeXt: norm must be 'layerNorm' or 'groupNorm', got '${String(norm)}'`);
}

function channelsOf(x: tfl.SymbolicTensor, where: string): number {
  const channels = x.shape[x.shape.length - 1];
  if (x.shape.length !== 4 || channels == null) {
    throw new Error(`${where}: expects an NHWC input with known channels, got shape [${x.shape.join(', ')}]`);
  }
  return channels;
}

/**
 * The ConvNeXt block: depthwise k×k → norm → 1x1 to expansion·C → GELU → 1x1 back to C → layer scale → drop path →
 * plus the input. Keeps the input's shape.
 */
export function convNextBlock(x: tfl.SymbolicTensor, options: ConvNextBlockOptions): tfl.SymbolicTensor {
  const { name, expansion = 4, kernelSize = 7, depthwiseBias = true, norm = 'layerNorm', layerScaleInit = 1e-6 } = options;
  const { dropPath = 0, dropPathMode = 'row', seed } = options;
  const parts = { ...TIMM_PARTS, ...options.partNames };
  const dim = channelsOf(x, `convNextBlock '${name}'`);
  if (!Number.isInteger(kernelSize) || kernelSize < 1 || kernelSize % 2 === 0) {
    throw new Error(`convNextBlock '${name}': kernelSize must be an odd positive integer, got ${String(kernelSize)}`);
  }
  if (!Number.isInteger(expansion) || expansion < 1) {
    throw new Error(`convNextBlock '${name}': expansion must be a positive integer, got ${String(expansion)}`);
  }
  const layerSeed = (i: number): { seed?: number } => (seed === undefined ? {} : { seed: seed * 10 + i });
  let y = new GroupedConv2D({
    name: `${name}.${parts.depthwise}`,
    filters: dim,
    kernelSize,
    groups: dim,
    padding: (kernelSize - 1) / 2,
    useBias: depthwiseBias,
    ...layerSeed(1),
  }).apply(x) as tfl.SymbolicTensor;
  y = convNextNormLayer(norm, `${name}.${parts.norm}`).apply(y) as tfl.SymbolicTensor;
  y = new GroupedConv2D({ name: `${name}.${parts.expand}`, filters: expansion * dim, kernelSize: 1, ...layerSeed(2) }).apply(y) as tfl.SymbolicTensor;
  y = new GELU({ name: `${name}.act` }).apply(y) as tfl.SymbolicTensor;
  y = new GroupedConv2D({ name: `${name}.${parts.project}`, filters: dim, kernelSize: 1, ...layerSeed(3) }).apply(y) as tfl.SymbolicTensor;
  if (layerScaleInit !== null) {
    y = new LayerScaler({ name: `${name}.${parts.layerScale}`, initValue: layerScaleInit, dimensions: dim }).apply(y) as tfl.SymbolicTensor;
  }
  if (dropPath > 0) y = new StochasticDepth({ name: `${name}.drop_path`, p: dropPath, mode: dropPathMode }).apply(y) as tfl.SymbolicTensor;
  return tfl.layers.add({ name: `${name}.add` }).apply([y, x]) as tfl.SymbolicTensor;
}

/** Options of {@link convNextDownsample}. */
export interface ConvNextDownsampleOptions {
  /** Name prefix of the two layers (`<name>.0` norm, `<name>.1` convolution). */
  name: string;
  /** Output channels. */
  filters: number;
  /** Normalisation before the convolution. Default `'layerNorm'` (official); seed 003: `'groupNorm'`. */
  norm?: ConvNextNorm;
  /** Seed of the convolution's initial weights; unseeded when absent. */
  seed?: number;
}

/**
 * ConvNeXt's separate downsampling layer: norm, then a 2x2 convolution with stride 2 (with bias). Halves height and
 * width (rounding down); an input smaller than 2x2 is refused.
 */
export function convNextDownsample(x: tfl.SymbolicTensor, options: ConvNextDownsampleOptions): tfl.SymbolicTensor {
  const { name, filters, norm = 'layerNorm', seed } = options;
  channelsOf(x, `convNextDownsample '${name}'`);
  const [, height, width] = x.shape;
  if ((height != null && height < 2) || (width != null && width < 2)) {
    throw new Error(`convNextDownsample '${name}': input ${height}x${width} is too small for the 2x2 stride-2 downsampling; it needs at least 2x2`);
  }
  const y = convNextNormLayer(norm, `${name}.0`).apply(x) as tfl.SymbolicTensor;
  return new GroupedConv2D({ name: `${name}.1`, filters, kernelSize: 2, strides: 2, ...(seed === undefined ? {} : { seed }) }).apply(y) as tfl.SymbolicTensor;
}
