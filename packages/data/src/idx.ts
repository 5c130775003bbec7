/**
 * The IDX file format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/):
 * a 4-byte magic number `00 00 <type> <ndims>`, `ndims` big-endian uint32 dimension
 * sizes, then the values in row-major order, big-endian for multi-byte types.
 */

/** Element types an IDX file can hold. */
export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** A parsed IDX file: an n-dimensional array in row-major order. */
export interface IdxArray {
  /** Element type, from the third magic byte. */
  dtype: IdxDtype;
  /** Dimension sizes, outermost first (e.g. `[10000, 28, 28]` for Fashion-MNIST test images). */
  shape: number[];
  /** The values, in native byte order; `uint8` and `int8` data are views of the parsed bytes, not copies. */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPE_CODES: Readonly<Record<number, { dtype: IdxDtype; bytes: number }>> = {
  0x08: { dtype: 'uint8', bytes: 1 },
  0x09: { dtype: 'int8', bytes: 1 },
  0x0b: { dtype: 'int16', bytes: 2 },
  0x0c: { dtype: 'int32', bytes: 4 },
  0x0d: { dtype: 'float32', bytes: 4 },
  0x0e: { dtype: 'float64', bytes: 8 },
};

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');

/**
 * Parses an uncompressed IDX file.
 *
 * @param bytes The whole file, already decompressed (see {@link readIdxFile} for `.gz` files).
 * @param source What the bytes are, for error messages (usually the file path); default `'IDX data'`.
 * @throws Error when the magic number is wrong, the type code unknown, or the data length
 *   differs from what the header declares (a truncated or padded file).
 */
export function parseIdx(bytes: Uint8Array, source = 'IDX data'): IdxArray {
  if (bytes.length < 4) {
    throw new Error(`${source} is not an IDX file: it is ${bytes.length} bytes long, shorter than the 4-byte magic number. Check that the path points to an IDX file.`);
  }
  const [zero0, zero1, typeCode, ndims] = bytes as unknown as [number, number, number, number];
  if (zero0 !== 0 || zero1 !== 0) {
    throw new Error(`${source} is not an IDX file: it starts with ${hex(bytes.subarray(0, 4))}, expected 00 00 <type> <ndims>. Check that the path points to an (uncompressed or gzipped) IDX file.`);
  }
  const type = TYPE_CODES[typeCode];
  if (type === undefined) {
    throw new Error(`${source} has unknown IDX type code 0x${typeCode.toString(16).padStart(2, '0')}; known codes are 08 (uint8), 09 (int8), 0b (int16), 0c (int32), 0d (float32), 0e (float64). The file is corrupt or not IDX.`);
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new Error(`${source} is truncated: its header declares ${ndims} dimensions (${headerBytes} header bytes) but the file has only ${bytes.length} bytes. Re-download or restore the file.`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = count * type.bytes;
  const actual = bytes.length - headerBytes;
  if (actual !== expected) {
    const what = actual < expected ? 'is truncated' : 'has trailing bytes';
    throw new Error(`${source} ${what}: its header declares shape [${shape.join(', ')}] of ${type.dtype}, ${expected} bytes of data, but ${actual} bytes follow the ${headerBytes}-byte header. Re-download or restore the file.`);
  }
  return { dtype: type.dtype, shape, data: decode(type.dtype, view, headerBytes, count) };
}

function decode(dtype: IdxDtype, view: DataView, offset: number, count: number): IdxArray['data'] {
  const at = view.byteOffset + offset;
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(view.buffer, at, count);
    case 'int8':
      return new Int8Array(view.buffer, at, count);
    case 'int16':
      return readBigEndian(new Int16Array(count), (i) => view.getInt16(offset + 2 * i, false));
    case 'int32':
      return readBigEndian(new Int32Array(count), (i) => view.getInt32(offset + 4 * i, false));
    case 'float32':
      return readBigEndian(new Float32Array(count), (i) => view.getFloat32(offset + 4 * i, false));
    case 'float64':
      return readBigEndian(new Float64Array(count), (i) => view.getFloat64(offset + 8 * i, false));
  }
}

function readBigEndian<T extends Int16Array | Int32Array | Float32Array | Float64Array>(out: T, read: (index: number) => number): T {
  for (let i = 0; i < out.length; i++) out[i] = read(i);
  return out;
}
