/**
 * `@cnn/layers`: TensorFlow.js layers and initialisers that tfjs-layers lacks, with PyTorch semantics.
 * Importing this module registers its serialisable classes under the `cnn` package name.
 */
export {
  calculateGain,
  computeFans,
  FanInUniform,
  KaimingNormal,
  KaimingUniform,
  type FanInUniformArgs,
  type FanMode,
  type KaimingArgs,
  type Nonlinearity,
} from './initializers.js';
export {
  PYTORCH_BATCH_NORM,
  pytorchBatchNorm,
  pytorchConv2d,
  pytorchDense,
  type PytorchConv2dArgs,
  type PytorchDenseArgs,
  type Layer,
} from './pytorch-defaults.js';
export { GELU, gelu, type GELUApproximation, type GELUArgs } from './gelu.js';
export { LayerScaler, type LayerScalerArgs } from './layer-scaler.js';
export { StochasticDepth, stochasticDepth, type StochasticDepthArgs, type StochasticDepthMode } from './stochastic-depth.js';
export { blockKeepMask, DropBlock2D, dropBlock2d, dropBlockGamma, scheduledDropProb, type DropBlock2DArgs, type DropBlockVariant } from './drop-block.js';
export { LayerNorm2d, type LayerNorm2dArgs } from './layer-norm-2d.js';
export { GroupNorm, type GroupNormArgs } from './group-norm.js';
export { GroupedConv2D, type ConvPadding, type GroupedConv2DArgs } from './grouped-conv2d.js';
export { SqueezeExcitation, type SqueezeExcitationArgs } from './squeeze-excitation.js';
export {
  convNextBlock,
  convNextDownsample,
  convNextNormLayer,
  type ConvNextBlockOptions,
  type ConvNextDownsampleOptions,
  type ConvNextNorm,
} from './blocks/convnext.js';
export {
  BASIC_BLOCK_EXPANSION,
  BOTTLENECK_EXPANSION,
  basicBlock,
  bottleneckBlock,
  channelsOfSymbolic,
  paddedConv2d,
  type ConvInit,
  type PaddedConv2dOptions,
  type ResidualBlockOptions,
} from './blocks/residual.js';
export { denseBlock, transition, type DenseBlockOptions, type TransitionOptions } from './blocks/dense.js';
export {
  AdaptiveAveragePooling2D,
  auxiliaryClassifier,
  inceptionBlock,
  inceptionOutputChannels,
  type AdaptiveAveragePooling2DArgs,
  type AuxiliaryClassifierOptions,
  type InceptionBlockOptions,
  type InceptionStyle,
  type InceptionWidths,
} from './blocks/inception.js';
export { BatchNormalization, type BatchNormalizationArgs } from './batch-norm.js';
export { Conv2D, FUSED_CONV2D_GRADIENT, type Conv2DArgs } from './conv2d.js';
export {
  batchNormTraining,
  CNN_BATCH_NORM_TRAINING,
  CNN_BATCH_NORM_TRAINING_GRAD,
  CNN_MOVING_AVERAGE,
  movingAverages,
  COMPOSED_BATCH_NORM_BACKENDS,
  registerBatchNormTrainingKernels,
  type BatchNormTrainingResult,
} from './batch-norm-training.js';
export { CNN_GELU, CNN_GELU_GRAD, geluExact } from './gelu-kernel.js';
