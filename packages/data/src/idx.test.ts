import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIdx } from './__fixtures__/idx.js';
import { parseIdx } from './idx.js';
import { isGzip, readIdxFile } from './read-idx-file.js';

describe('parseIdx', () => {
  it('parses uint8 images without copying', () => {
    const bytes = encodeIdx('uint8', [2, 2, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]);
    const parsed = parseIdx(bytes);
    expect(parsed.dtype).toBe('uint8');
    expect(parsed.shape).toEqual([2, 2, 3]);
    expect(Array.from(parsed.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]);
    expect(parsed.data.buffer).toBe(bytes.buffer);
  });

  it.each([
    ['int8', [-128, -1, 0, 127]],
    ['int16', [-32768, -2, 258, 32767]],
    ['int32', [-2147483648, -3, 16909060, 2147483647]],
    ['float32', [-1.5, 0, 0.25, 3e8]],
    ['float64', [-Math.PI, 0, 1e-300, 1e300]],
  ] as const)('reads big-endian %s', (dtype, values) => {
    const parsed = parseIdx(encodeIdx(dtype, [4], values));
    expect(parsed.dtype).toBe(dtype);
    expect(Array.from(parsed.data)).toEqual(values);
  });

  it('reads big-endian data at an odd byte offset', () => {
    const bytes = encodeIdx('int16', [2], [1, -2]);
    const padded = new Uint8Array(bytes.length + 1);
    padded.set(bytes, 1);
    expect(Array.from(parseIdx(padded.subarray(1)).data)).toEqual([1, -2]);
  });

  it('rejects a wrong magic number, naming the source and the bytes', () => {
    const bytes = encodeIdx('uint8', [1], [0]);
    bytes[0] = 0x1f;
    expect(() => parseIdx(bytes, 'a.idx')).toThrow(/a\.idx is not an IDX file: it starts with 1f 00 08 01, expected 00 00 <type> <ndims>/);
    expect(() => parseIdx(new Uint8Array([0, 0]), 'tiny')).toThrow(/tiny is not an IDX file: it is 2 bytes long/);
  });

  it('rejects an unknown type code', () => {
    const bytes = encodeIdx('uint8', [1], [0]);
    bytes[2] = 0x0a;
    expect(() => parseIdx(bytes, 'x')).toThrow(/x has unknown IDX type code 0x0a; known codes are 08 \(uint8\)/);
  });

  it('rejects truncated data with expected and actual byte counts', () => {
    const bytes = encodeIdx('int32', [3, 2], [1, 2, 3, 4, 5, 6]);
    expect(() => parseIdx(bytes.subarray(0, bytes.length - 5), 'f.idx')).toThrow(
      'f.idx is truncated: its header declares shape [3, 2] of int32, 24 bytes of data, but 19 bytes follow the 12-byte header.',
    );
    expect(() => parseIdx(bytes.subarray(0, 8), 'g.idx')).toThrow(/g\.idx is truncated: its header declares 2 dimensions \(12 header bytes\) but the file has only 8 bytes/);
  });

  it('rejects trailing bytes', () => {
    const bytes = encodeIdx('uint8', [2], [1, 2]);
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes);
    expect(() => parseIdx(longer, 'h')).toThrow(/h has trailing bytes: .* 2 bytes of data, but 5 bytes follow/);
  });
});

describe('readIdxFile', () => {
  let dir: string;
  const idx = encodeIdx('uint8', [3], [7, 8, 9]);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cnn-data-idx-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads an uncompressed file', async () => {
    await writeFile(join(dir, 'plain.gz'), idx); // the name says .gz; the bytes do not
    expect(Array.from((await readIdxFile(join(dir, 'plain.gz'))).data)).toEqual([7, 8, 9]);
  });

  it('detects gzip by magic bytes, not by name', async () => {
    const gzipped = gzipSync(idx);
    expect(isGzip(gzipped)).toBe(true);
    expect(isGzip(idx)).toBe(false);
    await writeFile(join(dir, 'packed-idx1-ubyte'), gzipped);
    const parsed = await readIdxFile(join(dir, 'packed-idx1-ubyte'));
    expect(parsed.shape).toEqual([3]);
    expect(Array.from(parsed.data)).toEqual([7, 8, 9]);
  });

  it('explains a corrupt gzip, naming the file', async () => {
    const gzipped = gzipSync(idx);
    const path = join(dir, 'cut.gz');
    await writeFile(path, gzipped.subarray(0, gzipped.length - 6));
    await expect(readIdxFile(path)).rejects.toThrow(`${path} starts with the gzip magic bytes 1f 8b but could not be decompressed`);
    const garbled = Uint8Array.from(gzipped);
    garbled.fill(0xff, 10, 20);
    await writeFile(path, garbled);
    await expect(readIdxFile(path)).rejects.toThrow(/could not be decompressed .*; it is corrupt or incomplete/);
  });

  it('names the file when the decompressed data is not IDX', async () => {
    const path = join(dir, 'text.gz');
    await writeFile(path, gzipSync(new TextEncoder().encode('hello world')));
    await expect(readIdxFile(path)).rejects.toThrow(`${path} is not an IDX file: it starts with 68 65 6c 6c`);
  });
});
