import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultCacheDir } from './cache-dir.js';
import type { Dataset, Image } from './dataset.js';
import { datasetLabels } from './splits.js';

/** Per-channel statistics in 0..1 units (pixel value / 255). */
export interface ChannelMeanStd {
  /** Mean of each channel. */
  mean: number[];
  /** Population standard deviation of each channel. */
  std: number[];
}

/** Both definitions of a dataset's per-channel mean and standard deviation. */
export interface ChannelStats {
  /**
   * Over all pixels of all images, as seed 000 computes them: `mean = Σx / N`, `std = sqrt(Σx² / N − mean²)`
   * (population), `N` the total number of pixels. Images of different sizes weigh by their pixel count.
   */
  pixels: ChannelMeanStd;
  /**
   * The mean of per-image statistics, as seed 002 computes them: each image's channel mean and population standard
   * deviation (NumPy's `std`), averaged over images. Every image weighs the same.
   */
  images: ChannelMeanStd;
  /** Number of images. */
  count: number;
  /** Total number of pixels (per channel). */
  pixelCount: number;
}

/** How {@link channelStats} reads the dataset and caches the result. */
export interface ChannelStatsOptions {
  /**
   * Caches the result as `<cacheDir>/stats/<cacheKey>.json` and reads it back next time instead of reading the
   * dataset (when the size still matches). Name the dataset, split and decoding, e.g. `'ip102-train-rgb'`; letters,
   * digits, `.`, `_` and `-` only. Default unset: no cache.
   */
  cacheKey?: string;
  /** The cache directory; default `defaultCacheDir()`. */
  cacheDir?: string;
  /** Samples read at once (asynchronous datasets decode in parallel on sharp's threads); default `8`. */
  concurrency?: number;
  /** Called after each group of samples with the number done; default none. */
  onProgress?: (done: number, total: number) => void;
}

/** Running sums of one channel, in float64. */
class Accumulator {
  readonly pixelSum: Float64Array;
  readonly pixelSquares: Float64Array;
  readonly imageMeans: Float64Array;
  readonly imageStds: Float64Array;
  count = 0;
  pixelCount = 0;

  constructor(readonly channels: number) {
    this.pixelSum = new Float64Array(channels);
    this.pixelSquares = new Float64Array(channels);
    this.imageMeans = new Float64Array(channels);
    this.imageStds = new Float64Array(channels);
  }

  add(image: Image, where: string): void {
    const { data, channels } = image;
    if (channels !== this.channels) throw new Error(`channelStats: ${where} has ${channels} channels, but earlier images have ${this.channels}; decode all images the same way (e.g. mode 'rgb').`);
    const pixels = data.length / channels;
    for (let c = 0; c < channels; c++) {
      let sum = 0;
      let squares = 0;
      for (let i = c; i < data.length; i += channels) {
        const value = data[i] as number;
        sum += value;
        squares += value * value;
      }
      // Sums of integers are exact in float64 up to 2^53; scale to 0..1 units afterwards.
      const s = sum / 255;
      const q = squares / (255 * 255);
      this.pixelSum[c] = (this.pixelSum[c] as number) + s;
      this.pixelSquares[c] = (this.pixelSquares[c] as number) + q;
      const mean = s / pixels;
      this.imageMeans[c] = (this.imageMeans[c] as number) + mean;
      this.imageStds[c] = (this.imageStds[c] as number) + Math.sqrt(Math.max(0, q / pixels - mean * mean));
    }
    this.count++;
    this.pixelCount += pixels;
  }

  result(): ChannelStats {
    const channels = [...Array(this.channels).keys()];
    const pixelMean = channels.map((c) => (this.pixelSum[c] as number) / this.pixelCount);
    return {
      pixels: { mean: pixelMean, std: channels.map((c) => Math.sqrt(Math.max(0, (this.pixelSquares[c] as number) / this.pixelCount - (pixelMean[c] as number) ** 2))) },
      images: { mean: channels.map((c) => (this.imageMeans[c] as number) / this.count), std: channels.map((c) => (this.imageStds[c] as number) / this.count) },
      count: this.count,
      pixelCount: this.pixelCount,
    };
  }
}

function cachePath(options: ChannelStatsOptions): string | undefined {
  const { cacheKey } = options;
  if (cacheKey === undefined) return undefined;
  if (!/^[A-Za-z0-9._-]+$/.test(cacheKey) || cacheKey.startsWith('.')) {
    throw new Error(`channelStats: cacheKey ${JSON.stringify(cacheKey)} must be letters, digits, '.', '_' and '-' (not starting with '.'), e.g. 'ip102-train-rgb'.`);
  }
  return join(options.cacheDir ?? defaultCacheDir(), 'stats', `${cacheKey}.json`);
}

/**
 * Per-channel mean and standard deviation of a dataset's images in 0..1 units, in both definitions the seeds use
 * (see {@link ChannelStats}), computed in one streamed pass: constant memory, whatever the dataset's size. Pass the
 * training split only, and the result to `Normalize`. With `cacheKey`, the result is cached on disk.
 *
 * @throws Error when the dataset is empty, images differ in channel count, or a sample cannot be read (its error).
 */
export async function channelStats(dataset: Dataset<{ image: Image }>, options: ChannelStatsOptions = {}): Promise<ChannelStats> {
  const { concurrency = 8, onProgress } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`channelStats: concurrency must be a positive integer, got ${concurrency}.`);
  if (dataset.size === 0) throw new Error('channelStats: the dataset is empty.');
  const path = cachePath(options);
  if (path !== undefined) {
    const cached = await readFile(path, 'utf8').then(JSON.parse, () => undefined) as (ChannelStats & { cacheKey?: string }) | undefined;
    if (cached?.count === dataset.size && Array.isArray(cached.pixels?.mean)) return { pixels: cached.pixels, images: cached.images, count: cached.count, pixelCount: cached.pixelCount };
  }
  let accumulator: Accumulator | undefined;
  for (let start = 0; start < dataset.size; start += concurrency) {
    const end = Math.min(dataset.size, start + concurrency);
    const samples = await Promise.all(Array.from({ length: end - start }, (_, k) => dataset.get(start + k)));
    for (const [k, sample] of samples.entries()) {
      accumulator ??= new Accumulator(sample.image.channels);
      const file = (sample as { file?: string }).file;
      accumulator.add(sample.image, file ?? `sample ${start + k}`);
    }
    onProgress?.(end, dataset.size);
  }
  const result = (accumulator as Accumulator).result();
  if (path !== undefined) {
    await mkdir(join(path, '..'), { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify({ cacheKey: options.cacheKey, ...result }, null, 2)}\n`);
    await rename(temporary, path);
  }
  return result;
}

/** How many samples each class has. */
export interface ClassDistribution {
  /** Samples per label, indexed by label. */
  counts: number[];
  /** Number of samples. */
  total: number;
  /** Class names, indexed by label (the dataset's `classes`, else the label numbers). */
  classes: string[];
  /** Classes with at least one sample, most frequent first (ties by label): label, name, count and fraction of `total`. */
  ranking: { label: number; name: string; count: number; fraction: number }[];
}

/**
 * Counts the samples of each class, from the dataset's `labels` when it has them (no decoding), else by reading
 * every sample; or from a label array.
 */
export async function classDistribution(source: Dataset<{ label: number }> | ArrayLike<number>, classes?: readonly string[]): Promise<ClassDistribution> {
  const isDataset = typeof (source as Dataset<{ label: number }>).get === 'function';
  const labels = isDataset ? await datasetLabels(source as Dataset<{ label: number }>) : (source as ArrayLike<number>);
  const names = classes ?? (isDataset ? (source as { classes?: readonly string[] }).classes : undefined) ?? [];
  let largest = names.length - 1;
  for (let i = 0; i < labels.length; i++) largest = Math.max(largest, labels[i] as number);
  const counts = new Array<number>(largest + 1).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i] as number]! += 1;
  const total = labels.length;
  const allNames = counts.map((_, label) => names[label] ?? String(label));
  const ranking = counts
    .map((count, label) => ({ label, name: allNames[label] as string, count, fraction: total === 0 ? 0 : count / total }))
    .filter((entry) => entry.count > 0)
    .sort((a, b) => b.count - a.count || a.label - b.label);
  return { counts, total, classes: allNames, ranking };
}

/**
 * The class-distribution report of seed 000: one `Class : <name>, Per : <fraction>` line per class, most frequent
 * first (5 decimals, as the seed prints), followed by the count and percentage of each, the most and least frequent
 * classes, the imbalance ratio, and the classes with no sample.
 *
 * @param title A heading, e.g. `'Mostrando distribución de targets en train'`; default none.
 */
export function formatClassDistribution(distribution: ClassDistribution, title?: string): string {
  const { ranking, total, counts, classes } = distribution;
  const lines: string[] = [];
  if (title) lines.push(title);
  for (const entry of ranking) lines.push(`Class : ${entry.name}, Per : ${entry.fraction.toFixed(5)}  (${entry.count}, ${(entry.fraction * 100).toFixed(2)}%)`);
  const most = ranking[0];
  const least = ranking.at(-1);
  lines.push(`${total} samples in ${ranking.length} of ${counts.length} classes.`);
  if (most && least) {
    lines.push(`Most frequent: ${most.name} (${most.count}, ${(most.fraction * 100).toFixed(2)}%); least frequent: ${least.name} (${least.count}, ${(least.fraction * 100).toFixed(2)}%); imbalance ratio ${(most.count / least.count).toFixed(1)}:1.`);
  }
  const empty = counts.flatMap((count, label) => (count === 0 ? [classes[label] as string] : []));
  if (empty.length > 0) lines.push(`Classes with no sample: ${empty.join(', ')}.`);
  return lines.join('\n');
}
