import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASET_FIXTURES, tarOf } from './__fixtures__/dataset-fixtures.js';
import { extractArchive, UnsafeArchiveError } from './archive.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cnn-data-archive-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A tar of raw headers, for entries `tarOf` will not write (links, absolute names). */
async function rawTar(entries: { name: string; type?: 'file' | 'symlink' | 'link' | 'directory'; linkname?: string; body?: string }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const entry of entries) pack.entry({ name: entry.name, type: entry.type ?? 'file', linkname: entry.linkname }, entry.body ?? '');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Everything under `dir`, as sorted relative paths. */
async function tree(dir: string): Promise<string[]> {
  return ((await readdir(dir, { recursive: true })) as string[]).sort();
}

describe('extractArchive', () => {
  it('extracts a .tar.gz (detected by content) with its directories', async () => {
    const destination = join(tmp, 'cifar');
    const top = await extractArchive({ file: join(DATASET_FIXTURES, 'cifar-10-binary.tar.gz'), destination });
    expect(top).toEqual(['cifar-10-batches-bin']);
    expect(await tree(join(destination, 'cifar-10-batches-bin'))).toEqual(['batches.meta.txt', 'data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'readme.html', 'test_batch.bin']);
    const original = await readFile(join(DATASET_FIXTURES, 'cifar10/cifar-10-batches-bin/test_batch.bin'));
    expect((await readFile(join(destination, 'cifar-10-batches-bin/test_batch.bin'))).equals(original)).toBe(true);
    // No temporary directory is left beside the destination.
    expect((await readdir(tmp)).filter((name) => name.includes('extract'))).toEqual([]);
  });

  it('extracts an uncompressed tar and links that stay inside', async () => {
    const file = join(tmp, 'links.tar');
    await writeFile(file, await rawTar([{ name: 'd/a.txt', body: 'A' }, { name: 'd/s', type: 'symlink', linkname: 'a.txt' }, { name: 'd/h', type: 'link', linkname: 'd/a.txt' }]));
    await extractArchive({ file, destination: join(tmp, 'links') });
    expect(await readlink(join(tmp, 'links/d/s'))).toBe('a.txt');
    expect(await readFile(join(tmp, 'links/d/h'), 'utf8')).toBe('A');
  });

  it('refuses ../ escapes, naming the archive and the entry, and extracts nothing', async () => {
    const file = join(DATASET_FIXTURES, 'archives/evil-dotdot.tar');
    const destination = join(tmp, 'evil', 'inside');
    const error = await extractArchive({ file, destination }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsafeArchiveError);
    expect((error as UnsafeArchiveError).entry).toBe('../evil.txt');
    expect((error as Error).message).toBe(`Refusing to extract ${file}: entry "../evil.txt" climbs out of the destination with "..". The archive is damaged or malicious; nothing was extracted. Delete it and download it again from the official source.`);
    expect(existsSync(join(tmp, 'evil', 'evil.txt'))).toBe(false);
    expect(await readdir(destination)).toEqual([]);
    expect(await readdir(join(tmp, 'evil'))).toEqual(['inside']);
  });

  it.each([
    ['an absolute path', [{ name: '/tmp/cnn-absolute.txt' }], 'has an absolute path'],
    ['a symlink out', [{ name: 'link', type: 'symlink' as const, linkname: '../../etc/passwd' }], 'is a symbolic link to "../../etc/passwd", outside the destination'],
    ['an absolute symlink', [{ name: 'link', type: 'symlink' as const, linkname: '/etc/passwd' }], 'is a symbolic link to "/etc/passwd", outside the destination'],
    ['a hard link out', [{ name: 'link', type: 'link' as const, linkname: '../outside.txt' }], 'is a hard link to "../outside.txt", outside the destination'],
    ['a nested escape', [{ name: 'a/b/../../../x.txt' }], 'climbs out of the destination'],
  ])('refuses %s', async (what, entries, reason) => {
    const file = join(tmp, `bad-${what.replace(/ /g, '-')}.tar`);
    await writeFile(file, await rawTar([{ name: 'fine.txt', body: 'ok' }, ...entries]));
    const destination = join(tmp, `out-${what.replace(/ /g, '-')}`);
    await expect(extractArchive({ file, destination })).rejects.toThrow(reason);
    expect(await readdir(destination)).toEqual([]);
  });

  it('reports a truncated archive, naming it', async () => {
    const whole = await readFile(join(DATASET_FIXTURES, 'cifar-10-binary.tar.gz'));
    const file = join(tmp, 'truncated.tar.gz');
    await writeFile(file, whole.subarray(0, Math.floor(whole.length / 2)));
    const destination = join(tmp, 'truncated-out');
    await expect(extractArchive({ file, destination })).rejects.toThrow(`Cannot extract ${file}: `);
    expect(await readdir(destination)).toEqual([]);
  });

  it('refuses to overwrite an existing top-level entry', async () => {
    const destination = join(tmp, 'occupied');
    await mkdir(join(destination, 'x'), { recursive: true });
    const file = join(tmp, 'x.tar');
    await writeFile(file, await tarOf({ 'x/y.txt': 'y' }, { gzip: false }));
    await expect(extractArchive({ file, destination })).rejects.toThrow(`${join(destination, 'x')} already exists`);
    await writeFile(join(destination, 'x', 'stale.txt'), 'old');
    expect(await extractArchive({ file, destination, replace: true })).toEqual(['x']);
    expect(await tree(destination)).toEqual(['x', 'x/y.txt']);
    expect(await readdir(tmp).then((names) => names.filter((name) => name.includes('.occupied.')))).toEqual([]);
  });
});
