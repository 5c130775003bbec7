import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASET_FIXTURES } from './__fixtures__/dataset-fixtures.js';
import type { Dataset, Image, Sample } from './dataset.js';
import { channelStats, classDistribution, formatClassDistribution } from './dataset-stats.js';
import { ImageArrayDataset } from './image-array-dataset.js';
import { ip102 } from './ip102.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cnn-data-stats-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Two RGB images of different sizes: A is 1x1, B is 1x3. */
const images: Image[] = [
  { data: Uint8Array.from([255, 0, 128]), height: 1, width: 1, channels: 3 },
  { data: Uint8Array.from([0, 51, 128, 0, 102, 128, 255, 153, 128]), height: 1, width: 3, channels: 3 },
];

/** An asynchronous dataset over `images` that counts reads. */
function counting(): Dataset<Sample> & { reads: number } {
  const dataset = { size: images.length, reads: 0, get: async (i: number) => (dataset.reads++, { image: images[i]!, label: i }) };
  return dataset;
}

describe('channelStats', () => {
  it('computes both definitions, matching hand-computed values', async () => {
    const stats = await channelStats(counting());
    // Over all 4 pixels (seed 000). R: 1,0,0,1 -> mean 0.5, std 0.5. G: 0,.2,.4,.6 -> mean .3, std sqrt(.14-.09).
    expect(stats.pixels.mean[0]).toBeCloseTo(0.5, 12);
    expect(stats.pixels.std[0]).toBeCloseTo(0.5, 12);
    expect(stats.pixels.mean[1]).toBeCloseTo(0.3, 12);
    expect(stats.pixels.std[1]).toBeCloseTo(Math.sqrt(0.05), 12);
    expect(stats.pixels.mean[2]).toBeCloseTo(128 / 255, 12);
    expect(stats.pixels.std[2]).toBeCloseTo(0, 7);
    // Mean of per-image statistics (seed 002). R: A (1, 0), B (1/3, sqrt(2/9)). G: A (0, 0), B (.4, sqrt(.08/3)).
    expect(stats.images.mean[0]).toBeCloseTo((1 + 1 / 3) / 2, 12);
    expect(stats.images.std[0]).toBeCloseTo(Math.sqrt(2 / 9) / 2, 12);
    expect(stats.images.mean[1]).toBeCloseTo(0.2, 12);
    expect(stats.images.std[1]).toBeCloseTo(Math.sqrt(0.08 / 3) / 2, 12);
    expect([stats.count, stats.pixelCount]).toEqual([2, 4]);
  });

  it('handles greyscale array datasets and reads in groups', async () => {
    const dataset = new ImageArrayDataset({ images: Uint8Array.from([0, 255, 255, 255]), labels: Uint8Array.from([0, 1]), height: 1, width: 2, channels: 1 });
    const progress: number[] = [];
    const stats = await channelStats(dataset, { concurrency: 1, onProgress: (done) => progress.push(done) });
    expect(stats.pixels.mean).toEqual([0.75]);
    expect(stats.pixels.std[0]).toBeCloseTo(Math.sqrt(0.75 - 0.5625), 12);
    expect(stats.images.std[0]).toBeCloseTo(0.25, 12); // (0.5 + 0) / 2
    expect(progress).toEqual([1, 2]);
  });

  it('caches the result by cacheKey and reuses it without reading the dataset', async () => {
    const dataset = counting();
    const first = await channelStats(dataset, { cacheKey: 'tiny-rgb', cacheDir: tmp });
    expect(dataset.reads).toBe(2);
    expect(JSON.parse(await readFile(join(tmp, 'stats', 'tiny-rgb.json'), 'utf8'))).toMatchObject({ cacheKey: 'tiny-rgb', count: 2 });
    expect(await channelStats(dataset, { cacheKey: 'tiny-rgb', cacheDir: tmp })).toEqual(first);
    expect(dataset.reads).toBe(2);
    await expect(channelStats(dataset, { cacheKey: '../escape', cacheDir: tmp })).rejects.toThrow('channelStats: cacheKey "../escape" must be letters');
  });

  it('works on decoded files and names a sample whose channels differ', async () => {
    const train = await ip102({ root: join(DATASET_FIXTURES, 'ip102'), split: 'train' });
    const stats = await channelStats(train);
    // Solid images of equal size: both definitions agree, and the std is (near) zero.
    for (let c = 0; c < 3; c++) expect(stats.images.mean[c]).toBeCloseTo(stats.pixels.mean[c]!, 10);
    expect(Math.max(...stats.images.std)).toBeLessThan(0.01);
    const mixed: Dataset<Sample & { file: string }> = {
      size: 2,
      get: (i) => ({ image: i === 0 ? images[0]! : { data: new Uint8Array(1), height: 1, width: 1, channels: 1 }, label: 0, file: `f${i}.png` }),
    };
    await expect(channelStats(mixed)).rejects.toThrow("channelStats: f1.png has 1 channels, but earlier images have 3; decode all images the same way (e.g. mode 'rgb').");
  });
});

describe('classDistribution', () => {
  it("counts classes and prints seed 000's report", async () => {
    const dataset = new ImageArrayDataset({ images: new Uint8Array(6), labels: Uint8Array.from([0, 0, 0, 1, 2, 2]), height: 1, width: 1, channels: 1, classes: ['a', 'b', 'c', 'd'] });
    const distribution = await classDistribution(dataset);
    expect(distribution.counts).toEqual([3, 1, 2, 0]);
    expect(distribution.ranking.map((r) => r.name)).toEqual(['a', 'c', 'b']);
    expect(formatClassDistribution(distribution, 'Mostrando distribución de targets en train')).toBe(
      [
        'Mostrando distribución de targets en train',
        'Class : a, Per : 0.50000  (3, 50.00%)',
        'Class : c, Per : 0.33333  (2, 33.33%)',
        'Class : b, Per : 0.16667  (1, 16.67%)',
        '6 samples in 3 of 4 classes.',
        'Most frequent: a (3, 50.00%); least frequent: b (1, 16.67%); imbalance ratio 3.0:1.',
        'Classes with no sample: d.',
      ].join('\n'),
    );
    expect((await classDistribution([1, 1, 0])).counts).toEqual([1, 2]);
  });

  it('uses the labels of file datasets without decoding', async () => {
    const train = await ip102({ root: join(DATASET_FIXTURES, 'ip102'), split: 'train' });
    const distribution = await classDistribution(train);
    expect(distribution.ranking[0]).toEqual({ label: 0, name: 'rice leaf roller', count: 3, fraction: 3 / 8 });
    expect(distribution.counts.length).toBe(11);
  });
});
