import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CIFAR_FIXTURE_CLASSES, CIFAR_FIXTURE_RECORDS, DATASET_FIXTURES, cifarFixtureLabel, cifarFixturePixel } from './__fixtures__/dataset-fixtures.js';
import { serveDirectory, type FixtureServer } from './__fixtures__/http-server.js';
import { cifar10, CIFAR10_ARCHIVE, CIFAR10_CLASSES } from './cifar10.js';
import { ImageArrayDataset } from './image-array-dataset.js';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

const root = join(DATASET_FIXTURES, 'cifar10');
let tmp: string;
let server: FixtureServer;
let md5: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cnn-data-cifar-'));
  server = await serveDirectory(DATASET_FIXTURES);
  md5 = createHash('md5').update(await readFile(join(DATASET_FIXTURES, 'cifar-10-binary.tar.gz'))).digest('hex');
});
afterAll(async () => {
  await server.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('cifar10', () => {
  it('reads the five training batches in order into an ImageArrayDataset, planes to channels last', async () => {
    const train = await cifar10({ split: 'train', root });
    expect(train).toBeInstanceOf(ImageArrayDataset);
    expect([train.size, train.height, train.width, train.channels]).toEqual([5 * CIFAR_FIXTURE_RECORDS.train, 32, 32, 3]);
    expect(train.classes).toEqual(CIFAR_FIXTURE_CLASSES);
    for (let batch = 1; batch <= 5; batch++) {
      for (let record = 0; record < CIFAR_FIXTURE_RECORDS.train; record++) {
        const { image, label } = train.get((batch - 1) * CIFAR_FIXTURE_RECORDS.train + record);
        expect(label).toBe(cifarFixtureLabel(batch, record));
        for (const [y, x] of [[0, 0], [5, 17], [31, 31]] as const) {
          for (let c = 0; c < 3; c++) expect(image.data[(y * 32 + x) * 3 + c]).toBe(cifarFixturePixel(batch, record, y, x, c));
        }
      }
    }
  });

  it('reads the test batch', async () => {
    const test = await cifar10({ split: 'test', root });
    expect(test.size).toBe(CIFAR_FIXTURE_RECORDS.test);
    expect(Array.from(test.labels)).toEqual([0, 1, 2].map((r) => cifarFixtureLabel(0, r)));
    expect(test.get(2).image.data[(7 * 32 + 3) * 3 + 1]).toBe(cifarFixturePixel(0, 2, 7, 3, 1));
  });

  it('names a truncated batch file and its byte count', async () => {
    const file = join(DATASET_FIXTURES, 'cifar10-truncated', 'cifar-10-batches-bin', 'test_batch.bin');
    await expect(cifar10({ split: 'test', root: join(DATASET_FIXTURES, 'cifar10-truncated') })).rejects.toThrow(
      `CIFAR-10 batch ${file} has 7146 bytes, not a whole number of 3073-byte records (2 records and 1000 bytes over;`,
    );
  });

  it('says where it looked when root is wrong or the cache is empty', async () => {
    await expect(cifar10({ split: 'train', root: join(DATASET_FIXTURES, 'cifar10-truncated') })).rejects.toThrow(
      `CIFAR-10 train split not found: root ${join(DATASET_FIXTURES, 'cifar10-truncated')} is missing cifar-10-batches-bin/data_batch_1.bin,`,
    );
    await expect(cifar10({ split: 'test', cacheDir: join(tmp, 'empty') })).rejects.toThrow(
      `CIFAR-10 test split not found: looked in ${join(tmp, 'empty', 'cifar-10')} for cifar-10-batches-bin/test_batch.bin, and download is off.`,
    );
  });

  it('downloads, verifies and extracts into the cache, then reads the cache', async () => {
    const cacheDir = join(tmp, 'download');
    const url = `${server.url}cifar-10-binary.tar.gz`;
    const test = await cifar10({ split: 'test', cacheDir, download: true, url, md5 });
    expect(test.size).toBe(3);
    expect(await readdir(join(cacheDir, 'cifar-10'))).toEqual(['cifar-10-batches-bin']); // archive deleted after extraction
    server.requests.length = 0;
    expect((await cifar10({ split: 'train', cacheDir, download: true, url, md5 })).size).toBe(10);
    expect(server.requests).toEqual([]);
    // An incomplete cache is repaired by downloading again; the extracted tree replaces the old one.
    await rm(join(cacheDir, 'cifar-10', 'cifar-10-batches-bin', 'data_batch_3.bin'));
    expect((await cifar10({ split: 'train', cacheDir, download: true, url, md5 })).size).toBe(10);
    expect(server.requests).toEqual(['/cifar-10-binary.tar.gz']);
    expect(await readdir(join(cacheDir, 'cifar-10'))).toEqual(['cifar-10-batches-bin']);
  });

  it('refuses a download whose checksum does not match, official MD5 by default', async () => {
    const url = `${server.url}cifar-10-binary.tar.gz`;
    const cacheDir = join(tmp, 'mismatch');
    await expect(cifar10({ split: 'test', cacheDir, download: true, url })).rejects.toThrow(`Checksum mismatch for cifar-10-binary.tar.gz from ${url}: expected MD5 ${CIFAR10_ARCHIVE.md5}, got ${md5}.`);
    expect(await readdir(join(cacheDir, 'cifar-10'))).toEqual([]);
  });

  it('exports the official class names', () => {
    expect(CIFAR10_CLASSES).toEqual(CIFAR_FIXTURE_CLASSES);
  });
});
