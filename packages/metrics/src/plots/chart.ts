/** The rendered-chart value every chart function returns, and its SVG → PNG conversion. */
import { Resvg } from '@resvg/resvg-js';
import { fontOptions } from './fonts.js';

/** Options for {@link Chart.png}. */
export interface PngOptions {
  /** Pixels per SVG pixel (default 2, for sharp text on high-density screens and in documents). */
  scale?: number;
}

/** A rendered chart: its SVG text, and a PNG rendered from it on demand. */
export interface Chart {
  /** The chart as a standalone SVG document. */
  readonly svg: string;
  /** Renders the chart as PNG bytes, `scale` times the SVG's size (default 2). */
  png(options?: PngOptions): Uint8Array;
}

/**
 * Wraps an SVG document as a {@link Chart}.
 * @internal Used by the chart functions in this folder.
 */
export function createChart(svg: string): Chart {
  return Object.freeze({
    svg,
    png({ scale = 2 }: PngOptions = {}): Uint8Array {
      if (!Number.isFinite(scale) || scale <= 0 || scale > 16) {
        throw new Error(`Chart png scale is ${scale}; pass a number above 0 and at most 16 (default 2).`);
      }
      const bytes = new Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, font: fontOptions() }).render().asPng();
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
  });
}
