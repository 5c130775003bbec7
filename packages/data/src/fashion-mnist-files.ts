/** The two halves of Fashion-MNIST: 60,000 training and 10,000 test images. */
export type FashionMnistSplit = 'train' | 'test';

/** Fashion-MNIST class names, indexed by label (from the dataset's README). */
export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze([
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]);

/** One Fashion-MNIST IDX file and its checksums. */
export interface FashionMnistFile {
  /** Uncompressed file name, e.g. `'t10k-images-idx3-ubyte'`; the download is `<name>.gz`. */
  name: string;
  /** MD5 of the official `<name>.gz`, as published in the Fashion-MNIST README. */
  gzipMd5: string;
  /**
   * MD5 of the decompressed file. Debian's dataset-fashion-mnist re-gzips the files
   * (so their `.gz` digests differ from `gzipMd5`) but these digests match.
   */
  md5: string;
}

/** The image and label files of each split. */
export const FASHION_MNIST_FILES: Readonly<Record<FashionMnistSplit, { images: FashionMnistFile; labels: FashionMnistFile }>> = Object.freeze({
  train: {
    images: { name: 'train-images-idx3-ubyte', gzipMd5: '8d4fb7e6c68d591d4c3dfef9ec88bf0d', md5: 'f4a8712d7a061bf5bd6d2ca38dc4d50a' },
    labels: { name: 'train-labels-idx1-ubyte', gzipMd5: '25c81989df183df01b3e8a0aad5dffbe', md5: '9018921c3c673c538a1fc5bad174d6f9' },
  },
  test: {
    images: { name: 't10k-images-idx3-ubyte', gzipMd5: 'bef4ecab320f06d8554ea6380940ec79', md5: '8181f5470baa50b63fa0f6fddb340f0a' },
    labels: { name: 't10k-labels-idx1-ubyte', gzipMd5: 'bb300cfdad3c16e7a12a480ee83cd310', md5: '15d484375f8d13e6eb1aabb0c3f46965' },
  },
});

/** The official download location (Zalando Research's bucket); files are `<mirror>/<name>.gz`. */
export const FASHION_MNIST_MIRROR = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';

/** Where Debian's `dataset-fashion-mnist` package installs the `.gz` files. */
export const FASHION_MNIST_SYSTEM_DIR = '/usr/share/datasets/fashion-mnist';
