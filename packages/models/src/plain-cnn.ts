/**
 * Seed 001's PlainCNN for CIFAR-10: a plain (non-residual) stack of five convolution blocks, each conv → BatchNorm →
 * ReLU → [DropBlock] → 2x2 average pool, then Linear(512, 2000) → LeakyReLU(0.01) → Dropout(0.4) → Linear(2000, 10).
 * Kernels 7, 5, 5, 3, 3 with 'same' padding; widths 32, 64, 128, 256, 512; DropBlock (Ghiasi et al. 2018, "DropBlock:
 * A regularization method for convolutional networks") with drop probability 0.3 and block sizes 8, 4, 2 after the
 * first three blocks, as the `dropblock` package the seed imports implements it (variant `'dropblockPackage'`).
 *
 * PyTorch's default initialisation and BatchNorm settings, as in the seed. The seed's Linear(512, …) fixes the input
 * at 32x32 (five pools leave 1x1x512); here other sizes of at least 32 are accepted and the first dense layer takes
 * the flattened (height, width, channels) features.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { DropBlock2D, pytorchBatchNorm, pytorchConv2d, pytorchDense } from '@cnn/layers';
import { registerModel, type BaseModelOptions } from './registry.js';

/** Options of {@link plainCnn}. */
export interface PlainCnnOptions extends BaseModelOptions {
  /** Filters of the five convolution blocks. Default `[32, 64, 128, 256, 512]`. */
  widths?: readonly [number, number, number, number, number];
  /** Units of the hidden dense layer. Default 2000. */
  hiddenUnits?: number;
  /** DropBlock drop probability after blocks 1–3. Default 0.3. */
  dropBlockProb?: number;
  /** Dropout rate before the last dense layer. Default 0.4. */
  dropout?: number;
}

/** Seed 001's settings: 10 CIFAR-10 classes, 32x32 RGB input. */
export const PLAIN_CNN_DEFAULTS = { numClasses: 10, inputShape: [32, 32, 3] as const };
/** Seed 001's widths. */
export const PLAIN_CNN_WIDTHS = [32, 64, 128, 256, 512] as const;
/** Tiny widths for tests (the golden fixture's, with `hiddenUnits: 16`). */
export const PLAIN_CNN_TINY = { widths: [4, 4, 8, 8, 8] as const, hiddenUnits: 16 };

const KERNELS = [7, 5, 5, 3, 3] as const;
const DROP_BLOCK_SIZES = [8, 4, 2, 0, 0] as const;

/** Builds PlainCNN. The input must be at least 32x32 (five 2x2 average pools). */
export function plainCnn(options: PlainCnnOptions = {}): tfl.LayersModel {
  const {
    numClasses,
    inputShape,
    seed,
    name,
    widths = PLAIN_CNN_WIDTHS,
    hiddenUnits = 2000,
    dropBlockProb = 0.3,
    dropout = 0.4,
  } = { ...PLAIN_CNN_DEFAULTS, ...options };
  const [height, width, channels] = inputShape;
  if (height < 32 || width < 32) {
    throw new Error(`plain_cnn: input ${height}x${width} is too small: five 2x2 average pools need at least 32x32`);
  }
  if (widths.length !== 5) throw new Error(`plain_cnn: widths must have 5 entries, got ${JSON.stringify(widths)}`);
  if (!(dropout >= 0 && dropout < 1)) throw new Error(`plain_cnn: dropout must be in [0, 1), got ${String(dropout)}`);
  const layerSeed = (i: number): { seed?: number } => (seed === undefined ? {} : { seed: seed * 100 + i });

  const input = tfl.input({ shape: [height, width, channels] });
  let x = input as tfl.SymbolicTensor;
  let inChannels = channels;
  widths.forEach((filters, i) => {
    const block = `block${i + 1}`;
    x = pytorchConv2d({ inChannels, filters, kernelSize: KERNELS[i]!, padding: 'same', name: `${block}_conv`, ...layerSeed(i + 1) }).apply(x) as tfl.SymbolicTensor;
    x = pytorchBatchNorm({ name: `${block}_bn` }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.reLU({ name: `${block}_relu` }).apply(x) as tfl.SymbolicTensor;
    const blockSize = DROP_BLOCK_SIZES[i]!;
    if (blockSize > 0) {
      x = new DropBlock2D({ dropProb: dropBlockProb, blockSize, variant: 'dropblockPackage', name: `${block}_dropblock` }).apply(x) as tfl.SymbolicTensor;
    }
    x = tfl.layers.averagePooling2d({ poolSize: 2, strides: 2, padding: 'valid', name: `${block}_pool` }).apply(x) as tfl.SymbolicTensor;
    inChannels = filters;
  });
  const flatFeatures = Math.floor(height / 32) * Math.floor(width / 32) * inChannels;
  x = tfl.layers.flatten({ name: 'flatten' }).apply(x) as tfl.SymbolicTensor;
  x = pytorchDense({ inFeatures: flatFeatures, units: hiddenUnits, name: 'fc1', ...layerSeed(6) }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.leakyReLU({ alpha: 0.01, name: 'fc1_leaky_relu' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dropout({ rate: dropout, name: 'dropout' }).apply(x) as tfl.SymbolicTensor;
  const logits = pytorchDense({ inFeatures: hiddenUnits, units: numClasses, name: 'fc2', ...layerSeed(7) }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logits, name: name ?? 'plain_cnn' });
}

registerModel<PlainCnnOptions>({
  name: 'plain_cnn',
  description: "Seed 001's PlainCNN: five conv-BN-ReLU-avg-pool blocks with DropBlock (dropblock package), dense 2000 (CIFAR-10)",
  defaults: { ...PLAIN_CNN_DEFAULTS },
  minInputShape: [32, 32, 3],
  build: plainCnn,
});
