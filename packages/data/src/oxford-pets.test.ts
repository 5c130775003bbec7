import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASET_FIXTURES, PET_FIXTURES, PET_FIXTURE_SIZE, petGradientPixel, petTrimapValue } from './__fixtures__/dataset-fixtures.js';
import { serveDirectory, type FixtureServer } from './__fixtures__/http-server.js';
import { ImageDecodeError } from './decode-image.js';
import { OXFORD_PETS_BREEDS, OXFORD_PETS_SPECIES, oxfordPets, oxfordPetsDataset, parseOxfordPetsList } from './oxford-pets.js';

const root = join(DATASET_FIXTURES, 'oxford-pets');
let tmp: string;
let server: FixtureServer;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cnn-data-pets-'));
  server = await serveDirectory(join(DATASET_FIXTURES, 'oxford-pets-archives'));
});
afterAll(async () => {
  await server.close();
  await rm(tmp, { recursive: true, force: true });
});

const md5Of = async (file: string) => createHash('md5').update(await readFile(file)).digest('hex');

describe('oxfordPets', () => {
  it('lists each split with breed and species labels checked against the file names', async () => {
    const trainval = await oxfordPets({ root });
    const wanted = PET_FIXTURES.filter((pet) => pet.split === 'trainval');
    expect(trainval.size).toBe(wanted.length);
    expect(trainval.classes).toBe(OXFORD_PETS_BREEDS);
    expect(OXFORD_PETS_BREEDS).toHaveLength(37);
    expect(Array.from(trainval.labels)).toEqual(wanted.map((pet) => pet.classId - 1));
    expect(trainval.entries.map((e) => e.name)).toEqual(wanted.map((pet) => pet.name));
    const all = await oxfordPets({ root, split: 'all', target: 'species' });
    expect(all.size).toBe(PET_FIXTURES.length); // the .mat file in images/ is not listed, so not read
    expect(all.classes).toEqual(['cat', 'dog']);
    expect(Array.from(all.labels)).toEqual(PET_FIXTURES.map((pet) => (/^[A-Z]/.test(pet.name) ? 0 : 1)));
    expect((await oxfordPets({ root, split: 'test' })).size).toBe(PET_FIXTURES.length - wanted.length);
  });

  it('decodes every listed image by content (PNG, RGBA, CMYK, GIF, greyscale) as RGB', async () => {
    const all = await oxfordPets({ root, split: 'all' });
    for (let i = 0; i < all.size; i++) {
      const pet = PET_FIXTURES[i]!;
      const sample = await all.get(i);
      expect([sample.image.height, sample.image.width, sample.image.channels]).toEqual([PET_FIXTURE_SIZE.height, PET_FIXTURE_SIZE.width, 3]);
      expect([sample.label, sample.breed, sample.species]).toEqual([pet.classId - 1, pet.classId - 1, pet.species - 1]);
      expect(OXFORD_PETS_SPECIES[sample.species]).toBe(/^[A-Z]/.test(pet.name) ? 'cat' : 'dog');
      expect(sample.file).toBe(join(root, 'images', `${pet.name}.jpg`));
      const tolerance = { jpeg: 3, 'grey-jpeg': 2, 'cmyk-jpeg': 12, gif: 2, 'png-rgba': 0, png: 0 }[pet.storage];
      const [y, x] = [6, 9];
      for (let c = 0; c < 3; c++) {
        const expected = pet.storage === 'png' ? petGradientPixel(y, x, c) : pet.colour[c]!;
        expect(Math.abs((sample.image.data[(y * PET_FIXTURE_SIZE.width + x) * 3 + c] as number) - expected), `${pet.name} channel ${c}`).toBeLessThanOrEqual(tolerance);
      }
      expect(sample.headBox).toBeUndefined();
      expect(sample.trimap).toBeUndefined();
    }
  });

  it('loads head boxes (null where an image has no xml) and trimaps when asked', async () => {
    const all = await oxfordPets({ root, split: 'all', targets: ['headBox', 'trimap'] });
    for (let i = 0; i < all.size; i++) {
      const pet = PET_FIXTURES[i]!;
      const sample = await all.get(i);
      expect(sample.headBox).toEqual(pet.headBox ?? null);
      const trimap = sample.trimap!;
      expect([trimap.height, trimap.width, trimap.channels]).toEqual([PET_FIXTURE_SIZE.height, PET_FIXTURE_SIZE.width, 1]);
      for (const y of [0, 3, 4, 5, 9]) expect(trimap.data[y * trimap.width + 2]).toBe(petTrimapValue(y));
    }
  });

  it('names a missing trimap, a damaged xml, a missing list.txt and a malformed list line', async () => {
    const copy = join(tmp, 'damaged');
    await cp(root, copy, { recursive: true });
    await rm(join(copy, 'annotations', 'trimaps', 'beagle_1.png'));
    const withTrimaps = await oxfordPets({ root: copy, targets: ['trimap'] });
    const index = withTrimaps.entries.findIndex((e) => e.name === 'beagle_1');
    const error = await withTrimaps.get(index).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageDecodeError);
    expect((error as ImageDecodeError).file).toBe(join(copy, 'annotations', 'trimaps', 'beagle_1.png'));
    await writeFile(join(copy, 'annotations', 'xmls', 'Abyssinian_1.xml'), '<annotation><object><name>cat</name></object></annotation>');
    await expect((await oxfordPets({ root: copy, targets: ['headBox'] })).get(0)).rejects.toThrow(`Head annotation ${join(copy, 'annotations', 'xmls', 'Abyssinian_1.xml')} has no <object><bndbox>`);
    await writeFile(join(copy, 'annotations', 'test.txt'), 'beagle_2 5 2 4\nbeagle_3 5 2\n');
    await expect(oxfordPets({ root: copy, split: 'test' })).rejects.toThrow(`${join(copy, 'annotations', 'test.txt')} line 2 is "beagle_3 5 2"`);
    await rm(join(copy, 'annotations', 'list.txt'));
    await expect(oxfordPets({ root: copy })).rejects.toThrow(`Oxford-IIIT Pet not found: root ${copy} is missing annotations/list.txt.`);
  });

  it('checks list lines against the file names', () => {
    expect(() => parseOxfordPetsList('beagle_1 6 2 4\n', 'x.txt')).toThrow('x.txt line 1: beagle_1 has CLASS-ID 6, which is Bengal');
    expect(() => parseOxfordPetsList('#c\nBengal_1 6 2 2\n', 'x.txt')).toThrow('x.txt line 2: Bengal_1 has SPECIES 2 (dog) but its first letter says cat.');
  });

  it('has a worker recipe', async () => {
    const dataset = await oxfordPets({ root, split: 'test', targets: ['trimap'], decode: { resize: 4 } });
    const recipe = dataset.workerRecipe();
    expect(recipe.factory).toBe('oxfordPetsDataset');
    const copy = oxfordPetsDataset(structuredClone(recipe.args[0]) as Parameters<typeof oxfordPetsDataset>[0]);
    const [a, b] = await Promise.all([copy.get(1), dataset.get(1)]);
    expect(a).toEqual(b);
    expect(a.image.height).toBe(4);
  });

  it('downloads both archives with checksums into the cache', async () => {
    const archives = {
      images: { url: `${server.url}images.tar.gz`, md5: await md5Of(join(DATASET_FIXTURES, 'oxford-pets-archives', 'images.tar.gz')) },
      annotations: { url: `${server.url}annotations.tar.gz`, md5: await md5Of(join(DATASET_FIXTURES, 'oxford-pets-archives', 'annotations.tar.gz')) },
    };
    const bad = join(tmp, 'bad-cache');
    await expect(oxfordPets({ cacheDir: bad, download: true, archives: { ...archives, annotations: { ...archives.annotations, md5: 'f'.repeat(32) } } })).rejects.toThrow(
      `Checksum mismatch for annotations.tar.gz from ${server.url}annotations.tar.gz: expected MD5 ${'f'.repeat(32)}`,
    );
    const cacheDir = join(tmp, 'cache');
    const all = await oxfordPets({ cacheDir, download: true, archives, split: 'all', targets: ['headBox'] });
    expect(all.size).toBe(PET_FIXTURES.length);
    expect((await readdir(join(cacheDir, 'oxford-iiit-pet'))).sort()).toEqual(['annotations', 'images']);
    expect((await all.get(0)).headBox).toEqual(PET_FIXTURES[0]!.headBox);
    server.requests.length = 0;
    expect((await oxfordPets({ cacheDir, download: true, archives })).size).toBe(5);
    expect(server.requests).toEqual([]);
  });
});
