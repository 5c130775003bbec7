import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { parseIdx, type IdxArray } from './idx.js';

const gunzipAsync = promisify(gunzip);

/** Whether `bytes` start with the gzip magic number `1f 8b`. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Reads and parses an IDX file (Node only). Gzipped files are recognised by their
 * magic bytes `1f 8b`, not by name, and decompressed first.
 *
 * @param path The file to read, `.gz` or not.
 * @throws Error naming the file when it cannot be read, is a corrupt gzip, or is not valid IDX.
 */
export async function readIdxFile(path: string): Promise<IdxArray> {
  const raw = await readFile(path);
  if (!isGzip(raw)) return parseIdx(raw, path);
  let inflated: Uint8Array;
  try {
    inflated = await gunzipAsync(raw);
  } catch (error) {
    throw new Error(`${path} starts with the gzip magic bytes 1f 8b but could not be decompressed (${(error as Error).message}); it is corrupt or incomplete. Delete it and download or copy it again.`, { cause: error });
  }
  return parseIdx(inflated, path);
}
