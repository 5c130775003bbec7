export type { Dataset, Image, Sample } from './dataset.js';
export { parseIdx, type IdxArray, type IdxDtype } from './idx.js';
export { isGzip, readIdxFile } from './read-idx-file.js';
export { ImageArrayDataset, type ImageArrayDatasetOptions, type LabelArray } from './image-array-dataset.js';
export { epochSeed, mulberry32, shuffledIndices, shuffleInPlace, type RandomSource } from './random.js';
export { collate, type CollatedBatch } from './collate.js';
export { DataLoader, type Batch, type DataLoaderOptions } from './loader.js';
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
