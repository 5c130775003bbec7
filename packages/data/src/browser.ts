/**
 * `@cnn/data` in browsers: what needs neither Node's file system nor its worker threads nor sharp. Bundlers pick
 * this entry through the `browser` export condition; Node gets the full package (`index.ts`), a superset of this.
 */
export type { Dataset, Image, Sample } from './dataset.js';
export type { AnyImage, FloatImage, ImageTransform, WorkerRecipe } from './image-transform.js';
export { parseIdx, type IdxArray, type IdxDtype } from './idx.js';
export { ImageArrayDataset, type ImageArrayDatasetOptions, type LabelArray } from './image-array-dataset.js';
export { epochSeed, mulberry32, sampleSeed, shuffledIndices, shuffleInPlace, type RandomSource } from './random.js';
export { collate, collateImages, type CollatedBatch } from './collate.js';
export { DataLoader, type Batch, type DataLoaderOptions } from './loader.js';
export { SampleError, type OnSampleError, type SampleStage, type SkippedSample } from './sample-batch.js';
export {
  classBalancedWeights,
  SubsetRandomSampler,
  WeightedRandomSampler,
  type Sampler,
  type WeightedRandomSamplerOptions,
} from './sampler.js';
export { FASHION_MNIST_CLASSES } from './fashion-mnist-files.js';
export { Subset, datasetLabels, randomSplit, type SplitParts, randomSplitIndices, splitLengths, stratifiedSplit, stratifiedSplitIndices, subsetFromRecipe } from './splits.js';
export { LABEL_ENCODER_METADATA_KEY, LabelEncoder, type LabelEncoderJson, type ModelWithMetadata } from './label-encoder.js';
