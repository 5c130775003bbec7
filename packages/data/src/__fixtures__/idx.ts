// Test helpers: tiny, format-faithful IDX files built in memory.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const CODES = { uint8: 0x08, int8: 0x09, int16: 0x0b, int32: 0x0c, float32: 0x0d, float64: 0x0e } as const;
const SIZES = { uint8: 1, int8: 1, int16: 2, int32: 4, float32: 4, float64: 8 } as const;

/** Encodes `values` as an IDX file of `dtype` and `shape` (big-endian). */
export function encodeIdx(dtype: keyof typeof CODES, shape: number[], values: ArrayLike<number>): Uint8Array {
  const header = 4 + 4 * shape.length;
  const bytes = new Uint8Array(header + values.length * SIZES[dtype]);
  const view = new DataView(bytes.buffer);
  bytes[2] = CODES[dtype];
  bytes[3] = shape.length;
  shape.forEach((size, i) => view.setUint32(4 + 4 * i, size, false));
  for (let i = 0; i < values.length; i++) {
    const at = header + i * SIZES[dtype];
    const value = values[i] as number;
    if (dtype === 'uint8') view.setUint8(at, value);
    else if (dtype === 'int8') view.setInt8(at, value);
    else if (dtype === 'int16') view.setInt16(at, value, false);
    else if (dtype === 'int32') view.setInt32(at, value, false);
    else if (dtype === 'float32') view.setFloat32(at, value, false);
    else view.setFloat64(at, value, false);
  }
  return bytes;
}

/** Fashion-MNIST-shaped images: image `i` has every pixel equal to `(i * 7) % 256`. */
export function fakeImages(count: number): Uint8Array {
  const pixels = new Uint8Array(count * 28 * 28);
  for (let i = 0; i < count; i++) pixels.fill((i * 7) % 256, i * 784, (i + 1) * 784);
  return encodeIdx('uint8', [count, 28, 28], pixels);
}

/** Labels `i % 10`. */
export function fakeLabels(count: number): Uint8Array {
  return encodeIdx('uint8', [count], Array.from({ length: count }, (_, i) => i % 10));
}

/** The gzipped image and label files of a fake split, keyed by their official `.gz` names. */
export function fakeSplitFiles(split: 'train' | 'test', count: number, labelCount = count): Record<string, Uint8Array> {
  const prefix = split === 'train' ? 'train' : 't10k';
  return {
    [`${prefix}-images-idx3-ubyte.gz`]: gzipSync(fakeImages(count)),
    [`${prefix}-labels-idx1-ubyte.gz`]: gzipSync(fakeLabels(labelCount)),
  };
}

/** Writes `files` into `dir` (created if needed). */
export async function writeFiles(dir: string, files: Record<string, Uint8Array>): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all(Object.entries(files).map(([name, bytes]) => writeFile(join(dir, name), bytes)));
}
