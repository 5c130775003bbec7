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
export { convNext, CONVNEXT_CONFIGS, pytorchTruncatedNormal, type ConvNextLayout, type ConvNextOptions } from './convnext.js';
export {
  convNextAblation,
  CONVNEXT_ABLATION_CONFIGS,
  type AblationBlock,
  type AblationStem,
  type ConvNextAblationOptions,
} from './convnext-ablation.js';
export {
  checkDownsampling,
  resnet,
  RESNET_CONFIGS,
  RESNET_DEFAULTS,
  RESNET34_DROPBLOCK_DEFAULTS,
  type ClassifierInit,
  type DownsamplingStep,
  type ResNetBlock,
  type ResNetDropBlockOptions,
  type ResNetOptions,
  type ResNetStem,
} from './resnet.js';
export { densenet, DENSENET_CONFIGS, DENSENET_DEFAULTS, type DenseNetOptions } from './densenet.js';
export { plainCnn, PLAIN_CNN_DEFAULTS, PLAIN_CNN_TINY, PLAIN_CNN_WIDTHS, type PlainCnnOptions } from './plain-cnn.js';
export { senet, SENET_CONFIGS, SENET_DEFAULTS, SENET_TINY, type SENetOptions, type SENetVersion } from './senet.js';
export {
  googlenet,
  GOOGLENET_DEFAULTS,
  GOOGLENET_TINY_WIDTHS,
  GOOGLENET_WIDTHS,
  INCEPTION_BLOCK_NAMES,
  INCEPTION_V1_AUX_DEFAULTS,
  INCEPTION_V1_AUX_TINY_WIDTHS,
  INCEPTION_V1_AUX_WIDTHS,
  inceptionV1Aux,
  type GoogLeNetOptions,
  type GoogLeNetWidths,
  type InceptionBlockName,
} from './googlenet.js';
export { catdogCnn, CATDOG_CNN_DEFAULTS, CATDOG_CNN_TINY, type CatDogCnnOptions } from './catdog.js';
export { formatShapes, formatSummary, summarizeModel, type LayerSummary, type ModelSummary, type OutputShape } from './summary.js';
export { modelGraphLayout, modelGraphSvg, type GraphEdge, type GraphLayout, type GraphNode, type ModelGraphOptions } from './graph-svg.js';
export { layerActivations } from './activations.js';
