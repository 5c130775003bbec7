import { mulberry32, type Image, type Sample } from '@cnn/data';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tinyDataset } from './__fixtures__/tiny-dataset.js';
import { GaussianNoise, OversampledDataset, oversampledDatasetFromRecipes, RandomHorizontalFlip, seed002Manipulations, writeOversampledImages } from './index.js';

const dataset = tinyDataset;

describe('OversampledDataset', () => {
  it('adds seeded synthetic samples of the minority classes until the classes balance', async () => {
    const base = dataset();
    const balanced = await OversampledDataset.create(base, { seed: 3 });
    expect(balanced.size).toBe(30);
    expect(balanced.syntheticCount).toBe(15);
    expect([...balanced.classCounts]).toEqual([[0, 10], [1, 4], [2, 1]]);
    const counts = [0, 0, 0];
    for (let i = 0; i < balanced.size; i++) counts[((await balanced.get(i)) as Sample).label]!++;
    expect(counts).toEqual([10, 10, 10]);
    for (let i = 15; i < 30; i++) {
      const sample = (await balanced.get(i)) as Sample;
      const source = balanced.plan.sources[i - 15]!;
      expect(balanced.isSynthetic(i)).toBe(true);
      expect(base.get(source)).toMatchObject({ label: sample.label });
      expect(sample.image.data).toBeInstanceOf(Uint8Array);
      expect(sample.image.data).not.toEqual((base.get(source) as Sample).image.data);
    }
    // Same seed, same images, in any order; another seed, others.
    const again = await OversampledDataset.create(dataset(true), { seed: 3, labels: [...Array(10).fill(0), ...Array(4).fill(1), 2] });
    for (const i of [29, 17, 15]) expect(await again.get(i)).toEqual(await balanced.get(i));
    const other = await OversampledDataset.create(base, { seed: 4 });
    const differs = await Promise.all([15, 16, 17, 18].map(async (i) => JSON.stringify(await other.get(i)) !== JSON.stringify(await balanced.get(i))));
    expect(differs.some(Boolean)).toBe(true);
    expect(() => balanced.get(30)).toThrow(/index 30 outside 0..29/);
    await expect(OversampledDataset.create(base, { labels: [1, 2] })).rejects.toThrow(/2 labels given for a dataset of 15 samples/);
  });

  it('uses seed 002 manipulations by default: 1 or 2 of rotate, salt-and-pepper, noise, double flip, blur', () => {
    const subset = seed002Manipulations();
    expect(subset.transforms.map((t) => t.toConfig().name)).toEqual(['RandomRotation', 'SaltAndPepperNoise', 'GaussianNoise', 'Compose', 'GaussianBlur']);
    expect([subset.min, subset.max]).toEqual([1, 2]);
    const random = mulberry32(1);
    for (let i = 0; i < 100; i++) expect([1, 2]).toContain(subset.sampleParameters(random).length);
  });

  it('rebuilds in a worker from its recipe when the dataset and the transform have recipes', async () => {
    const oversampled = await OversampledDataset.create(dataset(), { seed: 5 });
    const recipe = structuredClone(oversampled.workerRecipe());
    expect(recipe.factory).toBe('oversampledDatasetFromRecipes');
    const module = (await import(recipe.module)) as { oversampledDatasetFromRecipes: typeof oversampledDatasetFromRecipes };
    const rebuilt = await module.oversampledDatasetFromRecipes(...(recipe.args as Parameters<typeof oversampledDatasetFromRecipes>));
    expect(rebuilt.size).toBe(30);
    for (const i of [3, 15, 22, 29]) expect(await rebuilt.get(i)).toEqual(await oversampled.get(i));
    const noRecipe = await OversampledDataset.create({ size: 1, get: () => dataset().get(0) }, { transform: new RandomHorizontalFlip() });
    expect(() => noRecipe.workerRecipe()).toThrow(/need workerRecipe\(\)/);
  });

  it('writes the synthetic images with the caller encoder, to disk or through a writer', async () => {
    const balanced = await OversampledDataset.create(dataset(), { transform: new GaussianNoise({ sigma: 0.2 }), targetCount: 6 });
    expect(balanced.syntheticCount).toBe(2 + 5);
    const encode = async (image: Image): Promise<Uint8Array> => Uint8Array.from([image.height, image.width, ...image.data.subarray(0, 4)]);
    const files = new Map<string, Uint8Array>();
    const written = await writeOversampledImages(balanced, { directory: 'out/', encode, extension: 'raw', writeFile: async (p, b) => void files.set(p, b) });
    expect(written.map((w) => w.path)).toEqual(Array.from({ length: 7 }, (_, j) => `out/generated${j}.raw`));
    expect(written.map((w) => w.label)).toEqual([1, 1, 2, 2, 2, 2, 2]);
    expect(written.every((w) => (w.label === 2 ? w.sourceIndex === 14 : w.sourceIndex >= 10 && w.sourceIndex < 14))).toBe(true);
    expect(files.get('out/generated0.raw')!.subarray(0, 2)).toEqual(Uint8Array.from([6, 7]));
    const directory = await mkdtemp(join(tmpdir(), 'cnn-oversample-'));
    try {
      const onDisk = await writeOversampledImages(balanced, { directory: join(directory, 'cats'), encode, prefix: 'cat' });
      expect((await readdir(join(directory, 'cats'))).sort()).toEqual(onDisk.map((w) => w.path.split('/').pop()).sort());
      expect(new Uint8Array(await readFile(onDisk[3]!.path))).toEqual(files.get('out/generated3.raw'));
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
