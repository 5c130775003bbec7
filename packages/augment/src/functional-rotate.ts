/**
 * Rotation of single images as Pillow's `Image.rotate` does it (which torchvision's `F.rotate` calls on PIL images),
 * plus the wrap, reflect and nearest fill modes of Keras' and scikit-image's rotations.
 */
import type { AnyImage } from '@cnn/data';
import { borderIndex, type Interpolation } from './functional-geometry.js';
import { clampByte, emptyLike, fillPerChannel, isFloatImage } from './image.js';

/** What a rotation puts where the source lies outside the image: a constant `fill`, or the image repeated / mirrored / its edge. */
export type RotationFillMode = 'constant' | 'wrap' | 'reflect' | 'nearest';

/** Options of {@link rotate}. */
export interface RotateOptions {
  /** Interpolation; default `'nearest'` (torchvision's default). */
  interpolation?: Interpolation;
  /** Enlarge the output to hold the whole rotated image; default `false`. */
  expand?: boolean;
  /** Centre of rotation `[x, y]` in pixels from the top-left corner (pixel edges); default the image centre `[w / 2, h / 2]`. */
  center?: readonly [number, number];
  /** Value of the area outside the source in `'constant'` mode: one value or one per channel; default 0. */
  fill?: number | readonly number[];
  /**
   * `'constant'` (default; torchvision and Pillow), `'wrap'` (the image tiles the plane, as scikit-image's
   * `rotate(mode='wrap')` in seed 002), `'reflect'` (mirrored with the edge pixel repeated, Keras' `reflect`) or
   * `'nearest'` (the edge pixel extends).
   */
  fillMode?: RotationFillMode;
}

/** Python's `round(x, 15)` (correct to the last digit except exact decimal ties, which `cos`/`sin` never hit). */
function round15(x: number): number {
  return Number(x.toFixed(15));
}

/** Pillow's fast paths: an exact transpose for 180°, and 90°/270° when the output is square or expanded. */
function transpose(image: AnyImage, quarterTurns: 1 | 2 | 3): AnyImage {
  const { height, width, channels } = image;
  const [outHeight, outWidth] = quarterTurns === 2 ? [height, width] : [width, height];
  const out = emptyLike(image, outHeight, outWidth);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      // ROTATE_90 (counter-clockwise): out[y][x] = in[x][W-1-y]; ROTATE_270: in[H-1-x][y]; ROTATE_180: in[H-1-y][W-1-x].
      const [sy, sx] = quarterTurns === 1 ? [x, width - 1 - y] : quarterTurns === 3 ? [height - 1 - x, y] : [height - 1 - y, width - 1 - x];
      const from = (sy * width + sx) * channels;
      const to = (y * outWidth + x) * channels;
      for (let c = 0; c < channels; c++) out.data[to + c] = image.data[from + c] as number;
    }
  }
  return out;
}

/**
 * Rotates counter-clockwise by `angle` degrees, as `PIL.Image.rotate(angle, resample, expand, center, fillcolor=fill)`:
 * the same inverse affine matrix (rounded to 15 decimals), the same output size with `expand`, nearest neighbour in
 * Pillow's 16.16 fixed point, bilinear with clamped neighbours truncated to bytes, so byte images match Pillow's
 * exactly or within a level. Float images are interpolated without rounding.
 */
export function rotate(image: AnyImage, angle: number, options: RotateOptions = {}): AnyImage {
  const { interpolation = 'nearest', expand = false, center, fill = 0, fillMode = 'constant' } = options;
  if (!Number.isFinite(angle)) throw new RangeError(`rotate: angle must be a finite number of degrees, got ${angle}`);
  const { height: h, width: w, channels } = image;
  const fills = fillPerChannel(fill, channels, 'rotate');
  const turned = ((angle % 360) + 360) % 360;
  if (center === undefined) {
    if (turned === 0) return { ...image, data: image.data.slice() } as AnyImage;
    if (turned === 180) return transpose(image, 2);
    if ((turned === 90 || turned === 270) && (expand || w === h)) return transpose(image, turned === 90 ? 1 : 3);
  }
  const [cx, cy] = center ?? [w / 2, h / 2];
  const radians = -(turned * (Math.PI / 180));
  const m = [round15(Math.cos(radians)), round15(Math.sin(radians)), 0, round15(-Math.sin(radians)), round15(Math.cos(radians)), 0] as [
    number, number, number, number, number, number,
  ];
  const apply = (x: number, y: number): [number, number] => [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
  [m[2], m[5]] = apply(-cx, -cy);
  m[2] += cx;
  m[5] += cy;
  let outWidth = w;
  let outHeight = h;
  if (expand) {
    const corners = [apply(0, 0), apply(w, 0), apply(w, h), apply(0, h)];
    const xs = corners.map((p) => p[0]);
    const ys = corners.map((p) => p[1]);
    outWidth = Math.ceil(Math.max(...xs)) - Math.floor(Math.min(...xs));
    outHeight = Math.ceil(Math.max(...ys)) - Math.floor(Math.min(...ys));
    [m[2], m[5]] = apply(-(outWidth - w) / 2, -(outHeight - h) / 2);
  }
  const out = emptyLike(image, outHeight, outWidth);
  const src = image.data;
  const dst = out.data;
  const mapX = (x: number): number => (fillMode === 'constant' ? borderIndex(x, w, 'constant') : borderIndex(x, w, borderMode(fillMode)));
  const mapY = (y: number): number => (fillMode === 'constant' ? borderIndex(y, h, 'constant') : borderIndex(y, h, borderMode(fillMode)));
  const writeFill = (to: number): void => {
    for (let c = 0; c < channels; c++) dst[to + c] = dst instanceof Uint8Array ? clampByte(fills[c]!) : fills[c]!;
  };

  if (interpolation === 'nearest') {
    const scaleOnly = m[1] === 0 && m[3] === 0;
    // Pillow: ImagingScaleAffine for pure scaling (double), affine_fixed (16.16 fixed point) otherwise.
    const fix = (v: number): number => Math.floor(v * 65536 + 0.5);
    const a0 = fix(m[0]);
    const a1 = fix(m[1]);
    const a3 = fix(m[3]);
    const a4 = fix(m[4]);
    let a2 = fix(m[2] + m[0] * 0.5 + m[1] * 0.5);
    let a5 = fix(m[5] + m[3] * 0.5 + m[4] * 0.5);
    let yo = m[5] + m[4] * 0.5;
    for (let y = 0; y < outHeight; y++) {
      let xx = a2;
      let yy = a5;
      let xo = m[2] + m[0] * 0.5;
      for (let x = 0; x < outWidth; x++) {
        let xin: number;
        let yin: number;
        if (scaleOnly) {
          xin = xo < 0 ? -1 : Math.trunc(xo);
          yin = yo < 0 ? -1 : Math.trunc(yo);
          xo += m[0];
        } else {
          xin = Math.floor(xx / 65536);
          yin = Math.floor(yy / 65536);
          xx += a0;
          yy += a3;
        }
        const to = (y * outWidth + x) * channels;
        const sx = mapX(xin);
        const sy = mapY(yin);
        if (sx < 0 || sy < 0) writeFill(to);
        else {
          const from = (sy * w + sx) * channels;
          for (let c = 0; c < channels; c++) dst[to + c] = src[from + c] as number;
        }
      }
      a2 += a1;
      a5 += a4;
      yo += m[4];
    }
    return out;
  }

  const bytes = !isFloatImage(image);
  const clampX = (x: number): number => (x < 0 ? 0 : x >= w ? w - 1 : x);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      let xin = m[0] * (x + 0.5) + m[1] * (y + 0.5) + m[2];
      let yin = m[3] * (x + 0.5) + m[4] * (y + 0.5) + m[5];
      const to = (y * outWidth + x) * channels;
      const outside = xin < 0 || xin >= w || yin < 0 || yin >= h;
      if (outside && fillMode === 'constant') {
        writeFill(to);
        continue;
      }
      xin -= 0.5;
      yin -= 0.5;
      const fx = Math.floor(xin);
      const fy = Math.floor(yin);
      const dx = xin - fx;
      const dy = yin - fy;
      let x0: number;
      let x1: number;
      let y0: number;
      let y1: number;
      let hasY1: boolean;
      if (outside) {
        const mode = borderMode(fillMode);
        x0 = borderIndex(fx, w, mode);
        x1 = borderIndex(fx + 1, w, mode);
        y0 = borderIndex(fy, h, mode);
        y1 = borderIndex(fy + 1, h, mode);
        hasY1 = true;
      } else {
        // Pillow's BILINEAR_BODY: columns clamped, first row clamped, second row used only when inside.
        x0 = clampX(fx);
        x1 = clampX(fx + 1);
        y0 = fy < 0 ? 0 : fy >= h ? h - 1 : fy;
        y1 = fy + 1;
        hasY1 = y1 >= 0 && y1 < h;
        if (!hasY1 && fillMode !== 'constant') {
          y1 = borderIndex(fy + 1, h, borderMode(fillMode));
          hasY1 = true;
        }
        if (fillMode !== 'constant') {
          x0 = borderIndex(fx, w, borderMode(fillMode));
          x1 = borderIndex(fx + 1, w, borderMode(fillMode));
          y0 = borderIndex(fy, h, borderMode(fillMode));
        }
      }
      for (let c = 0; c < channels; c++) {
        const r0 = y0 * w * channels + c;
        const a = src[r0 + x0 * channels] as number;
        const b = src[r0 + x1 * channels] as number;
        const v1 = a + (b - a) * dx;
        let v2 = v1;
        if (hasY1) {
          const r1 = y1 * w * channels + c;
          const a2 = src[r1 + x0 * channels] as number;
          const b2 = src[r1 + x1 * channels] as number;
          v2 = a2 + (b2 - a2) * dx;
        }
        const v = v1 + (v2 - v1) * dy;
        dst[to + c] = bytes ? Math.trunc(v) : v;
      }
    }
  }
  return out;
}

function borderMode(fillMode: RotationFillMode): 'wrap' | 'symmetric' | 'edge' | 'constant' {
  return fillMode === 'wrap' ? 'wrap' : fillMode === 'reflect' ? 'symmetric' : fillMode === 'nearest' ? 'edge' : 'constant';
}
