/** Renders a Vega-Lite specification to a {@link Chart} with Vega's headless (`'none'`) renderer. */
import { View, parse } from 'vega';
import { type TopLevelSpec, compile } from 'vega-lite';
import { type Chart, createChart } from './chart.js';
import { useDejaVuTextWidths } from './text-width.js';

/** Settings every chart shares: white background, and the whole chart (not just the plot) `width × height`. */
export const COMMON_SPEC = {
  background: 'white',
  autosize: { type: 'fit', contains: 'padding' },
  padding: 8,
} as const;

/**
 * Compiles a Vega-Lite specification to Vega, renders it to SVG and wraps it as a {@link Chart}.
 * @internal Used by the chart functions in this folder.
 */
export async function renderVegaLite(spec: TopLevelSpec): Promise<Chart> {
  useDejaVuTextWidths();
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return createChart(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/**
 * Checks a chart dimension in pixels.
 * @internal Used by the chart functions in this folder.
 */
export function checkSize(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 100 || value > 10_000) {
    throw new Error(`${name} is ${value} px; pass a number from 100 to 10000.`);
  }
}
