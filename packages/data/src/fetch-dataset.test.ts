import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tarOf } from './__fixtures__/dataset-fixtures.js';
import { serveDirectory, type FixtureServer } from './__fixtures__/http-server.js';
import { fetchDataset } from './fetch-dataset.js';

let tmp: string;
let server: FixtureServer;
let md5: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cnn-data-fetch-'));
  await mkdir(join(tmp, 'www'));
  const archive = await tarOf({ 'wrapped/data/a.txt': 'a', 'wrapped/b.txt': 'b' }, { gzip: true });
  await writeFile(join(tmp, 'www', 'thing.tgz'), archive);
  md5 = createHash('md5').update(archive).digest('hex');
  server = await serveDirectory(join(tmp, 'www'));
});
afterAll(async () => {
  await server.close();
  await rm(tmp, { recursive: true, force: true });
});

const base = { name: 'Thing', cacheSubdir: 'thing', required: ['data/a.txt', 'b.txt'] };

describe('fetchDataset', () => {
  it('downloads, extracts, finds the dataset inside its wrapping folder, and keeps archives when asked', async () => {
    const cacheDir = join(tmp, 'cache');
    const url = `${server.url}thing.tgz`;
    expect(await fetchDataset({ ...base, cacheDir, download: true, archives: [{ url, md5 }], keepArchives: true })).toEqual({ dir: join(cacheDir, 'thing', 'wrapped'), source: 'download' });
    expect((await readdir(join(cacheDir, 'thing'))).sort()).toEqual(['thing.tgz', 'wrapped']);
    expect(await fetchDataset({ ...base, cacheDir, archives: [] })).toEqual({ dir: join(cacheDir, 'thing', 'wrapped'), source: 'cache' });
    expect(await fetchDataset({ ...base, root: join(cacheDir, 'thing'), archives: [] })).toEqual({ dir: join(cacheDir, 'thing', 'wrapped'), source: 'root' });
  });

  it('says what the archive lacked, why it cannot download, and what a root is missing', async () => {
    const url = `${server.url}thing.tgz`;
    await expect(fetchDataset({ ...base, required: ['c.txt'], cacheDir: join(tmp, 'lacking'), download: true, archives: [{ url, md5 }] })).rejects.toThrow(
      `Thing: the downloaded archives (${url}) did not contain c.txt in ${join(tmp, 'lacking', 'thing')}.`,
    );
    await expect(fetchDataset({ ...base, cacheDir: join(tmp, 'refused'), download: true, archives: [], downloadRefusal: 'it is behind a login.' })).rejects.toThrow(
      `Thing not found: looked in ${join(tmp, 'refused', 'thing')} for data/a.txt, b.txt, and cannot download it: it is behind a login.`,
    );
    await mkdir(join(tmp, 'partial', 'data'), { recursive: true });
    await expect(fetchDataset({ ...base, root: join(tmp, 'partial'), archives: [] })).rejects.toThrow(`Thing not found: root ${join(tmp, 'partial')} is missing data/a.txt, b.txt.`);
    await expect(fetchDataset({ ...base, cacheDir: join(tmp, 'http'), download: true, archives: [{ url: `${server.url}nothing.tgz`, md5 }] })).rejects.toThrow(
      `and could not download it: Downloading ${server.url}nothing.tgz failed: HTTP 404 Not Found.`,
    );
  });
});
