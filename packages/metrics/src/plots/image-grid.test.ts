import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Resvg } from '@resvg/resvg-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { PNG_SIGNATURE, readPngSize } from './__fixtures__/png.js';
import { CAPTION_COLORS, type GridImage, predictionGrid } from './image-grid.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const classNames = ['T-shirt/top', 'Trouser', 'Bag & co'];

/** A uniform greyscale image of `value`, as `@cnn/data` gives them (Uint8Array, 0..255). */
function flat(value: number, size = 4): GridImage {
  return { data: new Uint8Array(size * size).fill(value), height: size, width: size, channels: 1 };
}

/** The `<g class="prediction">` groups of the SVG, in order. */
function cells(svg: string): string[] {
  return svg.match(/<g class="prediction"[\s\S]*?<\/g>/g) ?? [];
}

/** RGBA of the rendered chart at (x, y), scale 1. */
function pixelAt(svg: string, x: number, y: number): number[] {
  const image = new Resvg(svg).render();
  const at = (y * image.width + x) * 4;
  return [...image.pixels.subarray(at, at + 4)];
}

/** Where the i-th embedded image is drawn. */
function imageBox(svg: string, i: number): { x: number; y: number; width: number; height: number } {
  const match = [...svg.matchAll(/<image x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)][i];
  if (match === undefined) throw new Error(`no image ${i}`);
  const [x, y, width, height] = match.slice(1).map(Number) as [number, number, number, number];
  return { x, y, width, height };
}

describe('predictionGrid', () => {
  it('captions each image with true and predicted class, green when right and red when wrong', () => {
    const { svg } = predictionGrid({
      images: [flat(0), flat(128), flat(255)],
      trueLabels: [0, 1, 2],
      predictedLabels: [0, 2, 2],
      classNames,
      title: 'Test set',
    });
    expect(svg).toContain('>Test set<');
    expect(svg).toContain('>2 of 3 correct<');
    const [right, wrong, escaped] = cells(svg);
    expect(right).toContain('data-correct="true"');
    expect(right).toContain(`fill="${CAPTION_COLORS.right}">true: T-shirt/top</text>`);
    expect(right).toContain(`fill="${CAPTION_COLORS.right}">pred: T-shirt/top</text>`);
    expect(right).not.toContain(CAPTION_COLORS.wrong);
    expect(wrong).toContain('data-correct="false"');
    expect(wrong).toContain(`fill="${CAPTION_COLORS.wrong}">true: Trouser</text>`);
    expect(wrong).toContain(`fill="${CAPTION_COLORS.wrong}">pred: Bag &amp; co</text>`);
    expect(wrong).toContain(`stroke="${CAPTION_COLORS.wrong}"`); // red frame
    expect(escaped).toContain('>true: Bag &amp; co</text>');
    expect(svg.match(/href="data:image\/png;base64,/g)).toHaveLength(3);
  });

  it('draws the pixels: uint8 data on 0..255, float tensors on 0..1', () => {
    const tensor = tf.tensor4d([...new Array(16).fill(1), ...new Array(16).fill(0.5)], [2, 4, 4, 1]);
    const before = tf.memory().numTensors;
    const fromTensor = predictionGrid({ images: tensor, trueLabels: [0, 1], predictedLabels: [0, 1], classNames });
    expect(tf.memory().numTensors).toBe(before);
    tensor.dispose();
    const fromBytes = predictionGrid({ images: [flat(255), flat(128)], trueLabels: [0, 1], predictedLabels: [0, 1], classNames });
    for (const { svg } of [fromTensor, fromBytes]) {
      const white = imageBox(svg, 0);
      const grey = imageBox(svg, 1);
      expect(white.width).toBe(112); // default imageSize
      expect(pixelAt(svg, white.x + 50, white.y + 50)).toEqual([255, 255, 255, 255]);
      expect(pixelAt(svg, grey.x + 50, grey.y + 50)).toEqual([128, 128, 128, 255]);
    }
  });

  it("stretches each image to its own range with pixelRange 'per-image', and reads RGB and [n, h, w] tensors", () => {
    const dark = { data: new Float32Array([-2, -1, -2, -1]), height: 2, width: 2, channels: 1 }; // left column black, right white
    const { svg } = predictionGrid({ images: [dark], trueLabels: [0], predictedLabels: [0], classNames, pixelRange: 'per-image' });
    const box = imageBox(svg, 0);
    expect(pixelAt(svg, box.x + 10, box.y + 10)).toEqual([0, 0, 0, 255]);
    expect(pixelAt(svg, box.x + box.width - 10, box.y + 10)).toEqual([255, 255, 255, 255]);

    const red = { data: new Uint8Array([255, 0, 0, 255, 0, 0, 255, 0, 0, 255, 0, 0]), height: 2, width: 2, channels: 3 };
    const rgb = predictionGrid({ images: [red], trueLabels: [1], predictedLabels: [1], classNames });
    const redBox = imageBox(rgb.svg, 0);
    expect(pixelAt(rgb.svg, redBox.x + 20, redBox.y + 20)).toEqual([255, 0, 0, 255]);

    const greyscale = tf.zeros([3, 5, 7]);
    const wide = predictionGrid({ images: greyscale, trueLabels: [0, 0, 0], predictedLabels: [0, 0, 0], classNames, columns: 2, imageSize: 70 });
    greyscale.dispose();
    expect(imageBox(wide.svg, 0)).toMatchObject({ width: 70, height: 50 }); // 7 × 5 scaled to 70 px wide
    expect(imageBox(wide.svg, 2).y).toBeGreaterThan(imageBox(wide.svg, 0).y); // the third image starts a second row
  });

  it('shows the predicted class probability, from [n] values or an [n, classes] tensor', () => {
    const images = [flat(0), flat(0)];
    const fromValues = predictionGrid({ images, trueLabels: [0, 1], predictedLabels: [0, 2], classNames, probabilities: [0.934, 0.51] });
    expect(fromValues.svg).toContain('>pred: T-shirt/top (93%)<');
    expect(fromValues.svg).toContain('>pred: Bag &amp; co (51%)<');
    const softmax = tf.tensor2d([
      [0.7, 0.2, 0.1],
      [0.1, 0.3, 0.6],
    ]);
    const fromTensor = predictionGrid({ images, trueLabels: [0, 1], predictedLabels: [0, 2], classNames, probabilities: softmax });
    softmax.dispose();
    expect(fromTensor.svg).toContain('>pred: T-shirt/top (70%)<');
    expect(fromTensor.svg).toContain('>pred: Bag &amp; co (60%)<');
  });

  it('shortens long class names to fit the cell', () => {
    const long = ['A class name far too long to fit under a small image at all', 'b'];
    const { svg } = predictionGrid({ images: [flat(0)], trueLabels: [0], predictedLabels: [1], classNames: long });
    expect(svg).toMatch(/>true: A class name [^<]*…<\/text>/);
  });

  it('renders a PNG of the whole grid', () => {
    const chart = predictionGrid({ images: [flat(0), flat(50), flat(100)], trueLabels: [0, 1, 2], predictedLabels: [0, 1, 0], classNames, columns: 2 });
    const width = Number(/^<svg[^>]* width="(\d+)"/.exec(chart.svg)?.[1]);
    const height = Number(/^<svg[^>]* height="(\d+)"/.exec(chart.svg)?.[1]);
    expect(width).toBe(2 * 8 + 2 * 112 + 12); // padding, two columns of 112 px, one gap
    const png = chart.png();
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(readPngSize(png)).toEqual({ width: 2 * width, height: 2 * height });
  });

  it('rejects inputs that do not fit together, naming the value', () => {
    const images = [flat(0), flat(0)];
    const base = { images, trueLabels: [0, 1], predictedLabels: [0, 1], classNames };
    expect(() => predictionGrid({ ...base, images: [] })).toThrow('images is empty');
    expect(() => predictionGrid({ ...base, trueLabels: [0] })).toThrow('trueLabels has 1 labels for 2 images');
    expect(() => predictionGrid({ ...base, predictedLabels: [0, 3] })).toThrow('predictedLabels[1] is 3 but classNames has 3 names');
    expect(() => predictionGrid({ ...base, trueLabels: [0, -1] })).toThrow('trueLabels');
    expect(() => predictionGrid({ ...base, images: [flat(0), { data: new Uint8Array(3), height: 2, width: 2, channels: 1 }] })).toThrow(
      'images[1] has 3 values for height 2, width 2, channels 1',
    );
    expect(() => predictionGrid({ ...base, images: [flat(0), { data: new Uint8Array(8), height: 2, width: 2, channels: 2 }] })).toThrow(
      'images[1] has 2 channels; pass greyscale (1) or RGB (3)',
    );
    expect(() => predictionGrid({ ...base, images: [flat(0), { data: [0, 0, Number.NaN, 0], height: 2, width: 2, channels: 1 }] })).toThrow(
      'images[1] value 2 is NaN',
    );
    const rank2 = tf.zeros([2, 4]);
    expect(() => predictionGrid({ ...base, images: rank2 })).toThrow('images tensor has shape [2, 4]');
    rank2.dispose();
    expect(() => predictionGrid({ ...base, probabilities: [0.5] })).toThrow('probabilities has 1 values for 2 images');
    expect(() => predictionGrid({ ...base, probabilities: [0.5, 3] })).toThrow('probability of image 1 is 3');
    expect(() => predictionGrid({ ...base, columns: 0 })).toThrow('columns is 0');
    expect(() => predictionGrid({ ...base, imageSize: 5 })).toThrow('imageSize is 5 px');
    expect(() => predictionGrid({ ...base, pixelRange: [1, 1] })).toThrow('pixelRange is [1,1]');
  });
});
