import { describe, expect, it } from 'vitest';
import { PNG_SIGNATURE, readPngSize } from './__fixtures__/png.js';
import { learningRateChart } from './learning-rate-chart.js';
import { lineChart } from './line-chart.js';

const steps = [0, 1, 2, 3];
/** A decaying schedule spanning three decades: 0.1, 0.01, 0.001, 0.0001. */
const stepLR = { name: 'StepLR', x: steps, y: [0.1, 0.01, 0.001, 0.0001] };

/** The vertical positions of a series' points, read from the accessible labels Vega gives every point. */
function pointYs(svg: string): number[] {
  return [...svg.matchAll(/aria-label="\w+: \d+; Learning rate: [^"]*" [^>]*transform="translate\([\d.]+,([\d.]+)\)"/g)].map((m) => Number(m[1]));
}

describe('learningRateChart', () => {
  it('draws schedules with default titles and a legend', async () => {
    const { svg } = await learningRateChart({ series: [stepLR, { name: 'constant', x: steps, y: [0.05, 0.05, 0.05, 0.05] }] });
    for (const text of ['>Learning rate<', '>Step<', '>StepLR<', '>constant<']) expect(svg).toContain(text);
    expect(svg).toMatch(/^<svg[^>]* width="640" height="360"/);
  });

  it('with logScale spaces each decade equally (linear would not)', async () => {
    const log = pointYs((await learningRateChart({ series: [stepLR], logScale: true, xLabel: 'Epoch' })).svg);
    expect(log).toHaveLength(4);
    const gaps = log.slice(1).map((y, i) => y - (log[i] ?? 0));
    for (const gap of gaps) expect(gap).toBeCloseTo(gaps[0] ?? 0, 6);
    const linear = pointYs((await learningRateChart({ series: [stepLR] })).svg);
    expect(linear[1]! - linear[0]!).toBeGreaterThan(5 * (linear[2]! - linear[1]!));
  });

  it('renders a PNG at the requested size', async () => {
    const png = (await learningRateChart({ series: [stepLR], width: 300, height: 200, logScale: true })).png({ scale: 1 });
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(readPngSize(png)).toEqual({ width: 300, height: 200 });
  });

  it('rejects negative rates, and values a log axis cannot show', async () => {
    await expect(learningRateChart({ series: [{ ...stepLR, y: [0.1, -0.1, 0, 0] }] })).rejects.toThrow("series[0] 'StepLR' y[1] is -0.1; learning rates must be >= 0");
    await expect(learningRateChart({ series: [{ ...stepLR, y: [0.1, 0, 0, 0] }], logScale: true })).rejects.toThrow(
      "series[0] 'StepLR' y[1] is 0; a log-scale y axis needs values > 0",
    );
    await expect(learningRateChart({ series: [] })).rejects.toThrow('series is empty');
  });
});

describe('lineChart yScale', () => {
  it("refuses an unknown scale and a log domain that starts at 0", async () => {
    const options = { title: 't', xLabel: 'x', yLabel: 'y', series: [stepLR] };
    await expect(lineChart({ ...options, yScale: 'sqrt' as 'log' })).rejects.toThrow("yScale is 'sqrt'");
    await expect(lineChart({ ...options, yScale: 'log', yDomain: [0, 1] })).rejects.toThrow('yDomain is [0, 1]; a log-scale y axis needs min > 0');
  });
});
