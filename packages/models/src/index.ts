/**
 * `@cnn/models`: CNN architectures for TensorFlow.js with a registry. Importing this module registers every model.
 */
export {
  createModel,
  getModelEntry,
  listModels,
  registerModel,
  type BaseModelOptions,
  type ModelEntry,
} from './registry.js';
export { lenet, LENET_DEFAULTS, type LeNetOptions } from './lenet.js';
