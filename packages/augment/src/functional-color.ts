/**
 * Colour adjustments of single images with torchvision's semantics: on bytes exactly as torchvision does them on PIL
 * images (`ImageEnhance.Brightness` / `Contrast` / `Color`, hue through PIL's HSV in 8 bits, all in Pillow's float32
 * arithmetic); on floats (0..1) as torchvision does them on tensors.
 */
import type { AnyImage } from '@cnn/data';
import { emptyLike, isFloatImage, pilLuma } from './image.js';

const f32 = Math.fround;

/** Pillow's `ImagingBlend(degenerate, image, alpha)` on one byte value, with its float32 arithmetic and truncation. */
function pilBlend(degenerate: number, value: number, alpha: number): number {
  const t = f32(degenerate + f32(alpha * (value - degenerate)));
  return t <= 0 ? 0 : t >= 255 ? 255 : Math.trunc(t);
}

/** Blends every value with a degenerate image given per (pixel, channel), as PIL does on bytes and torchvision on floats. */
function blend(image: AnyImage, factor: number, degenerate: (pixel: number, channel: number) => number): AnyImage {
  const out = emptyLike(image, image.height, image.width);
  const { channels, data } = image;
  const float = isFloatImage(image);
  const alpha = f32(factor);
  for (let i = 0, p = 0; i < data.length; p++) {
    for (let c = 0; c < channels; c++, i++) {
      const d = degenerate(p, c);
      const v = data[i] as number;
      out.data[i] = float ? Math.min(1, Math.max(0, factor * v + (1 - factor) * d)) : pilBlend(d, v, alpha);
    }
  }
  return out;
}

/** Greyscale values per pixel: PIL's `convert('L')` for bytes, torchvision's `0.2989 r + 0.587 g + 0.114 b` for floats. */
function greyscale(image: AnyImage): Float64Array {
  const { data, channels } = image;
  const pixels = image.height * image.width;
  const grey = new Float64Array(pixels);
  for (let p = 0; p < pixels; p++) {
    const i = p * channels;
    if (channels < 3) grey[p] = data[i] as number;
    else if (isFloatImage(image)) grey[p] = 0.2989 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
    else grey[p] = pilLuma(data[i]!, data[i + 1]!, data[i + 2]!);
  }
  return grey;
}

/** `F.adjust_brightness`: blend with black; 0 gives black, 1 the original, > 1 brighter (clipped). */
export function adjustBrightness(image: AnyImage, factor: number): AnyImage {
  return blend(image, factor, () => 0);
}

/**
 * `F.adjust_contrast`: blend with the greyscale mean; 0 gives a uniform grey, 1 the original. For bytes the mean is
 * PIL's, rounded (`int(mean + 0.5)` of the `L` image); for floats torchvision's unrounded mean.
 */
export function adjustContrast(image: AnyImage, factor: number): AnyImage {
  const grey = greyscale(image);
  let sum = 0;
  for (const g of grey) sum += g;
  const mean = isFloatImage(image) ? sum / grey.length : Math.trunc(sum / grey.length + 0.5);
  return blend(image, factor, () => mean);
}

/** `F.adjust_saturation`: blend with the greyscale image; 0 gives grey, 1 the original. Single-channel images are returned as copies. */
export function adjustSaturation(image: AnyImage, factor: number): AnyImage {
  if (image.channels < 3) return { ...image, data: image.data.slice() } as AnyImage;
  const grey = greyscale(image);
  return blend(image, factor, (p) => grey[p] as number);
}

/** PIL's `rgb2hsv_row` (Convert.c) on bytes, with its float/double mix. */
function pilRgbToHsv(r: number, g: number, b: number): [number, number, number] {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  if (max === min) return [0, 0, max];
  const cr = max - min;
  const s = f32(cr / max);
  const rc = f32((max - r) / cr);
  const gc = f32((max - g) / cr);
  const bc = f32((max - b) / cr);
  let h: number;
  if (r === max) h = f32(bc - gc);
  else if (g === max) h = f32(2 + rc - bc);
  else h = f32(4 + gc - rc);
  h = f32((h / 6 + 1) % 1);
  const clip = (v: number): number => (v <= 0 ? 0 : v >= 255 ? 255 : v);
  return [clip(Math.trunc(h * 255)), clip(Math.trunc(s * 255)), max];
}

/** C's `round`: half away from zero. */
function roundAway(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/** The (r, g, b) of HSV sector `sector` (0..5) from value `v` and the sector's `p`, `q`, `t` (PIL and torchvision alike). */
function hsvSector(sector: number, v: number, p: number, q: number, t: number): [number, number, number] {
  switch (sector) {
    case 0:
      return [v, t, p];
    case 1:
      return [q, v, p];
    case 2:
      return [p, v, t];
    case 3:
      return [p, q, v];
    case 4:
      return [t, p, v];
    default:
      return [v, p, q];
  }
}

/** PIL's `hsv2rgb` (Convert.c) on bytes. */
function pilHsvToRgb(h: number, s: number, v: number): [number, number, number] {
  if (s === 0) return [v, v, v];
  const i = Math.floor((h * 6) / 255);
  const f = f32((h * 6) / 255 - i);
  const fs = f32(s / 255);
  const clip = (x: number): number => (x <= 0 ? 0 : x >= 255 ? 255 : x);
  const p = clip(roundAway(v * (1 - fs)));
  const q = clip(roundAway(v * (1 - f32(fs * f))));
  const t = clip(roundAway(v * (1 - fs * (1 - f)))); // (1.0 - f) is a double in C, so no float rounding here
  return hsvSector(i % 6, v, p, q, t);
}

/** torchvision's float `_rgb2hsv`, h in [0, 1). */
function rgbToHsv(r: number, g: number, b: number): [number, number, number] {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const cr = max - min;
  const s = cr / (max === 0 ? 1 : max);
  const crDivisor = cr === 0 ? 1 : cr;
  const rc = (max - r) / crDivisor;
  const gc = (max - g) / crDivisor;
  const bc = (max - b) / crDivisor;
  let h = 0;
  if (max === r) h = bc - gc;
  else if (max === g) h = 2 + rc - bc;
  else h = 4 + gc - rc;
  h = (((h / 6 + 1) % 1) + 1) % 1;
  return [h, s, max];
}

/** torchvision's float `_hsv2rgb`. */
function hsvToRgb(h: number, s: number, v: number): [number, number, number] {
  const i = Math.floor(h * 6);
  const f = h * 6 - i;
  const p = Math.min(1, Math.max(0, v * (1 - s)));
  const q = Math.min(1, Math.max(0, v * (1 - s * f)));
  const t = Math.min(1, Math.max(0, v * (1 - s * (1 - f))));
  return hsvSector(((i % 6) + 6) % 6, v, p, q, t);
}

/**
 * `F.adjust_hue`: shifts the hue by `factor` turns, `factor` in [-0.5, 0.5]. Bytes go through PIL's 8-bit HSV with the
 * shift `int(factor * 255)` wrapping modulo 256, as torchvision does on PIL images; floats through torchvision's float
 * HSV. Single-channel images are returned as copies.
 */
export function adjustHue(image: AnyImage, factor: number): AnyImage {
  if (image.channels < 3) return { ...image, data: image.data.slice() } as AnyImage;
  const out = emptyLike(image, image.height, image.width);
  const { data, channels } = image;
  const float = isFloatImage(image);
  const shift = ((Math.trunc(factor * 255) % 256) + 256) % 256;
  for (let i = 0; i < data.length; i += channels) {
    const r = data[i]!;
    const g = data[i + 1]!;
    const b = data[i + 2]!;
    let rgb: [number, number, number];
    if (float) {
      const [h, s, v] = rgbToHsv(r, g, b);
      rgb = hsvToRgb((((h + factor) % 1) + 1) % 1, s, v);
    } else {
      const [h, s, v] = pilRgbToHsv(r, g, b);
      rgb = pilHsvToRgb((h + shift) % 256, s, v);
    }
    out.data[i] = rgb[0];
    out.data[i + 1] = rgb[1];
    out.data[i + 2] = rgb[2];
    for (let c = 3; c < channels; c++) out.data[i + c] = data[i + c]!;
  }
  return out;
}
