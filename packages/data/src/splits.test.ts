import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATASET_FIXTURES } from './__fixtures__/dataset-fixtures.js';
import type { Dataset, Sample } from './dataset.js';
import { ImageArrayDataset } from './image-array-dataset.js';
import { imageFolder } from './image-folder.js';
import { randomSplit, randomSplitIndices, splitLengths, stratifiedSplit, stratifiedSplitIndices, Subset, subsetFromRecipe } from './splits.js';

/** A dataset of 1x1 greyscale images whose pixel is the sample index. */
function indexed(labels: number[]): ImageArrayDataset {
  return new ImageArrayDataset({ images: Uint8Array.from(labels, (_, i) => i), labels: Uint8Array.from(labels), height: 1, width: 1, channels: 1 });
}

const sorted = (parts: ArrayLike<number>[]) => parts.flatMap((p) => Array.from(p)).sort((a, b) => a - b);

describe('splitLengths', () => {
  it("follows torch's random_split for counts, fractions and ratios", () => {
    expect(splitLengths(10, [8, 2])).toEqual([8, 2]);
    expect(splitLengths(10, [0.8, 0.2])).toEqual([8, 2]);
    expect(splitLengths(100, [0.7, 0.15, 0.15])).toEqual([70, 15, 15]);
    expect(splitLengths(11, [0.7, 0.15, 0.15])).toEqual([8, 2, 1]); // floor 7, 1, 1; two left over go to the first two
    expect(splitLengths(75222, [6, 1, 3])).toEqual([45134, 7522, 22566]);
    expect(splitLengths(7, [1, 0])).toEqual([7, 0]);
    expect(() => splitLengths(10, [0.5, -0.5])).toThrow('Split sizes must be non-negative numbers, got [0.5, -0.5]');
    expect(() => splitLengths(10, [])).toThrow(RangeError);
  });
});

describe('randomSplit', () => {
  it('is a seeded, reproducible partition', () => {
    const dataset = indexed(Array.from({ length: 50 }, (_, i) => i % 5));
    const [train, val] = randomSplit(dataset, [0.8, 0.2], 42);
    expect(train).toBeInstanceOf(ImageArrayDataset); // stays fast to batch
    expect([train!.size, val!.size]).toEqual([40, 10]);
    const pixels = (d: ImageArrayDataset) => Array.from(d.images);
    expect(sorted([pixels(train!), pixels(val!)])).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const again = randomSplit(dataset, [0.8, 0.2], 42);
    expect(pixels(again[1]!)).toEqual(pixels(val!));
    expect(pixels(randomSplit(dataset, [0.8, 0.2], 43)[1]!)).not.toEqual(pixels(val!));
    expect(Array.from(val!.labels)).toEqual(pixels(val!).map((i) => i % 5));
  });

  it('gives Subsets of other datasets, forwarding get, labels, classes and the worker recipe', async () => {
    const folder = await imageFolder({ root: join(DATASET_FIXTURES, 'ip102', 'classification', 'train') });
    const [a, b, c] = randomSplit(folder, [6, 1, 3], 7);
    expect([a!.size, b!.size, c!.size]).toEqual([5, 1, 2]);
    expect(sorted([a!.indices, b!.indices, c!.indices])).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const sample = await c!.get(1);
    expect(sample.file).toBe(folder.files[c!.indices[1]!]);
    expect(Array.from(c!.labels!)).toEqual(Array.from(c!.indices, (i) => folder.labels[i]));
    expect(c!.classes).toBe(folder.classes);
    const recipe = c!.workerRecipe!();
    expect(recipe.factory).toBe('subsetFromRecipe');
    const rebuilt = (await subsetFromRecipe(...(structuredClone(recipe.args) as [never, number[]]))) as Subset<Sample>;
    expect((await rebuilt.get(1)).image).toEqual(sample.image);
    expect(() => c!.get(2)).toThrow(RangeError);
  });

  it('has no worker recipe when the parent has none', () => {
    const plain: Dataset<number> = { size: 3, get: (i) => i * 10 };
    const subset = new Subset(plain, [2, 0]);
    expect(subset.workerRecipe).toBeUndefined();
    expect([subset.get(0), subset.get(1)]).toEqual([20, 0]);
    expect(() => new Subset(plain, [3])).toThrow('Subset: index 3 is out of range for a dataset of 3 samples.');
  });

  it('randomSplitIndices matches randomSplit', () => {
    const dataset = indexed(Array(20).fill(0));
    const [first] = randomSplit(dataset, [0.5, 0.5], 1);
    expect(Array.from(first!.images)).toEqual(Array.from(randomSplitIndices(20, [0.5, 0.5], 1)[0]!));
  });
});

describe('stratifiedSplit', () => {
  it('keeps class proportions exactly when they divide evenly', async () => {
    const labels = [...Array(40).fill(0), ...Array(20).fill(1), ...Array(60).fill(2)];
    const dataset = indexed(labels);
    const parts = await stratifiedSplit(dataset, [0.5, 0.25, 0.25], 3);
    const count = (d: ImageArrayDataset, label: number) => Array.from(d.labels).filter((l) => l === label).length;
    expect(parts.map((p) => [count(p, 0), count(p, 1), count(p, 2)])).toEqual([[20, 10, 30], [10, 5, 15], [10, 5, 15]]);
    expect(sorted(parts.map((p) => p.images))).toEqual(Array.from({ length: 120 }, (_, i) => i));
    const ratios = stratifiedSplitIndices(labels, [6, 1, 3], 3);
    expect(ratios.map((p) => [0, 1, 2].map((l) => Array.from(p).filter((i) => labels[i] === l).length))).toEqual([[24, 12, 36], [4, 2, 6], [12, 6, 18]]);
    expect(stratifiedSplitIndices(labels, [0.5, 0.25, 0.25], 3)).toEqual(stratifiedSplitIndices(labels, [0.5, 0.25, 0.25], 3));
    expect(stratifiedSplitIndices(labels, [0.5, 0.5], 3)[0]).not.toEqual(stratifiedSplitIndices(labels, [0.5, 0.5], 4)[0]);
  });

  it('is within one sample per class otherwise, and reads labels from samples when needed', async () => {
    const labels = [0, 0, 0, 1, 1, 1, 1, 1, 1, 1];
    const parts = stratifiedSplitIndices(labels, [0.7, 0.15, 0.15], 0);
    expect(parts.map((p) => p.length)).toEqual([7, 2, 1]); // class 0: 3 -> 2,1,0; class 1: 7 -> 5,1,1
    expect(parts.map((p) => Array.from(p).filter((i) => labels[i] === 0).length)).toEqual([2, 1, 0]);
    const plain: Dataset<{ label: number }> = { size: labels.length, get: async (i) => ({ label: labels[i]! }) };
    const subsets = await stratifiedSplit(plain, [0.7, 0.15, 0.15], 0);
    expect(subsets.map((s) => Array.from(s.indices))).toEqual(parts.map((p) => Array.from(p)));
  });
});
