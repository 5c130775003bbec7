/** A tiny in-memory labelled dataset for the oversampling tests, rebuildable from a worker recipe. */
import type { Dataset, Image, Sample } from '@cnn/data';

/** 10 samples of class 0, 4 of class 1, 1 of class 2; image `i` is a seeded pattern of 6x7x3 bytes. */
export function tinyDataset(async = false): Dataset<Sample> {
  const labels = [...Array(10).fill(0), ...Array(4).fill(1), 2] as number[];
  return {
    size: labels.length,
    get(index) {
      if (!Number.isSafeInteger(index) || index < 0 || index >= labels.length) throw new RangeError(`tinyDataset: index ${index} outside 0..14`);
      const data = Uint8Array.from({ length: 6 * 7 * 3 }, (_, k) => (index * 37 + k * 11) % 251);
      const image: Image = { data, height: 6, width: 7, channels: 3 };
      const sample = { image, label: labels[index]! };
      return async ? Promise.resolve(sample) : sample;
    },
    workerRecipe: () => ({ module: import.meta.url, factory: 'tinyDataset', args: [async] }),
  };
}
