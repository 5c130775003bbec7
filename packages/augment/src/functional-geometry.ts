/**
 * Geometric operations on single images, with the semantics of torchvision's functional API on PIL images
 * (`resize` = Pillow's `Image.resize`, `pad` = `ImageOps.expand` / `np.pad`, `crop`, flips), on bytes or floats.
 */
import type { AnyImage } from '@cnn/data';
import { clampByte, emptyLike, fillPerChannel, isFloatImage, type PixelArray } from './image.js';
import { roundHalfEven } from './sampling.js';

/** Interpolation of {@link resize} and rotations: nearest neighbour or bilinear (with antialiasing when shrinking). */
export type Interpolation = 'nearest' | 'bilinear';

/** How {@link pad} fills the border, as torchvision's `padding_mode`. */
export type PaddingMode = 'constant' | 'edge' | 'reflect' | 'symmetric';

/**
 * Output `[height, width]` of torchvision's `Resize(size)`: a number is the shorter side (the longer one is
 * `floor(size * long / short)`), `[height, width]` is taken as is.
 */
export function resizedSize(height: number, width: number, size: number | readonly [number, number]): [number, number] {
  if (typeof size !== 'number') return [size[0], size[1]];
  if (width <= height) return [Math.trunc((size * height) / width), size];
  return [size, Math.trunc((size * width) / height)];
}

const PRECISION_BITS = 22; // Pillow's Resample.c: 32 - 8 - 2

/** Pillow's `precompute_coeffs` for the bilinear (triangle) filter with antialiasing: per output index, first input index and weights. */
function bilinearCoefficients(inSize: number, outSize: number): { bounds: Int32Array; weights: Float64Array; kernelSize: number } {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 1 * filterScale;
  const kernelSize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Float64Array(outSize * kernelSize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const inverse = 1 / filterScale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      const t = Math.abs((x + xmin - center + 0.5) * inverse);
      const w = t < 1 ? 1 - t : 0;
      weights[xx * kernelSize + x] = w;
      total += w;
    }
    if (total !== 0) for (let x = 0; x < xmax; x++) weights[xx * kernelSize + x]! /= total;
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { bounds, weights, kernelSize };
}

/** One separable pass of Pillow's resampling along rows (`horizontal`) or columns, in its 8-bit fixed point for bytes. */
function resamplePass(image: AnyImage, outSize: number, horizontal: boolean): AnyImage {
  const { height, width, channels } = image;
  const inSize = horizontal ? width : height;
  const { bounds, weights, kernelSize } = bilinearCoefficients(inSize, outSize);
  const out = horizontal ? emptyLike(image, height, outSize) : emptyLike(image, outSize, width);
  const src = image.data;
  const dst = out.data;
  const bytes = !isFloatImage(image);
  const fixed = bytes ? new Float64Array(weights.length) : weights;
  if (bytes) {
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i] as number;
      fixed[i] = w < 0 ? Math.trunc(-0.5 + w * (1 << PRECISION_BITS)) : Math.trunc(0.5 + w * (1 << PRECISION_BITS));
    }
  }
  const lines = horizontal ? height : width; // lines perpendicular to the pass
  const inStride = horizontal ? channels : width * channels; // step between successive inputs along the pass
  const lineStride = horizontal ? width * channels : channels;
  const outStride = horizontal ? channels : width * channels;
  const outLineStride = horizontal ? outSize * channels : channels;
  for (let line = 0; line < lines; line++) {
    for (let o = 0; o < outSize; o++) {
      const xmin = bounds[o * 2] as number;
      const count = bounds[o * 2 + 1] as number;
      const k = o * kernelSize;
      for (let c = 0; c < channels; c++) {
        let sum = bytes ? 1 << (PRECISION_BITS - 1) : 0;
        let index = line * lineStride + xmin * inStride + c;
        for (let x = 0; x < count; x++, index += inStride) sum += (src[index] as number) * (fixed[k + x] as number);
        const target = line * outLineStride + o * outStride + c;
        if (bytes) dst[target] = sum >= 2 ** (PRECISION_BITS + 8) ? 255 : sum <= 0 ? 0 : Math.floor(sum / 2 ** PRECISION_BITS);
        else dst[target] = sum;
      }
    }
  }
  return out;
}

/** Pillow's nearest-neighbour scaling (`ImagingScaleAffine`): source index `trunc(offset + scale * (i + 0.5))`, accumulated. */
function nearestIndices(inSize: number, outSize: number): Int32Array {
  const scale = inSize / outSize;
  const indices = new Int32Array(outSize);
  let position = scale * 0.5;
  for (let i = 0; i < outSize; i++) {
    indices[i] = Math.min(inSize - 1, Math.trunc(position));
    position += scale;
  }
  return indices;
}

/**
 * Resizes to exactly `height` x `width`, as Pillow's `Image.resize` (which torchvision's `F.resize` calls on PIL
 * images): bilinear uses Pillow's separable triangle filter widened by the scale when shrinking (antialiasing), in
 * Pillow's 22-bit fixed point for bytes (horizontal pass first, rounded to bytes in between), so results match Pillow's
 * to within a level; nearest takes the source pixel under each output pixel's centre.
 */
export function resize(image: AnyImage, height: number, width: number, interpolation: Interpolation = 'bilinear'): AnyImage {
  if (interpolation === 'nearest') {
    const rows = nearestIndices(image.height, height);
    const cols = nearestIndices(image.width, width);
    const { channels } = image;
    const out = emptyLike(image, height, width);
    for (let y = 0; y < height; y++) {
      const rowStart = (rows[y] as number) * image.width;
      for (let x = 0; x < width; x++) {
        const from = (rowStart + (cols[x] as number)) * channels;
        const to = (y * width + x) * channels;
        for (let c = 0; c < channels; c++) out.data[to + c] = image.data[from + c] as number;
      }
    }
    return out;
  }
  let result = image;
  if (width !== image.width) result = resamplePass(result, width, true);
  if (height !== image.height) result = resamplePass(result, height, false);
  return result === image ? { ...image, data: image.data.slice() } as AnyImage : result;
}

/** The region `top..top+height-1` x `left..left+width-1`; it must lie inside the image. */
export function crop(image: AnyImage, top: number, left: number, height: number, width: number): AnyImage {
  if (top < 0 || left < 0 || height < 1 || width < 1 || top + height > image.height || left + width > image.width) {
    throw new RangeError(`crop: region top=${top} left=${left} ${height}x${width} does not fit in the ${image.height}x${image.width} image`);
  }
  const { channels } = image;
  const out = emptyLike(image, height, width);
  const rowLength = width * channels;
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * image.width + left) * channels;
    out.data.set(image.data.subarray(from, from + rowLength), y * rowLength);
  }
  return out;
}

/** Maps index `i` (possibly outside `0..n-1`) into the image along one axis for a padding mode other than constant; -1 for constant. */
export function borderIndex(i: number, n: number, mode: PaddingMode | 'wrap'): number {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case 'constant':
      return -1;
    case 'edge':
      return i < 0 ? 0 : n - 1;
    case 'wrap':
      return ((i % n) + n) % n;
    case 'reflect': {
      if (n === 1) return 0;
      const period = 2 * (n - 1);
      const m = ((i % period) + period) % period;
      return m < n ? m : period - m;
    }
    case 'symmetric': {
      const period = 2 * n;
      const m = ((i % period) + period) % period;
      return m < n ? m : period - 1 - m;
    }
  }
}

/** Paddings `[left, top, right, bottom]` from torchvision's `padding`: one value for all sides, `[leftRight, topBottom]`, or all four. */
export function paddingSides(padding: number | readonly number[]): [number, number, number, number] {
  const p = typeof padding === 'number' ? [padding] : padding;
  if (p.length === 1) return [p[0]!, p[0]!, p[0]!, p[0]!];
  if (p.length === 2) return [p[0]!, p[1]!, p[0]!, p[1]!];
  if (p.length === 4) return [p[0]!, p[1]!, p[2]!, p[3]!];
  throw new RangeError(`pad: padding must be one number, [leftRight, topBottom] or [left, top, right, bottom], got ${JSON.stringify(padding)}`);
}

/**
 * Pads the borders as torchvision's `F.pad` does: `constant` with `fill` (one value or one per channel), `edge`
 * repeats the border pixel, `reflect` mirrors without repeating it (`d c b | a b c d | c b a`), `symmetric` mirrors
 * repeating it (`c b a | a b c d | d c b`); paddings larger than the image repeat the pattern as `np.pad` does.
 */
export function pad(
  image: AnyImage,
  padding: number | readonly number[],
  mode: PaddingMode = 'constant',
  fill: number | readonly number[] = 0,
): AnyImage {
  const [left, top, right, bottom] = paddingSides(padding);
  if (![left, top, right, bottom].every((v) => Number.isSafeInteger(v) && v >= 0)) {
    throw new RangeError(`pad: paddings must be non-negative integers, got ${JSON.stringify(padding)}`);
  }
  const { height, width, channels } = image;
  const outHeight = height + top + bottom;
  const outWidth = width + left + right;
  const out = emptyLike(image, outHeight, outWidth);
  const fills = fillPerChannel(fill, channels, 'pad');
  const dst: PixelArray = out.data;
  const cols = Int32Array.from({ length: outWidth }, (_, x) => borderIndex(x - left, width, mode));
  for (let y = 0; y < outHeight; y++) {
    const sy = borderIndex(y - top, height, mode);
    for (let x = 0; x < outWidth; x++) {
      const sx = cols[x] as number;
      const to = (y * outWidth + x) * channels;
      if (sy < 0 || sx < 0) {
        for (let c = 0; c < channels; c++) dst[to + c] = dst instanceof Uint8Array ? clampByte(fills[c]!) : fills[c]!;
      } else {
        const from = (sy * width + sx) * channels;
        for (let c = 0; c < channels; c++) dst[to + c] = image.data[from + c] as number;
      }
    }
  }
  return out;
}

/** Mirrors left-right (`horizontal`) or top-bottom. */
export function flip(image: AnyImage, horizontal: boolean): AnyImage {
  const { height, width, channels } = image;
  const out = emptyLike(image, height, width);
  for (let y = 0; y < height; y++) {
    const sy = horizontal ? y : height - 1 - y;
    for (let x = 0; x < width; x++) {
      const sx = horizontal ? width - 1 - x : x;
      const from = (sy * width + sx) * channels;
      const to = (y * width + x) * channels;
      for (let c = 0; c < channels; c++) out.data[to + c] = image.data[from + c] as number;
    }
  }
  return out;
}

/** `top, left` of torchvision's `center_crop` (after its zero padding when the crop is larger): `round((h - th) / 2)`, half to even. */
export function centerCrop(image: AnyImage, height: number, width: number): AnyImage {
  let source = image;
  if (height > image.height || width > image.width) {
    const dw = Math.max(0, width - image.width);
    const dh = Math.max(0, height - image.height);
    source = pad(image, [Math.floor(dw / 2), Math.floor(dh / 2), Math.floor((dw + 1) / 2), Math.floor((dh + 1) / 2)], 'constant', 0);
  }
  const top = roundHalfEven((source.height - height) / 2);
  const left = roundHalfEven((source.width - width) / 2);
  return crop(source, top, left, height, width);
}

