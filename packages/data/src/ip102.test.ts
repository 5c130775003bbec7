import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASET_FIXTURES, IP102_FIXTURE, ip102FixtureColour, tarOf } from './__fixtures__/dataset-fixtures.js';
import { serveDirectory, type FixtureServer } from './__fixtures__/http-server.js';
import { ip102 } from './ip102.js';

const seedRoot = join(DATASET_FIXTURES, 'ip102');
const officialRoot = join(DATASET_FIXTURES, 'ip102-official');
let tmp: string;
let server: FixtureServer;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cnn-data-ip102-'));
  server = await serveDirectory(tmp);
});
afterAll(async () => {
  await server.close();
  await rm(tmp, { recursive: true, force: true });
});

/** The labels the fixture has for `split`, in file order. */
function expectedLabels(split: 'train' | 'val' | 'test'): number[] {
  return Object.entries(IP102_FIXTURE.counts[split]).flatMap(([label, count]) => Array<number>(count).fill(Number(label)));
}

describe('ip102', () => {
  it("reads seed 000's classification/ layout with folder numbers as labels and classes.txt names", async () => {
    const train = await ip102({ root: seedRoot, split: 'train' });
    expect(train.classes).toEqual(IP102_FIXTURE.classes);
    expect([...train.labels].sort((a, b) => a - b)).toEqual(expectedLabels('train'));
    expect(train.classCounts()).toEqual([3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 2]);
    const index = train.files.findIndex((file) => file.includes(`${join('train', '10')}/`));
    const sample = await train.get(index);
    expect(sample.label).toBe(10);
    const colour = ip102FixtureColour(10);
    for (let c = 0; c < 3; c++) expect(Math.abs((sample.image.data[c] as number) - colour[c]!)).toBeLessThanOrEqual(3);
    expect((await ip102({ root: seedRoot, split: 'val' })).size).toBe(2);
    expect((await ip102({ root: seedRoot, split: 'test', layout: 'classification' })).size).toBe(3);
  });

  it('reads the official layout (images/ and <split>.txt), giving the same samples', async () => {
    for (const split of ['train', 'val', 'test'] as const) {
      const official = await ip102({ root: officialRoot, split });
      expect(Array.from(official.labels)).toEqual(expectedLabels(split));
      const seed = await ip102({ root: seedRoot, split });
      const name = (file: string) => file.split('/').at(-1);
      expect(official.files.map(name).sort()).toEqual(seed.files.map(name).sort());
    }
    const val = await ip102({ root: officialRoot, split: 'val', layout: 'official' });
    expect(val.files[0]).toBe(join(officialRoot, 'images', '00009.jpg'));
    expect((await val.get(1)).label).toBe(1);
  });

  it('numbers classes without classes.txt, and names a bad list line or label', async () => {
    const root = join(tmp, 'no-names');
    await cp(officialRoot, root, { recursive: true });
    await rm(join(root, 'classes.txt'));
    const test = await ip102({ root, split: 'test' });
    expect(test.classes.length).toBe(102);
    expect(test.classes[10]).toBe('10');
    await writeFile(join(root, 'val.txt'), '00009.jpg 0\n00010.jpg one\n');
    await expect(ip102({ root, split: 'val' })).rejects.toThrow(`${join(root, 'val.txt')} line 2 is "00010.jpg one"; expected "<image> <label>"`);
    await cp(join(officialRoot, 'classes.txt'), join(root, 'classes.txt'));
    await writeFile(join(root, 'val.txt'), '00009.jpg 11\n');
    await expect(ip102({ root, split: 'val' })).rejects.toThrow(`IP102 ${join(root, 'images', '00009.jpg')} has label 11, but ${join(root, 'classes.txt')} names only 11 classes`);
  });

  it('names an empty class folder and a folder that is not a number', async () => {
    const root = join(tmp, 'empty');
    await cp(seedRoot, root, { recursive: true });
    await mkdir(join(root, 'classification', 'val', '7'));
    await expect(ip102({ root, split: 'val' })).rejects.toThrow(`Class folder ${join(root, 'classification', 'val', '7')} has no image files`);
    await mkdir(join(root, 'classification', 'test', 'beetles'));
    await expect(ip102({ root, split: 'test' })).rejects.toThrow(`IP102 class folder ${join(root, 'classification', 'test', 'beetles')} is not named by a class number`);
  });

  it('says where it looked, and why it cannot download without a URL', async () => {
    await expect(ip102({ root: join(tmp, 'nowhere'), split: 'train' })).rejects.toThrow(`IP102 train split (classification layout) not found: root ${join(tmp, 'nowhere')} does not exist.`);
    const cacheDir = join(tmp, 'cache-none');
    await expect(ip102({ split: 'train', cacheDir })).rejects.toThrow(`looked in ${join(cacheDir, 'ip102')} for classification/train, and download is off.`);
    await expect(ip102({ split: 'train', cacheDir, download: true })).rejects.toThrow('Cannot download: IP102 is distributed through Google Drive, which has no stable direct download URL.');
  });

  it('downloads a user-hosted archive with its MD5, in either layout', async () => {
    const files: Record<string, Uint8Array> = {};
    for (const split of ['train', 'val', 'test']) files[`ip102_v1.1/${split}.txt`] = await readFile(join(officialRoot, `${split}.txt`));
    files['ip102_v1.1/classes.txt'] = await readFile(join(officialRoot, 'classes.txt'));
    for (const name of ['00011.jpg', '00012.jpg', '00013.jpg']) files[`ip102_v1.1/images/${name}`] = await readFile(join(officialRoot, 'images', name));
    const archive = await tarOf(files, { gzip: false });
    await writeFile(join(tmp, 'ip102_v1.1.tar'), archive);
    const md5 = createHash('md5').update(archive).digest('hex');
    const cacheDir = join(tmp, 'cache');
    const url = `${server.url}ip102_v1.1.tar`;
    await expect(ip102({ split: 'test', cacheDir, download: true, url, md5: '0'.repeat(32) })).rejects.toThrow('Checksum mismatch for ip102_v1.1.tar');
    const test = await ip102({ split: 'test', cacheDir, download: true, url, md5 });
    expect(test.files[0]).toBe(join(cacheDir, 'ip102', 'ip102_v1.1', 'images', '00011.jpg'));
    expect((await test.get(2)).label).toBe(10);
    expect(test.classes).toEqual(IP102_FIXTURE.classes);
  });
});
