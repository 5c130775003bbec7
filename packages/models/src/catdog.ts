/**
 * Seed 002's own cats-vs-dogs CNN (`CatDogNet(2)`, Oxford-IIIT Pet, images resized to 128x128): four blocks of 3x3
 * convolution ('same') → BatchNorm → ReLU → 2x2 max pool with 64, 128, 256 and 512 filters (128 → 8), flatten
 * (512 · 8² features), Linear(32768, 1024) → ReLU → Dropout(0.5) → Linear(1024, 2). 35,110,402 parameters.
 *
 * The seed imports `CatDogNet` from a `network.py` it does not print; this is the network its text describes
 * (Conv2d, BatchNorm, ReLU and MaxPool2d blocks; 512 · 8² inputs to the first Linear; ReLU, Dropout, Linear to 2
 * classes) whose parameter count matches the seed's report exactly: its ResNet-50 (24,576,101 parameters with its
 * head) "has 10,534,301 fewer". The hidden width 1024 follows from that count; the dropout rate (0.5) is the one the
 * seed uses in its ResNet heads. PyTorch's default initialisation and BatchNorm settings.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { pytorchBatchNorm, pytorchConv2d, pytorchDense } from '@cnn/layers';
import { registerModel, type BaseModelOptions } from './registry.js';

/** Options of {@link catdogCnn}. */
export interface CatDogCnnOptions extends BaseModelOptions {
  /** Filters of the convolution blocks (one 2x2 max pool each). Default `[64, 128, 256, 512]`. */
  widths?: readonly number[];
  /** Units of the hidden dense layer. Default 1024. */
  hiddenUnits?: number;
  /** Dropout rate before the last dense layer. Default 0.5. */
  dropout?: number;
}

/** Seed 002's settings: 2 classes (cat, dog), 128x128 RGB input (`transforms.Resize((128, 128))`). */
export const CATDOG_CNN_DEFAULTS = { numClasses: 2, inputShape: [128, 128, 3] as const };
/** Tiny widths for tests (the golden fixture's, on 32x32 inputs). */
export const CATDOG_CNN_TINY = { widths: [4, 4, 8, 8], hiddenUnits: 16 } as const;

/** Builds the seed 002 CNN. The input must be at least 2^blocks pixels on each side (16 with four blocks). */
export function catdogCnn(options: CatDogCnnOptions = {}): tfl.LayersModel {
  const { numClasses, inputShape, seed, name, widths = [64, 128, 256, 512], hiddenUnits = 1024, dropout = 0.5 } = {
    ...CATDOG_CNN_DEFAULTS,
    ...options,
  };
  const [height, width, channels] = inputShape;
  if (widths.length < 1) throw new Error('catdog_cnn: widths must have at least one entry, got []');
  const side = 2 ** widths.length;
  if (height < side || width < side) {
    throw new Error(`catdog_cnn: input ${height}x${width} is too small: ${widths.length} 2x2 max pools need at least ${side}x${side}`);
  }
  if (!(dropout >= 0 && dropout < 1)) throw new Error(`catdog_cnn: dropout must be in [0, 1), got ${String(dropout)}`);
  const layerSeed = (i: number): { seed?: number } => (seed === undefined ? {} : { seed: seed * 100 + i });

  const input = tfl.input({ shape: [height, width, channels] });
  let x = input as tfl.SymbolicTensor;
  let inChannels = channels;
  widths.forEach((filters, i) => {
    const block = `block${i + 1}`;
    x = pytorchConv2d({ inChannels, filters, kernelSize: 3, padding: 'same', name: `${block}_conv`, ...layerSeed(i + 1) }).apply(x) as tfl.SymbolicTensor;
    x = pytorchBatchNorm({ name: `${block}_bn` }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.reLU({ name: `${block}_relu` }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'valid', name: `${block}_pool` }).apply(x) as tfl.SymbolicTensor;
    inChannels = filters;
  });
  const flatFeatures = Math.floor(height / side) * Math.floor(width / side) * inChannels;
  x = tfl.layers.flatten({ name: 'flatten' }).apply(x) as tfl.SymbolicTensor;
  x = pytorchDense({ inFeatures: flatFeatures, units: hiddenUnits, name: 'fc1', ...layerSeed(50) }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU({ name: 'fc1_relu' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dropout({ rate: dropout, name: 'dropout' }).apply(x) as tfl.SymbolicTensor;
  const logits = pytorchDense({ inFeatures: hiddenUnits, units: numClasses, name: 'fc2', ...layerSeed(51) }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logits, name: name ?? 'catdog_cnn' });
}

registerModel<CatDogCnnOptions>({
  name: 'catdog_cnn',
  description: "Seed 002's cats-vs-dogs CNN: four conv-BN-ReLU-max-pool blocks (64-512), dense 1024 (128x128, 2 classes)",
  defaults: { ...CATDOG_CNN_DEFAULTS },
  minInputShape: [16, 16, 3],
  build: catdogCnn,
});
