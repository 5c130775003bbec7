import { chmod, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASET_FIXTURES, ip102FixtureColour } from './__fixtures__/dataset-fixtures.js';
import { ImageDecodeError } from './decode-image.js';
import { fileImageDataset } from './file-image-dataset.js';
import { directoryError, imageFolder } from './image-folder.js';

const train = join(DATASET_FIXTURES, 'ip102', 'classification', 'train');
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cnn-data-folder-'));
});
afterAll(async () => {
  await chmod(join(tmp, 'locked', 'b'), 0o755).catch(() => undefined);
  await rm(tmp, { recursive: true, force: true });
});

describe('imageFolder', () => {
  it("sorts classes like torchvision's ImageFolder ('10' before '2') and lists files without decoding", async () => {
    const dataset = await imageFolder({ root: train });
    expect(dataset.classes).toEqual(['0', '1', '10', '2']);
    expect(dataset.classToIndex).toEqual({ 0: 0, 1: 1, 10: 2, 2: 3 });
    expect(dataset.size).toBe(8);
    expect(dataset.files.map((file) => file.slice(train.length + 1))).toEqual(['0/00001.jpg', '0/00002.jpg', '0/00003.jpg', '1/00004.jpg', '1/00005.jpg', '10/00007.jpg', '10/00008.jpg', '2/00006.jpg']);
    expect(Array.from(dataset.labels)).toEqual([0, 0, 0, 1, 1, 2, 2, 3]);
    expect(dataset.classCounts()).toEqual([3, 2, 2, 1]);
  });

  it('decodes a sample lazily with its label and file', async () => {
    const dataset = await imageFolder({ root: train });
    const sample = await dataset.get(5);
    expect(sample.label).toBe(2);
    expect(sample.file).toBe(join(train, '10', '00007.jpg'));
    expect([sample.image.height, sample.image.width, sample.image.channels]).toEqual([8, 8, 3]);
    const colour = ip102FixtureColour(10);
    for (let c = 0; c < 3; c++) expect(Math.abs((sample.image.data[c] as number) - colour[c]!)).toBeLessThanOrEqual(3);
    const small = await (await imageFolder({ root: train, decode: { resize: { width: 4, height: 2 }, mode: 'greyscale' } })).get(0);
    expect([small.image.height, small.image.width, small.image.channels]).toEqual([2, 4, 1]);
    await expect(dataset.get(8)).rejects.toThrow(RangeError);
  });

  it('has a worker recipe that rebuilds it from its listing', async () => {
    const dataset = await imageFolder({ root: train, decode: { mode: 'greyscale' } });
    const recipe = dataset.workerRecipe();
    expect(recipe.factory).toBe('fileImageDataset');
    expect(recipe.module).toMatch(/^file:.*file-image-dataset\.(ts|js)$/);
    const copy = fileImageDataset(structuredClone(recipe.args[0]) as Parameters<typeof fileImageDataset>[0]);
    expect(copy.files).toEqual(dataset.files);
    expect(Array.from(copy.labels)).toEqual(Array.from(dataset.labels));
    expect((await copy.get(3)).image).toEqual((await dataset.get(3)).image);
  });

  it('filters by extension, case-insensitively, and skips hidden files', async () => {
    const root = join(tmp, 'extensions');
    await cp(join(train, '2'), join(root, 'a'), { recursive: true });
    await cp(join(train, '2', '00006.jpg'), join(root, 'a', 'UPPER.JPG'));
    await writeFile(join(root, 'a', 'notes.txt'), 'not an image');
    await writeFile(join(root, 'a', '._00006.jpg'), 'AppleDouble junk');
    expect((await imageFolder({ root })).files.map((f) => f.slice(root.length + 1))).toEqual(['a/00006.jpg', 'a/UPPER.JPG']);
    expect((await imageFolder({ root, extensions: ['.txt'] })).size).toBe(1);
  });

  it('names an empty class folder', async () => {
    // Git cannot hold an empty directory, so this fixture is made here.
    const root = join(tmp, 'empty-class');
    await cp(join(train, '2'), join(root, 'full'), { recursive: true });
    await mkdir(join(root, 'hollow', 'sub'), { recursive: true });
    await writeFile(join(root, 'hollow', 'readme.txt'), 'no images here');
    await expect(imageFolder({ root })).rejects.toThrow(`Class folder ${join(root, 'hollow')} has no image files (extensions .jpg,`);
    const allowed = await imageFolder({ root, allowEmptyClasses: true });
    expect([allowed.classes, allowed.size]).toEqual([['full', 'hollow'], 1]);
  });

  it('names a missing root, a root that is a file, and a root with no class folder', async () => {
    await expect(imageFolder({ root: join(tmp, 'nowhere') })).rejects.toThrow(`Image folder root ${join(tmp, 'nowhere')} does not exist.`);
    const file = join(train, '0', '00001.jpg');
    await expect(imageFolder({ root: file })).rejects.toThrow(`Image folder root ${file} is not a directory.`);
    await mkdir(join(tmp, 'flat'));
    await expect(imageFolder({ root: join(tmp, 'flat') })).rejects.toThrow(`Image folder root ${join(tmp, 'flat')} has no class folders`);
  });

  it.skipIf(process.getuid?.() === 0)('names an unreadable class folder (EACCES)', async () => {
    const root = join(tmp, 'locked');
    await cp(join(train, '2'), join(root, 'a'), { recursive: true });
    await mkdir(join(root, 'b'));
    await chmod(join(root, 'b'), 0o000);
    await expect(imageFolder({ root })).rejects.toThrow(`Image folder ${join(root, 'b')} cannot be read (EACCES: permission denied); check its permissions.`);
  });

  it('explains EACCES when running as root makes it impossible to provoke', () => {
    const error = Object.assign(new Error("EACCES: permission denied, scandir '/data/x'"), { code: 'EACCES' });
    expect(directoryError('/data/x', 'Image folder', error).message).toBe('Image folder /data/x cannot be read (EACCES: permission denied); check its permissions.');
  });

  it('rejects a bad image with an error naming the file', async () => {
    const root = join(tmp, 'bad');
    await cp(join(DATASET_FIXTURES, 'bad-images'), join(root, 'x'), { recursive: true });
    const dataset = await imageFolder({ root });
    expect(dataset.size).toBe(4);
    for (let i = 0; i < dataset.size; i++) {
      const error = await dataset.get(i).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImageDecodeError);
      expect((error as ImageDecodeError).file).toBe(dataset.files[i]);
    }
  });
});
