import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Resvg } from '@resvg/resvg-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { PNG_SIGNATURE, readPngSize } from './__fixtures__/png.js';
import { featureMapsChart } from './feature-maps-chart.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** [4, 4, channels] maps where channel c is `x * (c + 1) - c` (a left-to-right ramp, each with its own range). */
function ramps(channels: number): number[][][] {
  return Array.from({ length: 4 }, () => Array.from({ length: 4 }, (_, x) => Array.from({ length: channels }, (_, c) => x * (c + 1) - c)));
}

/** RGB of the rendered chart at (x, y), scale 1. */
function pixelAt(svg: string, x: number, y: number): number[] {
  const image = new Resvg(svg).render();
  const at = (y * image.width + x) * 4;
  return [...image.pixels.subarray(at, at + 3)];
}

/** Where the i-th map is drawn. */
function mapBox(svg: string, i: number): { x: number; y: number; width: number; height: number } {
  const match = [...svg.matchAll(/<image x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)][i];
  if (match === undefined) throw new Error(`no map ${i}`);
  const [x, y, width, height] = match.slice(1).map(Number) as [number, number, number, number];
  return { x, y, width, height };
}

describe('featureMapsChart', () => {
  it('titles the chart with the layer name and draws one labelled map per channel', () => {
    const { svg } = featureMapsChart({ activations: ramps(6), layerName: 'conv1' });
    expect(svg).toContain('>Feature maps: conv1<');
    expect(svg).toContain('>4 × 4, 6 channels<');
    expect(svg.match(/<g class="feature-map"/g)).toHaveLength(6);
    expect(svg).toContain('data-channel="5" data-min="-5" data-max="13"'); // channel 5: 6x - 5 for x = 0..3
    expect(mapBox(svg, 0).width).toBe(96); // default mapSize
    expect(mapBox(svg, 3).y).toBeGreaterThan(mapBox(svg, 2).y); // 6 maps: 3 columns (⌈√6⌉), so map 3 starts row 2
  });

  it("scales every map to its own min..max in viridis (dark purple to yellow) or grey", () => {
    for (const [colors, low, high] of [
      ['viridis', [0x44, 0x01, 0x54], [0xfd, 0xe7, 0x25]],
      ['grey', [0, 0, 0], [255, 255, 255]],
    ] as const) {
      const { svg } = featureMapsChart({ activations: ramps(2), colors });
      for (const i of [0, 1]) {
        const box = mapBox(svg, i);
        expect(pixelAt(svg, box.x + 5, box.y + 5), `${colors} map ${i} left`).toEqual(low);
        expect(pixelAt(svg, box.x + box.width - 5, box.y + 5), `${colors} map ${i} right`).toEqual(high);
      }
    }
  });

  it('reads [h, w, c] and [1, h, w, c] tensors (without disposing them) like nested arrays', () => {
    const fromArrays = featureMapsChart({ activations: ramps(3), layerName: 'x' }).svg;
    const tensor = tf.tensor3d(ramps(3));
    const batched = tf.expandDims(tensor, 0);
    const before = tf.memory().numTensors;
    expect(featureMapsChart({ activations: tensor, layerName: 'x' }).svg).toBe(fromArrays);
    expect(featureMapsChart({ activations: batched, layerName: 'x' }).svg).toBe(fromArrays);
    const flat = { data: tensor.dataSync(), height: 4, width: 4, channels: 3 };
    expect(featureMapsChart({ activations: flat, layerName: 'x' }).svg).toBe(fromArrays);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([tensor, batched]);
  });

  it('shows only the first maxMaps channels, in the given columns', () => {
    const { svg } = featureMapsChart({ activations: ramps(10), maxMaps: 4, columns: 4 });
    expect(svg).toContain('>Feature maps<');
    expect(svg).toContain('>4 × 4, first 4 of 10 channels<');
    expect(svg.match(/<g class="feature-map"/g)).toHaveLength(4);
    expect(new Set([0, 1, 2, 3].map((i) => mapBox(svg, i).y)).size).toBe(1); // one row
  });

  it('draws a constant channel in the lowest colour instead of failing', () => {
    const { svg } = featureMapsChart({ activations: { data: new Float32Array(16).fill(3), height: 4, width: 4, channels: 1 } });
    const box = mapBox(svg, 0);
    expect(pixelAt(svg, box.x + 40, box.y + 40)).toEqual([0x44, 0x01, 0x54]);
  });

  it('renders a PNG', () => {
    const chart = featureMapsChart({ activations: ramps(4) });
    const width = Number(/^<svg[^>]* width="(\d+)"/.exec(chart.svg)?.[1]);
    const height = Number(/^<svg[^>]* height="(\d+)"/.exec(chart.svg)?.[1]);
    const png = chart.png({ scale: 1 });
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(readPngSize(png)).toEqual({ width, height });
  });

  it('rejects activations that are not one image of maps, and bad options', () => {
    const dense = tf.zeros([1, 120]);
    expect(() => featureMapsChart({ activations: dense })).toThrow('activations has shape [1, 120]; pass one image');
    dense.dispose();
    const batch = tf.zeros([2, 4, 4, 3]);
    expect(() => featureMapsChart({ activations: batch })).toThrow('activations has shape [2, 4, 4, 3]');
    batch.dispose();
    const ragged = [[[1, 2], [3]]];
    expect(() => featureMapsChart({ activations: ragged })).toThrow('activations[0][1] has 1 channels, expected 2');
    expect(() => featureMapsChart({ activations: { data: [1, 2, 3], height: 2, width: 2, channels: 1 } })).toThrow('has 3 values for 2 x 2 x 1');
    expect(() => featureMapsChart({ activations: { data: [0, Number.POSITIVE_INFINITY, 0, 0], height: 2, width: 2, channels: 1 } })).toThrow(
      'pixel 1 of channel 0 is Infinity',
    );
    expect(() => featureMapsChart({ activations: ramps(2), maxMaps: 0 })).toThrow('maxMaps is 0');
    expect(() => featureMapsChart({ activations: ramps(2), columns: 1.5 })).toThrow('columns is 1.5');
    expect(() => featureMapsChart({ activations: ramps(2), mapSize: 2000 })).toThrow('mapSize is 2000 px');
    expect(() => featureMapsChart({ activations: ramps(2), colors: 'jet' as 'grey' })).toThrow("colors is 'jet'");
  });
});
