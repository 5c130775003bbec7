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
