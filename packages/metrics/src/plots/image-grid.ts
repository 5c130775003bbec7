/**
 * A grid of sample images, each captioned with its true and predicted class, green when the
 * prediction is right and red when it is wrong (seed 002's `show_predictions`).
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { type LabelsLike, toLabelArray } from '../labels.js';
import { type Chart, createChart } from './chart.js';
import { type Raster, escapeXml, fitSize, fitText, isTensor, svgImage } from './raster-image.js';
import { measureText } from './text-width.js';

/** One image, channels last: pixel `(y, x, c)` is `data[(y * width + x) * channels + c]` (the shape of `@cnn/data`'s `Image`). */
export interface GridImage {
  /** The pixel values, `height * width * channels` of them. */
  data: ArrayLike<number>;
  /** Rows, in pixels. */
  height: number;
  /** Columns, in pixels. */
  width: number;
  /** 1 (greyscale) or 3 (RGB). */
  channels: number;
}

/**
 * How pixel values map to brightness: `[black, white]` (values outside are clipped), or
 * `'per-image'` to stretch each image from its own minimum to its maximum, as seed 002 does
 * (for images normalised with a mean and standard deviation).
 */
export type PixelRange = readonly [number, number] | 'per-image';

/** Options for {@link predictionGrid}. */
export interface PredictionGridOptions {
  /**
   * The images: an array of {@link GridImage}s (e.g. `@cnn/data` samples' `image`), or a tensor
   * `[n, height, width, channels]` (or `[n, height, width]` for greyscale), read with `dataSync` and not disposed.
   * Channels: 1 or 3.
   */
  images: readonly GridImage[] | Tensor;
  /** The true class of each image: an array or rank-1 tensor of class indices, one per image. */
  trueLabels: LabelsLike;
  /** The predicted class of each image, e.g. `tf.argMax(logits, -1)`; one per image. */
  predictedLabels: LabelsLike;
  /** The class names, indexed by label; every label must be below its length. */
  classNames: readonly string[];
  /**
   * Optional confidence shown after the predicted class, e.g. `pred: Bag (97%)`: per image the
   * probability of the predicted class (length n, or a rank-1 tensor), or a `[n, classes]` tensor
   * of probabilities (softmax outputs), from which the predicted class's is taken. Values in 0..1.
   */
  probabilities?: ArrayLike<number> | Tensor;
  /** Images per row (default `min(n, 8)`). */
  columns?: number;
  /** The title above the grid (default `'Predictions'`), with a line below it counting the right predictions; `''` for neither. */
  title?: string;
  /** The displayed size of each image's longer side in px, 16–1000 (default 112; pixels are drawn as hard squares). */
  imageSize?: number;
  /**
   * Brightness mapping (default `[0, 255]` for integer data — `Uint8Array` and other integer typed
   * arrays, int32 tensors — and `[0, 1]` for floating-point data: float tensors, `Float32Array`, plain arrays).
   */
  pixelRange?: PixelRange;
}

/** Caption colours: GitHub's accessible green and red. */
export const CAPTION_COLORS = Object.freeze({ right: '#1a7f37', wrong: '#cf222e' });

const PADDING = 8;
const TITLE_SIZE = 13;
const SUBTITLE_SIZE = 11;
const CAPTION_SIZE = 11;
const LINE_HEIGHT = 14;
const COLUMN_GAP = 12;
const ROW_GAP = 10;
const MAX_CAPTION_WIDTH = 220;

interface RawImage {
  data: ArrayLike<number>;
  width: number;
  height: number;
  channels: number;
  integer: boolean;
}

const INTEGER_ARRAYS = [Uint8Array, Uint8ClampedArray, Uint16Array, Int8Array, Int16Array, Int32Array, Uint32Array];

/** Splits the images argument into per-image pixel arrays, checking shapes. */
function rawImages(images: PredictionGridOptions['images']): RawImage[] {
  if (isTensor(images)) {
    const shape = images.shape;
    if (shape.length !== 4 && shape.length !== 3) {
      throw new Error(`predictionGrid images tensor has shape [${shape.join(', ')}]; pass [n, height, width, channels] or [n, height, width].`);
    }
    if (images.dtype === 'string' || images.dtype === 'complex64') throw new Error(`predictionGrid images tensor is ${images.dtype}; pass numeric pixels.`);
    const [n = 0, height = 0, width = 0, channels = 1] = shape;
    const data = images.dataSync() as ArrayLike<number> & { subarray(begin: number, end: number): ArrayLike<number> };
    const size = height * width * channels;
    const integer = images.dtype === 'int32' || images.dtype === 'bool';
    return Array.from({ length: n }, (_, i) => ({ data: data.subarray(i * size, (i + 1) * size), width, height, channels, integer }));
  }
  if (!Array.isArray(images)) throw new Error(`predictionGrid images is ${String(images)}; pass an array of {data, height, width, channels} or a tensor.`);
  return images.map((image: GridImage, i) => {
    const { data, height, width, channels } = image ?? ({} as GridImage);
    if (![height, width].every((side) => Number.isInteger(side) && side > 0) || data == null || data.length !== height * width * channels) {
      throw new Error(
        `predictionGrid images[${i}] has ${data?.length ?? 'no'} values for height ${height}, width ${width}, channels ${channels}; ` +
          'pass data with height * width * channels values, channels last.',
      );
    }
    return { data, height, width, channels, integer: INTEGER_ARRAYS.some((type) => data instanceof type) };
  });
}

/** Converts one image to 8-bit pixels with the brightness mapping. */
function toRaster(image: RawImage, index: number, pixelRange: PixelRange | undefined): Raster {
  const { data, width, height, channels } = image;
  if (channels !== 1 && channels !== 3) {
    throw new Error(`predictionGrid images[${index}] has ${channels} channels; pass greyscale (1) or RGB (3) images.`);
  }
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const value = data[i] as number;
    if (!Number.isFinite(value)) throw new Error(`predictionGrid images[${index}] value ${i} is ${value}; pixels must be finite.`);
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  if (pixelRange !== 'per-image') [low, high] = pixelRange ?? (image.integer ? [0, 255] : [0, 1]);
  const scale = high > low ? 255 / (high - low) : 0;
  const pixels = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) pixels[i] = Math.round(Math.min(255, Math.max(0, ((data[i] as number) - low) * scale)));
  return { pixels, width, height, channels };
}

/** The probability of each image's predicted class, or undefined when none were given. */
function readProbabilities(probabilities: PredictionGridOptions['probabilities'], predicted: Int32Array): Float64Array | undefined {
  if (probabilities === undefined) return undefined;
  const n = predicted.length;
  let values: ArrayLike<number>;
  let perClass = 0;
  if (isTensor(probabilities)) {
    const { shape } = probabilities;
    if (shape.length === 2 && shape[0] === n) perClass = shape[1] ?? 0;
    else if (!(shape.length === 1 && shape[0] === n)) {
      throw new Error(`predictionGrid probabilities has shape [${shape.join(', ')}]; pass [${n}] (the predicted class's) or [${n}, classes].`);
    }
    values = probabilities.dataSync() as ArrayLike<number>;
  } else {
    if (probabilities.length !== n) throw new Error(`predictionGrid probabilities has ${probabilities.length} values for ${n} images; pass one per image.`);
    values = probabilities;
  }
  return Float64Array.from({ length: n }, (_, i) => {
    const label = predicted[i] ?? 0;
    if (perClass > 0 && label >= perClass) {
      throw new Error(`predictionGrid predictedLabels[${i}] is ${label} but probabilities has ${perClass} classes.`);
    }
    const value = values[perClass > 0 ? i * perClass + label : i] as number;
    if (!(value >= 0 && value <= 1)) throw new Error(`predictionGrid probability of image ${i} is ${value}; pass probabilities in 0..1 (apply softmax to logits).`);
    return value;
  });
}

function checkLabels(labels: Int32Array, name: string, n: number, classNames: readonly string[]): void {
  if (labels.length !== n) throw new Error(`predictionGrid ${name} has ${labels.length} labels for ${n} images; pass one per image.`);
  const bad = labels.findIndex((label) => label >= classNames.length);
  if (bad >= 0) {
    throw new Error(`predictionGrid ${name}[${bad}] is ${labels[bad]} but classNames has ${classNames.length} names; pass a name for every class.`);
  }
}

/**
 * Draws sample images in a grid, each captioned `true: X` and `pred: Y` (with the confidence when
 * `probabilities` is given): green when the prediction is right, red (with a red frame) when wrong.
 * Images are embedded in the SVG as PNG data URIs, so the SVG stands alone and the PNG shows them too.
 *
 * @throws If there are no images or more than 1000, the images, labels or probabilities disagree in number, a label has no class name,
 *   an image is not 1- or 3-channel, a pixel is not finite, or `columns`/`imageSize` is out of range.
 */
export function predictionGrid(options: PredictionGridOptions): Chart {
  const { classNames, title = 'Predictions', imageSize = 112, pixelRange } = options;
  const raw = rawImages(options.images);
  const n = raw.length;
  if (n === 0) throw new Error('predictionGrid images is empty; pass at least one image.');
  if (n > 1000) throw new Error(`predictionGrid got ${n} images; pass at most 1000 (a sample).`);
  const trueLabels = toLabelArray(options.trueLabels, 'trueLabels');
  const predictedLabels = toLabelArray(options.predictedLabels, 'predictedLabels');
  checkLabels(trueLabels, 'trueLabels', n, classNames);
  checkLabels(predictedLabels, 'predictedLabels', n, classNames);
  const columns = options.columns ?? Math.min(n, 8);
  if (!Number.isInteger(columns) || columns < 1) throw new Error(`predictionGrid columns is ${columns}; pass a positive integer.`);
  if (!Number.isFinite(imageSize) || imageSize < 16 || imageSize > 1000) throw new Error(`predictionGrid imageSize is ${imageSize} px; pass 16 to 1000.`);
  if (pixelRange !== undefined && pixelRange !== 'per-image' && !(pixelRange.length === 2 && pixelRange.every(Number.isFinite) && pixelRange[0] < pixelRange[1])) {
    throw new Error(`predictionGrid pixelRange is ${JSON.stringify(pixelRange)}; pass [black, white] with black < white, or 'per-image'.`);
  }
  const rasters = raw.map((image, i) => toRaster(image, i, pixelRange));
  const probabilities = readProbabilities(options.probabilities, predictedLabels);

  const captions = rasters.map((_, i) => {
    const predicted = classNames[predictedLabels[i] ?? 0] ?? '';
    const confidence = probabilities === undefined ? '' : ` (${Math.round((probabilities[i] ?? 0) * 100)}%)`;
    return { lines: [`true: ${classNames[trueLabels[i] ?? 0] ?? ''}`, `pred: ${predicted}${confidence}`], right: trueLabels[i] === predictedLabels[i] };
  });
  const measure = (text: string): number => measureText(text, CAPTION_SIZE);
  const widestCaption = Math.max(...captions.flatMap(({ lines }) => lines.map(measure)));
  const displayed = rasters.map(({ width, height }) => fitSize(width, height, imageSize));
  const imageHeight = Math.max(...displayed.map((size) => size.height));
  const cellWidth = Math.ceil(Math.max(imageSize, Math.min(widestCaption, MAX_CAPTION_WIDTH)));
  const cellHeight = imageHeight + 6 + 2 * LINE_HEIGHT;
  const rows = Math.ceil(n / columns);
  const usedColumns = Math.min(columns, n);
  const correct = captions.filter((caption) => caption.right).length;
  const headerHeight = title === '' ? 0 : TITLE_SIZE + 6 + SUBTITLE_SIZE + 10;
  const width = 2 * PADDING + usedColumns * cellWidth + (usedColumns - 1) * COLUMN_GAP;
  const height = 2 * PADDING + headerHeight + rows * cellHeight + (rows - 1) * ROW_GAP;
  if (width > 10_000 || height > 10_000) {
    throw new Error(`predictionGrid would be ${width} × ${height} px (over 10000); pass fewer images, fewer columns or a smaller imageSize.`);
  }

  const parts: string[] = [];
  if (title !== '') {
    parts.push(
      `<text x="${width / 2}" y="${PADDING + TITLE_SIZE}" text-anchor="middle" font-size="${TITLE_SIZE}" font-weight="bold">${escapeXml(title)}</text>`,
      `<text x="${width / 2}" y="${PADDING + TITLE_SIZE + 6 + SUBTITLE_SIZE}" text-anchor="middle" font-size="${SUBTITLE_SIZE}" fill="#555">${correct} of ${n} correct</text>`,
    );
  }
  rasters.forEach((raster, i) => {
    const column = i % columns;
    const row = Math.floor(i / columns);
    const left = PADDING + column * (cellWidth + COLUMN_GAP);
    const top = PADDING + headerHeight + row * (cellHeight + ROW_GAP);
    const size = displayed[i] ?? { width: imageSize, height: imageSize };
    const caption = captions[i] ?? { lines: [], right: true };
    const color = caption.right ? CAPTION_COLORS.right : CAPTION_COLORS.wrong;
    const x = left + (cellWidth - size.width) / 2;
    const y = top + (imageHeight - size.height) / 2;
    parts.push(`<g class="prediction" data-correct="${caption.right}">`);
    parts.push(svgImage(raster, { x, y, width: size.width, height: size.height }));
    if (!caption.right) parts.push(`<rect x="${x - 1}" y="${y - 1}" width="${size.width + 2}" height="${size.height + 2}" fill="none" stroke="${color}" stroke-width="2"/>`);
    caption.lines.forEach((line, k) => {
      const baseline = top + imageHeight + 4 + (k + 1) * LINE_HEIGHT - 3;
      const text = escapeXml(fitText(line, cellWidth, measure));
      parts.push(`<text x="${left + cellWidth / 2}" y="${baseline}" text-anchor="middle" font-size="${CAPTION_SIZE}" fill="${color}">${text}</text>`);
    });
    parts.push('</g>');
  });
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">` +
    `<rect width="${width}" height="${height}" fill="white"/>${parts.join('')}</svg>`;
  return createChart(svg);
}
