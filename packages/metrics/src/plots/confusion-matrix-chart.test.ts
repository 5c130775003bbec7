import { describe, expect, it } from 'vitest';
import { PNG_SIGNATURE, readPngSize } from './__fixtures__/png.js';
import { confusionMatrixChart } from './confusion-matrix-chart.js';

const labels = ['T-shirt/top', 'Trouser', 'Bag & co'];
const matrix = [
  [50, 2, 8],
  [1, 58, 1],
  [0, 0, 0],
];

/** The `<text>` element of one cell, found by the accessible label Vega gives every mark. */
function cellText(svg: string, trueLabel: string, predictedLabel: string): string {
  const label = `Predicted label: ${predictedLabel}; True label: ${trueLabel}; text: `;
  const start = svg.indexOf(`aria-label="${label}`);
  if (start < 0) throw new Error(`No cell for true '${trueLabel}', predicted '${predictedLabel}' in the SVG.`);
  return svg.slice(svg.lastIndexOf('<text', start), svg.indexOf('</text>', start) + 7);
}

describe('confusionMatrixChart', () => {
  it('renders the title, axis titles, class names and cell values', async () => {
    const { svg } = await confusionMatrixChart({ matrix, labels, title: 'Test set' });
    for (const text of ['>Test set<', '>Predicted label<', '>True label<', '>T-shirt/top<', '>Trouser<', '>Bag &amp; co<']) {
      expect(svg).toContain(text);
    }
    expect(svg).toMatch(/^<svg[^>]* width="640" height="600"/);
    // Counts with the share of the row: 50 of 60 T-shirts are right.
    expect(cellText(svg, 'T-shirt/top', 'T-shirt/top')).toMatch(/<tspan>50<\/tspan><tspan[^>]*>83.3%<\/tspan>/);
    // A row with no examples shows plain zeros, not NaN.
    expect(cellText(svg, 'Bag &amp; co', 'Trouser')).toMatch(/>0<\/text>$/);
    expect(svg).not.toContain('NaN');
  });

  it('writes white text on dark cells and black on light ones', async () => {
    const { svg } = await confusionMatrixChart({ matrix, labels });
    expect(cellText(svg, 'Trouser', 'Trouser')).toContain('fill="white"');
    expect(cellText(svg, 'T-shirt/top', 'Trouser')).toContain('fill="black"');
  });

  it('shows only the values when normalize is false', async () => {
    const { svg } = await confusionMatrixChart({ matrix, labels, normalize: false });
    expect(svg).toContain('>Confusion matrix<');
    expect(cellText(svg, 'Trouser', 'Trouser')).toMatch(/>58<\/text>$/);
    expect(svg).not.toContain('%');
  });

  it('colours an all-zero matrix on a 0–1 scale (no tiny or NaN legend values)', async () => {
    const { svg } = await confusionMatrixChart({ matrix: [[0, 0], [0, 0]], labels: ['a', 'b'], normalize: false });
    expect(svg).toContain("legend titled 'Count' for fill color with values from 0.0 to 1.0");
    expect(svg).not.toMatch(/NaN|\dp</);
  });

  it('renders a PNG at the requested size and scale', async () => {
    const png = (await confusionMatrixChart({ matrix, labels, width: 400, height: 380 })).png({ scale: 1 });
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(readPngSize(png)).toEqual({ width: 400, height: 380 });
  });

  it('rejects matrices that do not fit the labels, and bad values', async () => {
    await expect(confusionMatrixChart({ matrix, labels: ['a', 'b'] })).rejects.toThrow('matrix has 3 rows but there are 2 labels');
    await expect(confusionMatrixChart({ matrix: [[1, 2], [3]], labels: ['a', 'b'] })).rejects.toThrow(
      'matrix row 1 has 1 values, expected 2',
    );
    await expect(confusionMatrixChart({ matrix: [[1, -1], [0, 1]], labels: ['a', 'b'] })).rejects.toThrow('matrix[0][1] is -1');
    await expect(confusionMatrixChart({ matrix: [[1, Number.NaN], [0, 1]], labels: ['a', 'b'] })).rejects.toThrow('is NaN');
    await expect(confusionMatrixChart({ matrix: [[1, 0], [0, 1]], labels: ['a', 'a'] })).rejects.toThrow("lists 'a' twice");
    await expect(confusionMatrixChart({ matrix: [], labels: [] })).rejects.toThrow('labels is empty');
    await expect(confusionMatrixChart({ matrix, labels, height: 20_000 })).rejects.toThrow('height is 20000 px');
  });
});
