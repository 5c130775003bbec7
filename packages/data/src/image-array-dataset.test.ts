import { describe, expect, it } from 'vitest';
import { ImageArrayDataset } from './image-array-dataset.js';

/** 5 images of 2x2x3; every byte of image i is i. */
function tiny(): ImageArrayDataset {
  const images = new Uint8Array(5 * 12);
  for (let i = 0; i < 5; i++) images.fill(i, i * 12, (i + 1) * 12);
  return new ImageArrayDataset({ images, labels: Uint8Array.from([4, 3, 2, 1, 0]), height: 2, width: 2, channels: 3, classes: ['a', 'b', 'c', 'd', 'e'] });
}

describe('ImageArrayDataset', () => {
  it('returns copies of samples', () => {
    const dataset = tiny();
    expect([dataset.size, dataset.imageSize]).toEqual([5, 12]);
    const sample = dataset.get(2);
    expect(sample).toEqual({ image: { data: new Uint8Array(12).fill(2), height: 2, width: 2, channels: 3 }, label: 2 });
    sample.image.data[0] = 99;
    expect(dataset.images[24]).toBe(2);
  });

  it('rejects indices outside the dataset', () => {
    expect(() => tiny().get(5)).toThrow('ImageArrayDataset: index 5 is out of range for 5 samples; use an integer in 0..4.');
    expect(() => tiny().get(1.5)).toThrow(RangeError);
  });

  it('limits and subsets', () => {
    const dataset = tiny();
    const first = dataset.limit(2);
    expect([first.size, Array.from(first.labels)]).toEqual([2, [4, 3]]);
    expect(first.images.buffer).toBe(dataset.images.buffer);
    expect(dataset.limit(50).size).toBe(5);
    const picked = dataset.subset([4, 0, 4]);
    expect(Array.from(picked.labels)).toEqual([0, 4, 0]);
    expect(picked.get(1).image.data[0]).toBe(0);
    expect(picked.get(0).image.data[0]).toBe(4);
    expect(picked.classes).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(() => dataset.subset([7])).toThrow(/index 7 is out of range/);
  });

  it('checks that images and labels agree', () => {
    expect(() => new ImageArrayDataset({ images: new Uint8Array(10), labels: new Uint8Array(3), height: 1, width: 1, channels: 3 })).toThrow(
      'ImageArrayDataset: images has 10 bytes but 3 labels of 1x1x3 images need 9; pass one label per image.',
    );
    expect(() => new ImageArrayDataset({ images: new Uint8Array(0), labels: new Uint8Array(0), height: 0, width: 1, channels: 1 })).toThrow(
      'ImageArrayDataset: height must be a positive integer, got 0.',
    );
  });
});
