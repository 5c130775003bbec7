/**
 * Raster images inside SVG charts: a small PNG encoder (Node's zlib for DEFLATE and CRC-32; no PNG
 * library is a dependency) and the `<image>` element that embeds pixels as a PNG data URI, drawn with hard pixel edges.
 */
import { crc32, deflateSync } from 'node:zlib';
import type { Tensor } from '@tensorflow/tfjs-core';

/**
 * True for a tfjs tensor; duck-typed so that two copies of tfjs-core (or none) still work.
 * @internal Used by the image charts in this folder.
 */
export function isTensor(value: unknown): value is Tensor {
  return typeof value === 'object' && value !== null && typeof (value as Tensor).dataSync === 'function' && Array.isArray((value as Tensor).shape);
}

/** PNG colour types this encoder writes: 0 greyscale, 2 RGB (8 bits per sample). */
const COLOR_TYPE: Readonly<Record<1 | 3, number>> = { 1: 0, 3: 2 };

/** The eight bytes every PNG file starts with. */
const SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One PNG chunk: length, type, data, CRC-32 of type and data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(12 + data.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) bytes[4 + i] = type.charCodeAt(i);
  bytes.set(data, 8);
  view.setUint32(8 + data.length, crc32(bytes.subarray(4, 8 + data.length)));
  return bytes;
}

/**
 * Encodes 8-bit pixels as a PNG file (greyscale or RGB, no filtering, zlib-compressed).
 * @param pixels Row-major, channels last: `height * width * channels` bytes.
 * @param channels 1 (greyscale) or 3 (RGB).
 * @internal Used by the image charts in this folder.
 */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 3): Uint8Array {
  if (pixels.length !== width * height * channels) {
    throw new Error(`encodePng: ${pixels.length} bytes do not make a ${width}x${height}x${channels} image.`);
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8; // bits per sample
  header[9] = COLOR_TYPE[channels];
  // bytes 10–12: compression 0 (deflate), filter method 0, no interlace
  const rowBytes = width * channels;
  const raw = new Uint8Array((rowBytes + 1) * height);
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * rowBytes, (y + 1) * rowBytes), y * (rowBytes + 1) + 1); // filter byte 0
  const parts = [SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))];
  const file = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    file.set(part, offset);
    offset += part.length;
  }
  return file;
}

/** Escapes text for SVG element content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/** Where and how large to draw an embedded image, in SVG px. */
export interface ImagePlacement {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** 8-bit pixels, row-major, channels last: `height * width * channels` bytes. */
export interface Raster {
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

/** Repeats each pixel `factor × factor` times (nearest-neighbour enlargement). */
function enlarge({ pixels, width, height, channels }: Raster, factor: number): Raster {
  if (factor === 1) return { pixels, width, height, channels };
  const out = new Uint8Array(pixels.length * factor * factor);
  const outWidth = width * factor;
  for (let y = 0; y < height * factor; y++) {
    const sourceRow = Math.floor(y / factor) * width;
    for (let x = 0; x < outWidth; x++) {
      const source = (sourceRow + Math.floor(x / factor)) * channels;
      const target = (y * outWidth + x) * channels;
      for (let c = 0; c < channels; c++) out[target + c] = pixels[source + c] as number;
    }
  }
  return { pixels: out, width: outWidth, height: height * factor, channels };
}

/**
 * An SVG `<image>` showing `raster` as an embedded PNG (base64 data URI) scaled to `placement`, with
 * hard pixel edges in every renderer: the pixels are first enlarged by the largest whole factor
 * that fits (nearest neighbour), and `image-rendering="optimizeSpeed"` (which resvg honours) covers the rest.
 * @internal Used by the image charts in this folder.
 */
export function svgImage(raster: Raster, { x, y, width, height }: ImagePlacement): string {
  const factor = Math.max(1, Math.min(Math.floor(width / raster.width), Math.floor(height / raster.height)));
  const big = enlarge(raster, factor);
  const png = encodePng(big.pixels, big.width, big.height, big.channels);
  const href = `data:image/png;base64,${Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64')}`;
  return (
    `<image x="${x}" y="${y}" width="${width}" height="${height}" preserveAspectRatio="none" ` +
    `image-rendering="optimizeSpeed" href="${href}"/>`
  );
}

/**
 * A displayed size for a `width × height` image whose longer side becomes `size` px.
 * @internal Used by the image charts in this folder.
 */
export function fitSize(width: number, height: number, size: number): { width: number; height: number } {
  const scale = size / Math.max(width, height);
  return { width: Math.round(width * scale * 100) / 100, height: Math.round(height * scale * 100) / 100 };
}

/**
 * Shortens `text` with a trailing "…" until `measure(text)` fits `maxWidth` px.
 * @internal Used by the image charts in this folder.
 */
export function fitText(text: string, maxWidth: number, measure: (text: string) => number): string {
  if (measure(text) <= maxWidth) return text;
  const characters = [...text];
  while (characters.length > 1 && measure(`${characters.join('')}…`) > maxWidth) characters.pop();
  return `${characters.join('')}…`;
}
