/**
 * Test helpers for the WASM training kernels: a seeded PRNG, random convolution cases, and CPU references.
 * The CPU backend's backprop kernels ignore dilations, so the references run them on a zero-dilated filter
 * (a k-tap filter with dilation d is a ((k-1)·d+1)-tap filter with zeros between the taps).
 */
import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';

export type Pad = 'same' | 'valid' | number | [[0, 0], [number, number], [number, number], [0, 0]];
export type Pair = [number, number];

/** mulberry32: a small seeded PRNG returning numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One randomly drawn convolution: shapes, attributes, and the data of x, dy and the filter. */
export interface ConvCase {
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  dyShape: [number, number, number, number];
  strides: Pair;
  dilations: Pair;
  pad: Pad;
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined;
  x: Float32Array;
  dy: Float32Array;
  filter: Float32Array;
  describe: string;
}

function values(random: () => number, size: number): Float32Array {
  return Float32Array.from({ length: size }, () => random() * 2 - 1);
}

/** Draws a convolution case (`depthwise` makes the filter `[KH, KW, C, M]`), retrying until its output is non-empty. */
export function randomConvCase(random: () => number, depthwise: boolean, allowDilation: boolean): ConvCase {
  const pick = <T>(options: readonly T[]): T => options[Math.floor(random() * options.length)] as T;
  for (;;) {
    const batch = 1 + Math.floor(random() * 3);
    const channels = 1 + Math.floor(random() * 5);
    const height = pick([4, 5, 7, 9, 11]);
    const width = pick([3, 5, 6, 8, 10]);
    const filterHeight = pick([1, 2, 3, 4, 5]);
    const filterWidth = pick([1, 2, 3, 4, 5]);
    const last = depthwise ? pick([1, 2]) : 1 + Math.floor(random() * 5);
    // tfjs allows strides > 1 or dilations > 1, not both.
    const mode = pick(allowDilation ? (['plain', 'strided', 'dilated'] as const) : (['plain', 'strided'] as const));
    const twos = (): Pair => pick<Pair>([[2, 2], [2, 2], [1, 2], [2, 1]]);
    const strides: Pair = mode === 'strided' ? twos() : [1, 1];
    const dilations: Pair = mode === 'dilated' ? twos() : [1, 1];
    const padKind = pick(['same', 'valid', 'number', 'explicit'] as const);
    let pad: Pad;
    let dimRoundingMode: ConvCase['dimRoundingMode'];
    if (padKind === 'number') {
      pad = Math.floor(random() * 3);
      dimRoundingMode = pick(['floor', 'round', 'ceil', undefined] as const);
    } else if (padKind === 'explicit') {
      const amount = () => Math.floor(random() * 3);
      pad = [[0, 0], [amount(), amount()], [amount(), amount()], [0, 0]];
    } else {
      pad = padKind;
    }
    const xShape: ConvCase['xShape'] = [batch, height, width, channels];
    const filterShape: ConvCase['filterShape'] = [filterHeight, filterWidth, channels, last];
    const info = backend_util.computeConv2DInfo(xShape, filterShape, strides, dilations, pad, dimRoundingMode, depthwise);
    if (info.outHeight < 1 || info.outWidth < 1) continue;
    const dyShape = info.outShape as ConvCase['dyShape'];
    return {
      xShape,
      filterShape,
      dyShape,
      strides,
      dilations,
      pad,
      dimRoundingMode,
      x: values(random, tf.util.sizeFromShape(xShape)),
      dy: values(random, tf.util.sizeFromShape(dyShape)),
      filter: values(random, tf.util.sizeFromShape(filterShape)),
      describe: JSON.stringify({ xShape, filterShape, strides, dilations, pad, dimRoundingMode }),
    };
  }
}

/** An inclusive integer range `[low, high]`. */
export type Range = [number, number];

/** A convolution case for the compiled NHWC kernels: x, filter, a bias and dy, with tfjs's geometry. */
export interface CompiledConvCase {
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  strides: Pair;
  dilations: Pair;
  pad: Pad;
  info: backend_util.Conv2DInfo;
  x: Float32Array;
  filter: Float32Array;
  bias: Float32Array;
  dy: Float32Array;
  describe: string;
}

/**
 * Draws a case for the compiled kernels: filter sides, channels, batch and image sides from the given ranges; strides
 * 1-3 or dilations 1-2 (tfjs allows one or the other), every kind of padding; retried until the output is non-empty.
 */
export function randomCompiledConvCase(
  random: () => number,
  ranges: { filterSide: Range; inChannels: Range; outChannels: Range; batch: Range; side: Range },
): CompiledConvCase {
  const pick = <T>(options: readonly T[]): T => options[Math.floor(random() * options.length)] as T;
  const int = ([low, high]: Range) => low + Math.floor(random() * (high - low + 1));
  for (;;) {
    const filterShape: CompiledConvCase['filterShape'] = [int(ranges.filterSide), int(ranges.filterSide), int(ranges.inChannels), int(ranges.outChannels)];
    const xShape: CompiledConvCase['xShape'] = [int(ranges.batch), int(ranges.side), int(ranges.side), filterShape[2]];
    const strided = random() < 0.5;
    const strides: Pair = strided ? [int([1, 3]), int([1, 3])] : [1, 1];
    const dilations: Pair = strided ? [1, 1] : [int([1, 2]), int([1, 2])];
    const pad = pick<Pad>(['same', 'valid', int([0, 2]), [[0, 0], [int([0, 2]), int([0, 2])], [int([0, 2]), int([0, 2])], [0, 0]]]);
    const info = backend_util.computeConv2DInfo(xShape, filterShape, strides, dilations, pad);
    if (info.outHeight < 1 || info.outWidth < 1) continue;
    return {
      xShape, filterShape, strides, dilations, pad, info,
      x: values(random, tf.util.sizeFromShape(xShape)),
      filter: values(random, tf.util.sizeFromShape(filterShape)),
      bias: values(random, filterShape[3]),
      dy: values(random, tf.util.sizeFromShape(info.outShape)),
      describe: JSON.stringify({ xShape, filterShape, strides, dilations, pad }),
    };
  }
}

/** The filter shape a dilated filter occupies: `(k-1)·d+1` taps per axis. */
export function dilatedFilterShape(shape: ConvCase['filterShape'], [dh, dw]: Pair): ConvCase['filterShape'] {
  return [(shape[0] - 1) * dh + 1, (shape[1] - 1) * dw + 1, shape[2], shape[3]];
}

/** Spreads a filter's taps `d` apart with zeros in between (the filter a dilated convolution applies). */
export function dilateFilter(filter: Float32Array, shape: ConvCase['filterShape'], dilations: Pair): Float32Array {
  const [kh, kw, c, m] = shape;
  const [, ew] = dilatedFilterShape(shape, dilations);
  const out = new Float32Array(tf.util.sizeFromShape(dilatedFilterShape(shape, dilations)));
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let k = 0; k < c * m; k++)
        out[((i * dilations[0]) * ew + j * dilations[1]) * c * m + k] = filter[(i * kw + j) * c * m + k] as number;
  return out;
}

/** Result of a kernel run: its shape and values, read back (the tensor itself is disposed). */
export interface Result {
  shape: number[];
  values: Float32Array;
}

/** Runs `make` on `backend` and reads the result back, disposing everything it created. */
export async function runOn(backend: string, make: () => tf.Tensor): Promise<Result> {
  await tf.setBackend(backend);
  const result = tf.tidy(make);
  const read = { shape: result.shape, values: (await result.data()) as Float32Array };
  result.dispose();
  return read;
}

/** Largest absolute difference between two results, relative to the reference's magnitude (at least 1). */
export function relativeError(actual: Result, expected: Result): number {
  if (actual.shape.join() !== expected.shape.join()) {
    throw new Error(`shape [${actual.shape.join(', ')}] != expected [${expected.shape.join(', ')}]`);
  }
  let scale = 1;
  let diff = 0;
  expected.values.forEach((value, i) => {
    scale = Math.max(scale, Math.abs(value));
    diff = Math.max(diff, Math.abs(value - (actual.values[i] as number)));
  });
  return diff / scale;
}
