/** `@cnn/augment`: image transforms for TensorFlow.js training pipelines, torchvision-style. */
export { compose, normalize, toUnitRange, toBatchTransform, type BatchTransform, type HasBatchVersion, type NormalizeOptions } from './transform.js';
export { Transform, type TransformConfig } from './transform-base.js';
export { transformFromConfig, registerTransform } from './from-config.js';
export { Compose, RandomSubset, type RandomSubsetOptions } from './compose.js';
export {
  CenterCrop,
  RandomCrop,
  RandomHorizontalFlip,
  RandomResizedCrop,
  RandomVerticalFlip,
  Resize,
  type CenterCropOptions,
  type CropBox,
  type RandomCropOptions,
  type RandomFlipOptions,
  type RandomResizedCropOptions,
  type ResizeOptions,
  type Size,
} from './geometry.js';
export { RandomRotation, type RandomRotationOptions } from './rotation.js';
export { ColorJitter, type ColorJitterOptions, type ColorJitterParameters } from './color-jitter.js';
export { Normalize, ToTensor, type NormalizeTransformOptions } from './tensor-transforms.js';
export { RandomErasing, eraseInPlace, type RandomErasingOptions } from './erasing.js';
export { GaussianBlur, gaussianBlur, gaussianKernel1d, type GaussianBlurOptions } from './blur.js';
export { GaussianNoise, SaltAndPepperNoise, type GaussianNoiseOptions, type SaltAndPepperNoiseOptions } from './noise.js';
export {
  borderIndex,
  centerCrop,
  crop,
  flip,
  pad,
  resize,
  resizedSize,
  type Interpolation,
  type PaddingMode,
} from './functional-geometry.js';
export { rotate, type RotateOptions, type RotationFillMode } from './functional-rotate.js';
export { adjustBrightness, adjustContrast, adjustHue, adjustSaturation } from './functional-color.js';
export { cutmix, mixup, type MixedBatch, type MixOptions } from './mix.js';
export { randomInteger, randomPermutation, sampleBeta, sampleGamma, standardNormal, uniform } from './sampling.js';
export {
  OversampledDataset,
  oversampledDatasetFromRecipes,
  seed002Manipulations,
  writeOversampledImages,
  type LabelledSample,
  type OversampleOptions,
  type OversamplingPlan,
  type WriteOversampledOptions,
  type WrittenImage,
} from './oversample.js';
