import { crc32, inflateSync } from 'node:zlib';
import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';
import { PNG_SIGNATURE, readPngSize } from './__fixtures__/png.js';
import { encodePng, fitText, svgImage } from './raster-image.js';

/** The chunks of a PNG file, with their CRCs checked. */
function readChunks(png: Uint8Array): { type: string; data: Uint8Array }[] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: { type: string; data: Uint8Array }[] = [];
  for (let offset = 8; offset < png.length; ) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...png.subarray(offset + 4, offset + 8));
    expect(view.getUint32(offset + 8 + length), `CRC of ${type}`).toBe(crc32(png.subarray(offset + 4, offset + 8 + length)));
    chunks.push({ type, data: png.subarray(offset + 8, offset + 8 + length) });
    offset += 12 + length;
  }
  return chunks;
}

/** RGBA of the pixel at (x, y) of an SVG rendered by resvg at scale 1. */
function renderedPixel(svg: string, x: number, y: number): number[] {
  const image = new Resvg(svg).render();
  const at = (y * image.width + x) * 4;
  return [...image.pixels.subarray(at, at + 4)];
}

describe('encodePng', () => {
  it('writes a valid PNG: signature, IHDR, IDAT with unfiltered rows, IEND, correct CRCs', () => {
    const rgb = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90]); // 3 × 2
    const png = encodePng(rgb, 3, 2, 3);
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(readPngSize(png)).toEqual({ width: 3, height: 2 });
    const chunks = readChunks(png);
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect([...(chunks[0]?.data.subarray(8) ?? [])]).toEqual([8, 2, 0, 0, 0]); // 8 bits, RGB, deflate, no filter, no interlace
    const rows = inflateSync(chunks[1]?.data ?? new Uint8Array());
    expect([...rows]).toEqual([0, ...rgb.subarray(0, 9), 0, ...rgb.subarray(9)]);
    expect(readChunks(encodePng(new Uint8Array([7]), 1, 1, 1))[0]?.data[9]).toBe(0); // colour type 0: greyscale
  });

  it('refuses pixel data of the wrong length', () => {
    expect(() => encodePng(new Uint8Array(5), 2, 2, 1)).toThrow('5 bytes do not make a 2x2x1 image');
  });
});

describe('svgImage', () => {
  it('embeds the pixels so that resvg draws them with hard edges', () => {
    // 2 × 2 greyscale: black, white / white, black; shown at 40 × 40 px.
    const raster = { pixels: new Uint8Array([0, 255, 255, 0]), width: 2, height: 2, channels: 1 as const };
    const element = svgImage(raster, { x: 0, y: 0, width: 40, height: 40 });
    expect(element).toMatch(/^<image x="0" y="0" width="40" height="40" [^>]*href="data:image\/png;base64,/);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">${element}</svg>`;
    expect(renderedPixel(svg, 1, 1)).toEqual([0, 0, 0, 255]);
    expect(renderedPixel(svg, 19, 1)).toEqual([0, 0, 0, 255]); // still black next to the edge: no smoothing
    expect(renderedPixel(svg, 20, 1)).toEqual([255, 255, 255, 255]);
    expect(renderedPixel(svg, 38, 38)).toEqual([0, 0, 0, 255]);
  });
});

describe('fitText', () => {
  it('shortens text with an ellipsis until it fits', () => {
    const measure = (text: string): number => text.length * 10;
    expect(fitText('short', 50, measure)).toBe('short');
    expect(fitText('much too long', 50, measure)).toBe('much…');
  });
});
