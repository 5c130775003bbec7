/**
 * LeNet-5 as in d2l.ai and seed 004 (Fashion-MNIST lesson): sigmoid activations, average pooling, 6 and 16 filters of
 * 5x5, dense 120 and 84; and the same network with BatchNorm after each convolution and dense layer
 * (Ioffe & Szegedy 2015, "Batch Normalization: Accelerating Deep Network Training by Reducing Internal Covariate Shift").
 *
 * Initialisation and BatchNorm settings are PyTorch's, so the networks train as the seed's do.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { pytorchBatchNorm, pytorchConv2d, pytorchDense } from '@cnn/layers';
import { registerModel, type BaseModelOptions } from './registry.js';

/** Options of the LeNet builders. */
export interface LeNetOptions extends BaseModelOptions {
  /** Insert BatchNorm after each convolution and hidden dense layer. Default false (`lenet`), true (`lenet_bn`). */
  batchNorm?: boolean;
}

/** Seed 004's settings: 10 Fashion-MNIST classes, 28x28 grayscale input. */
export const LENET_DEFAULTS = { numClasses: 10, inputShape: [28, 28, 1] as const };

/** Builds LeNet (optionally with BatchNorm). The input must be at least 10x10 (two 5x5 convolutions, two 2x2 pools). */
export function lenet(options: LeNetOptions = {}): tfl.LayersModel {
  const { numClasses, inputShape, batchNorm = false, seed, name } = { ...LENET_DEFAULTS, ...options };
  const [height, width, channels] = inputShape;
  const after = (size: number): number => Math.floor((Math.floor(size / 2) - 4) / 2);
  if (after(height) < 1 || after(width) < 1) {
    throw new Error(
      `lenet: input ${height}x${width} is too small: two 5x5 convolutions and two 2x2 pools need at least 10x10`,
    );
  }
  const flatFeatures = after(height) * after(width) * 16;
  const layerSeed = (i: number): { seed?: number } => (seed === undefined ? {} : { seed: seed * 100 + i });

  const model = tfl.sequential({ name: name ?? (batchNorm ? 'lenet_bn' : 'lenet') });
  const activation = (): void => {
    model.add(tfl.layers.activation({ activation: 'sigmoid' }));
  };
  const norm = (): void => {
    if (batchNorm) model.add(pytorchBatchNorm());
  };
  model.add(tfl.layers.inputLayer({ inputShape: [height, width, channels] }));
  model.add(pytorchConv2d({ inChannels: channels, filters: 6, kernelSize: 5, padding: 'same', ...layerSeed(1) }));
  norm();
  activation();
  model.add(tfl.layers.averagePooling2d({ poolSize: 2, strides: 2 }));
  model.add(pytorchConv2d({ inChannels: 6, filters: 16, kernelSize: 5, padding: 'valid', ...layerSeed(2) }));
  norm();
  activation();
  model.add(tfl.layers.averagePooling2d({ poolSize: 2, strides: 2 }));
  model.add(tfl.layers.flatten());
  model.add(pytorchDense({ inFeatures: flatFeatures, units: 120, ...layerSeed(3) }));
  norm();
  activation();
  model.add(pytorchDense({ inFeatures: 120, units: 84, ...layerSeed(4) }));
  norm();
  activation();
  model.add(pytorchDense({ inFeatures: 84, units: numClasses, ...layerSeed(5) }));
  return model;
}

registerModel<LeNetOptions>({
  name: 'lenet',
  description: 'LeNet-5 with sigmoid and average pooling (seed 004, Fashion-MNIST)',
  defaults: { ...LENET_DEFAULTS, batchNorm: false },
  build: lenet,
});

registerModel<LeNetOptions>({
  name: 'lenet_bn',
  description: 'LeNet-5 with BatchNorm after each convolution and dense layer (seed 004, Fashion-MNIST)',
  defaults: { ...LENET_DEFAULTS, batchNorm: true },
  build: lenet,
});
