/**
 * tfjs-layers layers configured as PyTorch configures its own: weights and biases initialised as
 * `nn.Conv2d.reset_parameters` / `nn.Linear.reset_parameters` do, and BatchNorm with PyTorch's momentum and epsilon.
 * tfjs-layers' own defaults (Glorot uniform, zero bias, momentum 0.99, epsilon 1e-3) train differently.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { BatchNormalization } from './batch-norm.js';
import { Conv2D } from './conv2d.js';
import { FanInUniform, KaimingUniform } from './initializers.js';

import type { Layer } from '@tensorflow/tfjs-layers/dist/engine/topology.js';

export type { Layer };
type Conv2DLayerArgs = Parameters<typeof tfl.layers.conv2d>[0];
type DenseLayerArgs = Parameters<typeof tfl.layers.dense>[0];
type BatchNormalizationLayerArgs = NonNullable<Parameters<typeof tfl.layers.batchNormalization>[0]>;

/**
 * PyTorch's BatchNorm defaults in tfjs-layers terms: PyTorch's running-average momentum 0.1 is tfjs `momentum: 0.9`
 * (tfjs keeps `momentum` of the old value), epsilon 1e-5.
 *
 * One difference remains: PyTorch updates the running variance with the unbiased batch variance (n / (n - 1)), tfjs
 * with the biased one; with n = batch · height · width the two differ by under 1% for n >= 100.
 */
export const PYTORCH_BATCH_NORM = { momentum: 0.9, epsilon: 1e-5 } as const;

function positiveInteger(value: unknown, what: string, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${where}: ${what} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/**
 * PyTorch's `reset_parameters` for a weight of fan-in `fanIn`: Kaiming uniform (a = √5) weights and U(±1/√fan_in)
 * biases. Their seeds derive from the layer seed so that two layers never share a stream.
 */
function pytorchInitializers(fanIn: number, seed: number | undefined): { kernelInitializer: KaimingUniform; biasInitializer: FanInUniform } {
  return {
    kernelInitializer: new KaimingUniform({ a: Math.sqrt(5), ...(seed === undefined ? {} : { seed: seed * 2 + 1 }) }),
    biasInitializer: new FanInUniform({ fanIn, ...(seed === undefined ? {} : { seed: seed * 2 + 2 }) }),
  };
}

/** Options of {@link pytorchConv2d}: tfjs `conv2d` options plus the input channel count PyTorch's bias init needs. */
export type PytorchConv2dArgs = Omit<Conv2DLayerArgs, 'kernelInitializer' | 'biasInitializer'> & {
  /** Channels of the layer's input (PyTorch's `in_channels`). */
  inChannels: number;
  /** Seed for the weight and bias draws; unseeded when absent. */
  seed?: number;
};

/** A `tf.layers.conv2d` (as @cnn/layers' {@link Conv2D}) initialised as PyTorch's `nn.Conv2d` (Kaiming uniform a = √5, bias U(±1/√fan_in)). */
export function pytorchConv2d(args: PytorchConv2dArgs): Layer {
  const { inChannels, seed, ...conv } = args;
  positiveInteger(inChannels, 'inChannels', 'pytorchConv2d');
  const size = typeof conv.kernelSize === 'number' ? [conv.kernelSize, conv.kernelSize] : conv.kernelSize;
  const fanIn = inChannels * size.reduce((a, b) => a * b, 1);
  return new Conv2D({ ...conv, ...pytorchInitializers(fanIn, seed) });
}

/** Options of {@link pytorchDense}: tfjs `dense` options plus PyTorch's `in_features`. */
export type PytorchDenseArgs = Omit<DenseLayerArgs, 'kernelInitializer' | 'biasInitializer'> & {
  /** Features of the layer's input (PyTorch's `in_features`). */
  inFeatures: number;
  /** Seed for the weight and bias draws; unseeded when absent. */
  seed?: number;
};

/** A `tf.layers.dense` initialised as PyTorch's `nn.Linear` (Kaiming uniform a = √5, bias U(±1/√in_features)). */
export function pytorchDense(args: PytorchDenseArgs): Layer {
  const { inFeatures, seed, ...dense } = args;
  positiveInteger(inFeatures, 'inFeatures', 'pytorchDense');
  return tfl.layers.dense({ ...dense, ...pytorchInitializers(inFeatures, seed) });
}

/**
 * A batch normalisation with PyTorch's settings ({@link PYTORCH_BATCH_NORM}) unless overridden: our
 * {@link BatchNormalization}, tfjs-layers' layer with a fused training step.
 */
export function pytorchBatchNorm(args: BatchNormalizationLayerArgs = {}): Layer {
  return new BatchNormalization({ ...PYTORCH_BATCH_NORM, ...args });
}
