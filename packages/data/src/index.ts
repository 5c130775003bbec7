export type { Dataset, Image, Sample } from './dataset.js';
export { parseIdx, type IdxArray, type IdxDtype } from './idx.js';
export { isGzip, readIdxFile } from './read-idx-file.js';
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
export { defaultCacheDir } from './cache-dir.js';
export { downloadFile, type DownloadFileOptions, type DownloadProgress } from './download.js';
export {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_FILES,
  FASHION_MNIST_MIRROR,
  FASHION_MNIST_SYSTEM_DIR,
  type FashionMnistFile,
  type FashionMnistSplit,
} from './fashion-mnist-files.js';
export { locateFashionMnist, type FashionMnistLocation, type LocateFashionMnistOptions } from './locate-fashion-mnist.js';
export { fashionMnist, type FashionMnistOptions } from './fashion-mnist.js';
export type { AnyImage, FloatImage, ImageTransform, WorkerRecipe } from './image-transform.js';
export { startModuleWorker } from './worker-thread.js';
export { decodeImage, ImageDecodeError, type DecodeImageOptions, type ResizeKernel } from './decode-image.js';
export { extractArchive, UnsafeArchiveError, type ExtractArchiveOptions } from './archive.js';
export { fetchDataset, type DatasetArchive, type DatasetLocation, type FetchDatasetOptions } from './fetch-dataset.js';
export { FileImageDataset, fileImageDataset, type FileImageDatasetState, type FileSample, type ImageDecoding } from './file-image-dataset.js';
export { IMAGE_EXTENSIONS, ImageFolderDataset, imageFolder, type ImageFolderOptions } from './image-folder.js';
export { CIFAR10_ARCHIVE, CIFAR10_CLASSES, CIFAR10_RECORD_BYTES, cifar10, type Cifar10Options } from './cifar10.js';
export { IP102_CLASS_COUNT, ip102, type Ip102Layout, type Ip102Options } from './ip102.js';
export {
  OXFORD_PETS_ARCHIVES,
  OXFORD_PETS_BREEDS,
  OXFORD_PETS_SPECIES,
  OxfordPetsDataset,
  TRIMAP,
  oxfordPets,
  oxfordPetsDataset,
  parseOxfordPetsList,
  type HeadBox,
  type OxfordPetsEntry,
  type OxfordPetsOptions,
  type OxfordPetsSample,
  type OxfordPetsState,
  type OxfordPetsTarget,
} from './oxford-pets.js';
export { Subset, datasetLabels, randomSplit, type SplitParts, randomSplitIndices, splitLengths, stratifiedSplit, stratifiedSplitIndices, subsetFromRecipe } from './splits.js';
export { LABEL_ENCODER_METADATA_KEY, LabelEncoder, type LabelEncoderJson, type ModelWithMetadata } from './label-encoder.js';
export { channelStats, classDistribution, formatClassDistribution, type ChannelMeanStd, type ChannelStats, type ChannelStatsOptions, type ClassDistribution } from './dataset-stats.js';
