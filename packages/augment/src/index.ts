/** `@cnn/augment`: image transforms for TensorFlow.js training pipelines, torchvision-style. */
export { compose, normalize, toUnitRange, type BatchTransform, type NormalizeOptions } from './transform.js';
