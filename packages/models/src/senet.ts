/**
 * Seed 001's two SENets for CIFAR-10: plain convolution stacks with squeeze-and-excitation blocks (Hu, Shen and Sun
 * 2018, "Squeeze-and-Excitation Networks"), as the seed writes them.
 *
 * - `senet_v1`: five conv → BatchNorm → ReLU stages (kernels 7, 5, 5, 3, 3, 'same'; widths 64, 108, 186, 230, 300),
 *   an SE block with a fixed 1000-unit hidden layer after each of the first four, no downsampling, global average
 *   pool, Linear(300, 10).
 * - `senet_v2`: widths 64, 96, 144, 192, 272, an SE block after every stage with reductions 8, 12, 16, 16, 32; after
 *   stages 1, 3 and 5 a 2x2 average pool and a DropBlock (0.35 / 4, 0.6 / 2, 0.35 / 1, as the `dropblock` package:
 *   variant `'dropblockPackage'`); global average pool, Linear(272, 1000) → ReLU → Dropout(0.6) → Linear(1000, 10).
 *
 * PyTorch's default initialisation and BatchNorm settings, as in the seed.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { DropBlock2D, pytorchBatchNorm, pytorchConv2d, pytorchDense, SqueezeExcitation } from '@cnn/layers';
import { registerModel, type BaseModelOptions } from './registry.js';

/** Which of seed 001's SENets. */
export type SENetVersion = 1 | 2;

/** Options of {@link senet}. */
export interface SENetOptions extends BaseModelOptions {
  /** 1 (`senet_v1`) or 2 (`senet_v2`). Default 2. */
  version?: SENetVersion;
  /** Filters of the five stages. Default `[64, 108, 186, 230, 300]` (v1), `[64, 96, 144, 192, 272]` (v2). */
  widths?: readonly [number, number, number, number, number];
  /** v1: hidden units of its SE blocks. Default 1000. */
  seHiddenUnits?: number;
  /** v2: reduction ratio of each stage's SE block. Default `[8, 12, 16, 16, 32]`. */
  seReductions?: readonly [number, number, number, number, number];
  /** v2: units of the hidden dense layer. Default 1000. */
  hiddenUnits?: number;
  /** v2: dropout rate before the last dense layer. Default 0.6. */
  dropout?: number;
}

/** Seed 001's settings: 10 CIFAR-10 classes, 32x32 RGB input. */
export const SENET_DEFAULTS = { numClasses: 10, inputShape: [32, 32, 3] as const };
/** The seed's configurations of the two versions. */
export const SENET_CONFIGS = {
  1: { widths: [64, 108, 186, 230, 300] as const, seHiddenUnits: 1000 },
  2: { widths: [64, 96, 144, 192, 272] as const, seReductions: [8, 12, 16, 16, 32] as const, hiddenUnits: 1000, dropout: 0.6 },
} as const;
/** Tiny configurations for tests (the golden fixture's). */
export const SENET_TINY = {
  1: { version: 1, widths: [4, 6, 8, 8, 8], seHiddenUnits: 8 },
  2: { version: 2, widths: [8, 12, 16, 16, 16], seReductions: [2, 3, 4, 4, 4], hiddenUnits: 16 },
} as const satisfies Record<SENetVersion, SENetOptions>;

const KERNELS = [7, 5, 5, 3, 3] as const;
/** v2's DropBlock after stages 1, 3 and 5: [drop probability, block size]. */
const V2_DROP_BLOCKS: Readonly<Record<number, readonly [number, number]>> = { 0: [0.35, 4], 2: [0.6, 2], 4: [0.35, 1] };

/** Builds seed 001's SENet `version`. Version 2 needs at least 8x8 inputs (three 2x2 average pools). */
export function senet(options: SENetOptions = {}): tfl.LayersModel {
  const version = options.version ?? 2;
  if (version !== 1 && version !== 2) throw new Error(`senet: version must be 1 or 2, got ${String(version)}`);
  const model = `senet_v${version}`;
  const defaults = SENET_CONFIGS[version];
  const { numClasses, inputShape, seed, name } = { ...SENET_DEFAULTS, ...options };
  const widths = options.widths ?? defaults.widths;
  const [height, width, channels] = inputShape;
  if (widths.length !== 5) throw new Error(`${model}: widths must have 5 entries, got ${JSON.stringify(widths)}`);
  if (version === 2 && (height < 8 || width < 8)) {
    throw new Error(`${model}: input ${height}x${width} is too small: three 2x2 average pools need at least 8x8`);
  }
  const reductions = options.seReductions ?? SENET_CONFIGS[2].seReductions;
  const dropout = options.dropout ?? SENET_CONFIGS[2].dropout;
  if (!(dropout >= 0 && dropout < 1)) throw new Error(`${model}: dropout must be in [0, 1), got ${String(dropout)}`);
  const layerSeed = (i: number): { seed?: number } => (seed === undefined ? {} : { seed: seed * 100 + i });

  const input = tfl.input({ shape: [height, width, channels] });
  let x = input as tfl.SymbolicTensor;
  let inChannels = channels;
  widths.forEach((filters, i) => {
    const stage = `stage${i + 1}`;
    x = pytorchConv2d({ inChannels, filters, kernelSize: KERNELS[i]!, padding: 'same', name: `${stage}_conv`, ...layerSeed(i + 1) }).apply(x) as tfl.SymbolicTensor;
    x = pytorchBatchNorm({ name: `${stage}_bn` }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.reLU({ name: `${stage}_relu` }).apply(x) as tfl.SymbolicTensor;
    if (version === 1 && i < 4) {
      const hiddenUnits = options.seHiddenUnits ?? SENET_CONFIGS[1].seHiddenUnits;
      x = new SqueezeExcitation({ channels: filters, hiddenUnits, name: `${stage}_se`, ...layerSeed(10 + i) }).apply(x) as tfl.SymbolicTensor;
    }
    if (version === 2) {
      x = new SqueezeExcitation({ channels: filters, reduction: reductions[i]!, name: `${stage}_se`, ...layerSeed(10 + i) }).apply(x) as tfl.SymbolicTensor;
      const drop = V2_DROP_BLOCKS[i];
      if (drop !== undefined) {
        x = tfl.layers.averagePooling2d({ poolSize: 2, strides: 2, padding: 'valid', name: `${stage}_pool` }).apply(x) as tfl.SymbolicTensor;
        x = new DropBlock2D({ dropProb: drop[0], blockSize: drop[1], variant: 'dropblockPackage', name: `${stage}_dropblock` }).apply(x) as tfl.SymbolicTensor;
      }
    }
    inChannels = filters;
  });
  x = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tfl.SymbolicTensor;
  let logits: tfl.SymbolicTensor;
  if (version === 1) {
    logits = pytorchDense({ inFeatures: inChannels, units: numClasses, name: 'fc', ...layerSeed(20) }).apply(x) as tfl.SymbolicTensor;
  } else {
    const hiddenUnits = options.hiddenUnits ?? SENET_CONFIGS[2].hiddenUnits;
    x = pytorchDense({ inFeatures: inChannels, units: hiddenUnits, name: 'fc1', ...layerSeed(20) }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.reLU({ name: 'fc1_relu' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.dropout({ rate: dropout, name: 'dropout' }).apply(x) as tfl.SymbolicTensor;
    logits = pytorchDense({ inFeatures: hiddenUnits, units: numClasses, name: 'fc2', ...layerSeed(21) }).apply(x) as tfl.SymbolicTensor;
  }
  return tfl.model({ inputs: input, outputs: logits, name: name ?? model });
}

registerModel<SENetOptions>({
  name: 'senet_v1',
  description: "Seed 001's first SENet: five conv-BN-ReLU stages, SE blocks with 1000 hidden units, no pooling (CIFAR-10)",
  defaults: { ...SENET_DEFAULTS, version: 1 },
  minInputShape: [1, 1, 3],
  build: senet,
});

registerModel<SENetOptions>({
  name: 'senet_v2',
  description: "Seed 001's second SENet: SE blocks with reductions, average pools, DropBlock and dropout (CIFAR-10)",
  defaults: { ...SENET_DEFAULTS, version: 2 },
  minInputShape: [8, 8, 3],
  build: senet,
});
