/**
 * Feature maps of one layer for one input image: a grid of per-channel heat maps, each scaled to its
 * own minimum..maximum (the feature-map visualisation seed 001 announces).
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { type Chart, createChart } from './chart.js';
import { type Raster, escapeXml, fitSize, isTensor, svgImage } from './raster-image.js';
import { measureText } from './text-width.js';

/** One image's activations as channels-last values: `data[(y * width + x) * channels + c]`. */
export interface ActivationMaps {
  /** `height * width * channels` values. */
  data: ArrayLike<number>;
  /** Rows of each map. */
  height: number;
  /** Columns of each map. */
  width: number;
  /** Number of maps (channels). */
  channels: number;
}

/** Colour maps for {@link featureMapsChart}: matplotlib's `viridis` (dark blue → yellow) or `grey` (black → white). */
export type FeatureMapColors = 'viridis' | 'grey';

/** Options for {@link featureMapsChart}. */
export interface FeatureMapsChartOptions {
  /**
   * One image's activations, channels last: a tensor `[height, width, channels]` or `[1, height, width, channels]`
   * (what `layerActivations` in `@cnn/models` returns for one image; read with `dataSync`, not disposed),
   * nested arrays `[height][width][channels]`, or {@link ActivationMaps}.
   */
  activations: Tensor | readonly (readonly (readonly number[])[])[] | ActivationMaps;
  /** The layer's name, shown in the title `Feature maps: <layerName>` (default: title `Feature maps`). */
  layerName?: string;
  /** Maps per row (default `min(8, ⌈√shown⌉)`). */
  columns?: number;
  /** Show at most this many channels, the first ones (default 64). */
  maxMaps?: number;
  /** The colour map (default `'viridis'`). */
  colors?: FeatureMapColors;
  /** The displayed size of each map's longer side in px, 16–1000 (default 96; pixels are drawn as hard squares). */
  mapSize?: number;
}

/** matplotlib's viridis at 0, 1/9, …, 1; values between are interpolated linearly. */
const VIRIDIS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'];
const VIRIDIS_RGB = VIRIDIS.map((hex) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)));

const PADDING = 8;
const TITLE_SIZE = 13;
const SUBTITLE_SIZE = 11;
const LABEL_SIZE = 10;
const GAP = 6;
const LEGEND_HEIGHT = 30;

/** The activations as a flat channels-last array with its shape, after checking it. */
function readActivations(activations: FeatureMapsChartOptions['activations']): ActivationMaps {
  if (isTensor(activations)) {
    let shape = activations.shape;
    if (shape.length === 4 && shape[0] === 1) shape = shape.slice(1);
    if (shape.length !== 3) {
      throw new Error(
        `featureMapsChart activations has shape [${activations.shape.join(', ')}]; pass one image's maps [height, width, channels] ` +
          '(or [1, height, width, channels]) from a convolution or pooling layer.',
      );
    }
    const [height = 0, width = 0, channels = 0] = shape;
    return { data: activations.dataSync() as ArrayLike<number>, height, width, channels };
  }
  if (Array.isArray(activations)) {
    const rows = activations as readonly (readonly (readonly number[])[])[];
    const height = rows.length;
    const width = rows[0]?.length ?? 0;
    const channels = rows[0]?.[0]?.length ?? 0;
    const data = new Float64Array(height * width * channels);
    rows.forEach((row, y) => {
      if (!Array.isArray(row) || row.length !== width) throw new Error(`featureMapsChart activations[${y}] has ${row?.length} columns, expected ${width}; pass [height][width][channels].`);
      row.forEach((pixel, x) => {
        if (!Array.isArray(pixel) || pixel.length !== channels) {
          throw new Error(`featureMapsChart activations[${y}][${x}] has ${pixel?.length} channels, expected ${channels}; pass [height][width][channels].`);
        }
        data.set(pixel, (y * width + x) * channels);
      });
    });
    return { data, height, width, channels };
  }
  const maps = activations as ActivationMaps; // Array.isArray does not narrow readonly arrays away
  const { data, height, width, channels } = maps;
  if (data == null || data.length !== height * width * channels) {
    throw new Error(`featureMapsChart activations has ${data?.length ?? 'no'} values for ${height} x ${width} x ${channels}; pass height * width * channels values.`);
  }
  return maps;
}

/** Channel `c` as 8-bit pixels, scaled from its own minimum (0) to maximum (255), then coloured. */
function mapRaster({ data, height, width, channels }: ActivationMaps, c: number, colors: FeatureMapColors): Raster & { low: number; high: number } {
  const size = height * width;
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < size; i++) {
    const value = data[i * channels + c] as number;
    if (!Number.isFinite(value)) throw new Error(`featureMapsChart activations at pixel ${i} of channel ${c} is ${value}; activations must be finite.`);
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  const scale = high > low ? 1 / (high - low) : 0;
  const outChannels = colors === 'grey' ? 1 : 3;
  const pixels = new Uint8Array(size * outChannels);
  for (let i = 0; i < size; i++) {
    const t = ((data[i * channels + c] as number) - low) * scale;
    if (colors === 'grey') {
      pixels[i] = Math.round(t * 255);
    } else {
      const position = t * (VIRIDIS_RGB.length - 1);
      const k = Math.min(VIRIDIS_RGB.length - 2, Math.floor(position));
      const f = position - k;
      const a = VIRIDIS_RGB[k] ?? [0, 0, 0];
      const b = VIRIDIS_RGB[k + 1] ?? a;
      for (let j = 0; j < 3; j++) pixels[i * 3 + j] = Math.round((a[j] ?? 0) * (1 - f) + (b[j] ?? 0) * f);
    }
  }
  return { pixels, width, height, channels: outChannels, low, high };
}

/** A horizontal bar from the low to the high colour, labelled, explaining the per-map scaling; centred at `centre`. */
function legend(centre: number, y: number, colors: FeatureMapColors): string {
  const before = 'each map scaled from its min';
  const after = 'to its max';
  const barWidth = 80;
  const beforeWidth = measureText(before, LABEL_SIZE);
  const total = beforeWidth + 6 + barWidth + 6 + measureText(after, LABEL_SIZE);
  const left = centre - total / 2;
  const stops = (colors === 'grey' ? ['#000000', '#ffffff'] : VIRIDIS)
    .map((color, i, all) => `<stop offset="${i / (all.length - 1)}" stop-color="${color}"/>`)
    .join('');
  return (
    `<defs><linearGradient id="feature-map-scale">${stops}</linearGradient></defs>` +
    `<text x="${left}" y="${y + 12}" font-size="${LABEL_SIZE}" fill="#555">${before}</text>` +
    `<rect x="${left + beforeWidth + 6}" y="${y + 3}" width="${barWidth}" height="11" fill="url(#feature-map-scale)" stroke="#999" stroke-width="0.5"/>` +
    `<text x="${left + beforeWidth + 12 + barWidth}" y="${y + 12}" font-size="${LABEL_SIZE}" fill="#555">${after}</text>`
  );
}

/**
 * Draws the feature maps of one layer for one input image as a grid of heat maps, one per channel
 * (the first `maxMaps`), each scaled from its own minimum to its own maximum and labelled with its
 * channel index; a channel that is constant is drawn in the lowest colour. Maps are embedded as PNG data URIs.
 *
 * @example
 * const maps = layerActivations(model, 'conv2d_1', image); // [1, 28, 28, 6], from @cnn/models
 * await saveChart(featureMapsChart({ activations: maps, layerName: 'conv2d_1' }), 'runs/conv1-maps.png');
 * maps.dispose();
 *
 * @throws If the activations are not one image's `[height, width, channels]` maps, hold a
 *   non-finite value, or `columns`, `maxMaps` or `mapSize` is out of range.
 */
export function featureMapsChart(options: FeatureMapsChartOptions): Chart {
  const { layerName, maxMaps = 64, colors = 'viridis', mapSize = 96 } = options;
  if (!Number.isInteger(maxMaps) || maxMaps < 1) throw new Error(`featureMapsChart maxMaps is ${maxMaps}; pass a positive integer.`);
  if (!Number.isFinite(mapSize) || mapSize < 16 || mapSize > 1000) throw new Error(`featureMapsChart mapSize is ${mapSize} px; pass 16 to 1000.`);
  if (colors !== 'viridis' && colors !== 'grey') throw new Error(`featureMapsChart colors is '${String(colors)}'; pass 'viridis' or 'grey'.`);
  const maps = readActivations(options.activations);
  const { height, width, channels } = maps;
  if (![height, width, channels].every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error(`featureMapsChart activations is ${height} x ${width} x ${channels}; every dimension must be at least 1.`);
  }
  const shown = Math.min(channels, maxMaps);
  const columns = options.columns ?? Math.min(8, Math.ceil(Math.sqrt(shown)));
  if (!Number.isInteger(columns) || columns < 1) throw new Error(`featureMapsChart columns is ${columns}; pass a positive integer.`);
  const usedColumns = Math.min(columns, shown);
  const rows = Math.ceil(shown / columns);
  const display = fitSize(width, height, mapSize);
  const cellWidth = Math.max(display.width, 40);
  const cellHeight = display.height + LABEL_SIZE + 6;
  const headerHeight = TITLE_SIZE + 6 + SUBTITLE_SIZE + 10;
  const totalWidth = Math.max(2 * PADDING + usedColumns * cellWidth + (usedColumns - 1) * GAP, 330);
  const totalHeight = 2 * PADDING + headerHeight + rows * cellHeight + (rows - 1) * GAP + LEGEND_HEIGHT;
  if (totalWidth > 10_000 || totalHeight > 10_000) {
    throw new Error(`featureMapsChart would be ${totalWidth} × ${totalHeight} px (over 10000); pass a smaller maxMaps, mapSize, or other columns.`);
  }
  const title = layerName === undefined || layerName === '' ? 'Feature maps' : `Feature maps: ${layerName}`;
  const subtitle = `${height} × ${width}, ${shown === channels ? `${channels} channels` : `first ${shown} of ${channels} channels`}`;
  const gridWidth = usedColumns * cellWidth + (usedColumns - 1) * GAP;
  const gridLeft = (totalWidth - gridWidth) / 2;
  const parts = [
    `<text x="${totalWidth / 2}" y="${PADDING + TITLE_SIZE}" text-anchor="middle" font-size="${TITLE_SIZE}" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${totalWidth / 2}" y="${PADDING + TITLE_SIZE + 6 + SUBTITLE_SIZE}" text-anchor="middle" font-size="${SUBTITLE_SIZE}" fill="#555">${subtitle}</text>`,
  ];
  for (let c = 0; c < shown; c++) {
    const left = gridLeft + (c % columns) * (cellWidth + GAP);
    const top = PADDING + headerHeight + Math.floor(c / columns) * (cellHeight + GAP);
    const raster = mapRaster(maps, c, colors);
    const x = left + (cellWidth - display.width) / 2;
    parts.push(
      `<g class="feature-map" data-channel="${c}" data-min="${raster.low}" data-max="${raster.high}">`,
      svgImage(raster, { x, y: top, width: display.width, height: display.height }),
      `<text x="${left + cellWidth / 2}" y="${top + display.height + LABEL_SIZE + 2}" text-anchor="middle" font-size="${LABEL_SIZE}" fill="#333">${c}</text>`,
      '</g>',
    );
  }
  parts.push(legend(totalWidth / 2, totalHeight - PADDING - LEGEND_HEIGHT + 8, colors));
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${totalWidth}" height="${totalHeight}" viewBox="0 0 ${totalWidth} ${totalHeight}" font-family="sans-serif">` +
    `<rect width="${totalWidth}" height="${totalHeight}" fill="white"/>${parts.join('')}</svg>`;
  return createChart(svg);
}
