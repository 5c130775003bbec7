import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DATASET_FIXTURES, PET_FIXTURE_SIZE, petGradientPixel } from './__fixtures__/dataset-fixtures.js';
import { decodeImage, ImageDecodeError } from './decode-image.js';

const pets = join(DATASET_FIXTURES, 'oxford-pets', 'images');
const bad = join(DATASET_FIXTURES, 'bad-images');

/** Largest difference between every pixel of `data` (channels last) and `colour`. */
function maxError(data: Uint8Array, colour: number[]): number {
  let max = 0;
  for (let i = 0; i < data.length; i++) max = Math.max(max, Math.abs((data[i] as number) - (colour[i % colour.length] as number)));
  return max;
}

describe('decodeImage', () => {
  it('decodes a PNG named .jpg exactly, by content', async () => {
    const image = await decodeImage(join(pets, 'american_bulldog_2.jpg'));
    expect([image.height, image.width, image.channels]).toEqual([PET_FIXTURE_SIZE.height, PET_FIXTURE_SIZE.width, 3]);
    for (const [y, x] of [[0, 0], [3, 7], [9, 11]] as const) {
      for (let c = 0; c < 3; c++) expect(image.data[(y * image.width + x) * 3 + c]).toBe(petGradientPixel(y, x, c));
    }
  });

  it('turns RGBA, CMYK, GIF and greyscale data into RGB', async () => {
    const rgba = await decodeImage(join(pets, 'Abyssinian_2.jpg'));
    expect(rgba.channels).toBe(3);
    expect(maxError(rgba.data, [10, 220, 30])).toBe(0); // alpha dropped, not composited, as PIL's convert('RGB')
    const gif = await decodeImage(join(pets, 'Bengal_2.jpg'));
    expect(maxError(gif.data, [250, 250, 0])).toBeLessThanOrEqual(2);
    const grey = await decodeImage(join(pets, 'american_bulldog_1.jpg'));
    expect(grey.channels).toBe(3);
    expect(maxError(grey.data, [90, 90, 90])).toBeLessThanOrEqual(2);
    const cmyk = await decodeImage(join(pets, 'Bengal_1.jpg'));
    expect(cmyk.channels).toBe(3);
    // Without an ICC profile the CMYK round trip is approximate; the hue must survive.
    expect(maxError(cmyk.data, [60, 120, 180])).toBeLessThanOrEqual(12);
    const jpeg = await decodeImage(await readFile(join(pets, 'Abyssinian_1.jpg')));
    expect(maxError(jpeg.data, [200, 40, 40])).toBeLessThanOrEqual(3);
  });

  it("gives one channel with PIL's luma weights in greyscale mode", async () => {
    const image = await decodeImage(join(pets, 'american_bulldog_2.jpg'), { mode: 'greyscale' });
    expect(image.channels).toBe(1);
    const [r, g, b] = [0, 1, 2].map((c) => petGradientPixel(2, 5, c)) as [number, number, number];
    expect(image.data[2 * image.width + 5]).toBe(Math.round(0.299 * r + 0.587 * g + 0.114 * b));
    const grey = await decodeImage(join(pets, 'american_bulldog_1.jpg'), { mode: 'greyscale' });
    expect(maxError(grey.data, [90])).toBeLessThanOrEqual(2);
  });

  it('resizes to a shorter side keeping the aspect ratio, or to a fixed size', async () => {
    const file = join(pets, 'american_bulldog_2.jpg'); // 12 wide, 10 high
    expect(await decodeImage(file, { resize: 5 })).toMatchObject({ height: 5, width: 6, channels: 3 });
    const fixed = await decodeImage(file, { resize: { width: 4, height: 3 }, kernel: 'nearest' });
    expect([fixed.height, fixed.width, fixed.data.length]).toEqual([3, 4, 36]);
    const wide = await sharp({ create: { width: 40, height: 20, channels: 3, background: { r: 9, g: 9, b: 9 } } }).png().toBuffer();
    expect(await decodeImage(wide, { resize: 7 })).toMatchObject({ height: 7, width: 14 });
    await expect(decodeImage(file, { resize: 0 })).rejects.toThrow('decodeImage: resize must be a positive integer, got 0.');
  });

  it.each([
    ['corrupt.jpg', /the file is corrupt/],
    ['truncated.jpg', /the file is truncated/],
    ['text.jpg', /not an image in a known format/],
    ['empty.jpg', /the file is empty/],
    ['missing.jpg', /cannot read it \(ENOENT\)/],
  ])('names the file when %s cannot be decoded', async (name, reason) => {
    const file = join(bad, name);
    const error = await decodeImage(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageDecodeError);
    expect((error as ImageDecodeError).file).toBe(file);
    expect((error as Error).message).toMatch(new RegExp(`^Cannot decode image ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
    expect((error as Error).message).toMatch(reason);
  });

  it("decodes what it can of a truncated file with failOn: 'none'", async () => {
    const image = await decodeImage(join(bad, 'truncated.jpg'), { failOn: 'none' });
    expect([image.height, image.width, image.channels]).toEqual([64, 64, 3]);
  });

  it('names bytes by the file option', async () => {
    await expect(decodeImage(new TextEncoder().encode('nope'), { file: 'upload.png' })).rejects.toThrow('Cannot decode image upload.png: not an image');
  });
});
