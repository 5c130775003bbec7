import { describe, expect, it } from 'vitest';
import { PNG_SIGNATURE, readPngSize } from './__fixtures__/png.js';
import { createChart } from './chart.js';

const svg =
  '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" fill="white"/>' +
  '<text x="4" y="26" font-family="sans-serif" font-size="16">Hello</text></svg>';

describe('createChart', () => {
  it('keeps the SVG and renders PNGs at 2× by default', () => {
    const chart = createChart(svg);
    expect(chart.svg).toBe(svg);
    const png = chart.png();
    expect(png).toBeInstanceOf(Uint8Array);
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(readPngSize(png)).toEqual({ width: 240, height: 80 });
    expect(readPngSize(chart.png({ scale: 1 }))).toEqual({ width: 120, height: 40 });
  });

  it('draws text (the PNG with text differs from one without)', () => {
    const blank = createChart(svg.replace('Hello', '')).png({ scale: 1 });
    expect(Buffer.from(createChart(svg).png({ scale: 1 })).equals(Buffer.from(blank))).toBe(false);
  });

  it('rejects a bad scale', () => {
    const chart = createChart(svg);
    expect(() => chart.png({ scale: 0 })).toThrow('Chart png scale is 0');
    expect(() => chart.png({ scale: Number.NaN })).toThrow('scale is NaN');
    expect(() => chart.png({ scale: 17 })).toThrow('at most 16');
  });
});
