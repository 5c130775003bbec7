import { describe, expect, it } from 'vitest';
import { PNG_SIGNATURE, readPngSize } from './__fixtures__/png.js';
import { type LineChartOptions, lineChart } from './line-chart.js';

const epochs = [1, 2, 3, 4, 5];
const options: LineChartOptions = {
  title: 'Fashion-MNIST loss',
  xLabel: 'Epoch',
  yLabel: 'Cross-entropy loss',
  series: [
    { name: 'train', x: epochs, y: [0.9, 0.6, 0.45, 0.38, 0.33] },
    { name: 'validation', x: epochs, y: [0.8, 0.6, 0.5, 0.47, 0.48] },
  ],
};

describe('lineChart', () => {
  it('renders the title, axis titles and a legend entry per series', async () => {
    const { svg } = await lineChart(options);
    for (const text of ['>Fashion-MNIST loss<', '>Epoch<', '>Cross-entropy loss<', '>train<', '>validation<']) {
      expect(svg).toContain(text);
    }
    expect(svg).toMatch(/^<svg[^>]* width="640" height="360"/);
  });

  it('renders a PNG of the whole chart at the requested size and scale', async () => {
    const chart = await lineChart({ ...options, width: 500, height: 300, yDomain: [0, 1] });
    const png = chart.png();
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(readPngSize(png)).toEqual({ width: 1000, height: 600 });
  });

  it('rejects bad series, sizes and domains, naming the value', async () => {
    const [train] = options.series;
    if (train === undefined) throw new Error('fixture has no series');
    await expect(lineChart({ ...options, series: [] })).rejects.toThrow('series is empty');
    await expect(lineChart({ ...options, series: [{ ...train, y: [1, 2] }] })).rejects.toThrow(
      "series[0] 'train' has 5 x values but 2 y values",
    );
    await expect(lineChart({ ...options, series: [{ name: 'train', x: [], y: [] }] })).rejects.toThrow('has no points');
    await expect(lineChart({ ...options, series: [{ ...train, y: [1, Number.NaN, 1, 1, 1] }] })).rejects.toThrow(
      "series[0] 'train' y[1] is NaN",
    );
    await expect(lineChart({ ...options, series: [train, train] })).rejects.toThrow("series[1] 'train': the name is used twice");
    await expect(lineChart({ ...options, series: [{ ...train, name: '' }] })).rejects.toThrow('series[0] has name ""');
    await expect(lineChart({ ...options, yDomain: [1, 0] })).rejects.toThrow('yDomain is [1, 0]');
    await expect(lineChart({ ...options, width: 0 })).rejects.toThrow('lineChart width is 0 px');
  });
});
