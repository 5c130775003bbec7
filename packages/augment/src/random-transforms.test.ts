import { epochSeed, mulberry32, type AnyImage, type FloatImage, type Image } from '@cnn/data';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CenterCrop,
  ColorJitter,
  Compose,
  GaussianBlur,
  GaussianNoise,
  Normalize,
  RandomCrop,
  RandomErasing,
  RandomHorizontalFlip,
  RandomResizedCrop,
  RandomRotation,
  RandomSubset,
  RandomVerticalFlip,
  Resize,
  rotate,
  SaltAndPepperNoise,
  seed002Manipulations,
  toBatchTransform,
  ToTensor,
  transformFromConfig,
  type Transform,
} from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A seeded test image with values 1..254 (so 0 and 255 mark fills and salt/pepper). */
function testImage(height = 12, width = 15, channels = 3, seed = 1): Image {
  const random = mulberry32(seed);
  const data = Uint8Array.from({ length: height * width * channels }, () => 1 + Math.floor(random() * 254));
  return { data, height, width, channels };
}

function constantImage(value: number, height: number, width: number, channels: number, float = false): AnyImage {
  const data = float ? new Float32Array(height * width * channels).fill(value) : new Uint8Array(height * width * channels).fill(value);
  return { data, height, width, channels } as AnyImage;
}

/** Mean and standard error of a list of 0/1 outcomes or values. */
function meanAndError(values: number[]): { mean: number; error: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  return { mean, error: Math.sqrt(variance / values.length) };
}

const everyTransform = (): Transform[] => [
  new Resize({ size: 9 }),
  new Resize({ size: [7, 20], interpolation: 'nearest' }),
  new CenterCrop({ size: [8, 10] }),
  new RandomCrop({ size: 10, padding: [2, 3], paddingMode: 'reflect' }),
  new RandomCrop({ size: [14, 16], padIfNeeded: true, fill: [1, 2, 3] }),
  new RandomResizedCrop({ size: 8, scale: [0.2, 0.9] }),
  new RandomHorizontalFlip(),
  new RandomVerticalFlip({ p: 0.7 }),
  new RandomRotation({ degrees: 30, interpolation: 'bilinear', fill: 9 }),
  new RandomRotation({ degrees: [0, 360], fillMode: 'wrap', expand: true }),
  new ColorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 }),
  new GaussianBlur({ kernelSize: [3, 5] }),
  new GaussianNoise({ sigma: 0.05 }),
  new SaltAndPepperNoise({ amount: 0.2, perChannel: false }),
  new RandomErasing({ p: 0.9, value: 'random' }),
  new Compose([new ToTensor(), new Normalize({ mean: [0.5, 0.4, 0.3], std: [0.2, 0.2, 0.2] }), new RandomErasing({ p: 1, value: [1, 2, 3] })]),
  seed002Manipulations(),
];

describe('every transform', () => {
  it('is seeded, leaves its input alone, and is rebuilt by transformFromConfig(toConfig()) and its worker recipe', async () => {
    const image = testImage();
    for (const t of everyTransform()) {
      const name = t.toConfig().name;
      const before = image.data.slice();
      const a = t.apply(image, mulberry32(42));
      expect(image.data, `${name} must not modify its input`).toEqual(before);
      expect(t.apply(image, mulberry32(42)), `${name} same seed`).toEqual(a);
      const config = structuredClone(t.toConfig());
      const rebuilt = transformFromConfig(config);
      expect(rebuilt.toConfig(), `${name} config round trip`).toEqual(t.toConfig());
      expect(rebuilt.apply(image, mulberry32(42)), `${name} rebuilt`).toEqual(a);
      const recipe = t.workerRecipe();
      expect(recipe.factory).toBe('transformFromConfig');
      const module = (await import(recipe.module)) as Record<string, (...args: unknown[]) => Transform>;
      expect(module[recipe.factory]!(...structuredClone(recipe.args)).apply(image, mulberry32(42)), `${name} recipe`).toEqual(a);
    }
    const varying = everyTransform().filter((t) => !['Resize', 'CenterCrop'].includes(t.toConfig().name));
    for (const t of varying) {
      // Hashed seeds: mulberry32's first draws for small consecutive seeds are correlated (all of 1..6 give > 0.5).
      const outputs = new Set([1, 2, 3, 4, 5, 6].map((seed) => JSON.stringify(Array.from(t.apply(image, mulberry32(epochSeed(seed, 0))).data))));
      expect(outputs.size, `${t.toConfig().name} varies with the seed`).toBeGreaterThan(1);
    }
  });

  it('rejects bad options with errors that name them', () => {
    expect(() => new Resize({ size: 0 })).toThrow(/Resize: size must be an integer >= 1, got 0/);
    expect(() => new Resize({ size: 5, interpolation: 'bicubic' as never })).toThrow(/interpolation must be one of 'nearest', 'bilinear', got "bicubic"/);
    expect(() => new RandomCrop({ size: 5, paddingMode: 'wrap' as never })).toThrow(/paddingMode/);
    expect(() => new RandomCrop({ size: 5, padding: [1, 2, 3] })).toThrow(/padding must be one number/);
    expect(() => new RandomCrop({ size: 50 }).apply(testImage(), mulberry32(1))).toThrow(/larger than the \(padded\) image 12x15; pass padIfNeeded/);
    expect(() => new RandomResizedCrop({ size: 5, scale: [0.9, 0.1] })).toThrow(/scale must be \[low, high\]/);
    expect(() => new RandomHorizontalFlip({ p: 1.5 })).toThrow(/p must be a finite number in \[0, 1\], got 1.5/);
    expect(() => new ColorJitter({ hue: 0.7 })).toThrow(/hue values must lie in \[-0.5, 0.5\]/);
    expect(() => new ColorJitter({ brightness: -1 })).toThrow(/brightness must be a finite number/);
    expect(() => new GaussianBlur({ kernelSize: 4 })).toThrow(/odd positive integer/);
    expect(() => new RandomRotation({ degrees: -3 })).toThrow(/degrees/);
    expect(() => new Normalize({ mean: [0.5], std: [0] })).toThrow(/std must be finite numbers > 0/);
    expect(() => new Normalize({ mean: [0.5], std: [1] }).apply(testImage(4, 4, 1))).toThrow(/put ToTensor before Normalize/);
    expect(() => new Normalize({ mean: [0.5], std: [1] }).apply(new ToTensor().apply(testImage()))).toThrow(/1 channel\(s\) but the image has 3/);
    expect(() => new RandomErasing({ value: [1, 2] }).apply(testImage(), () => 0)).toThrow(/value \[1,2\] has 2 entries but the image has 3/);
    expect(() => new RandomSubset({ transforms: [new ToTensor()], max: 2 })).toThrow(/max 2 exceeds the 1 transforms/);
    expect(() => transformFromConfig({ name: 'Sharpen' })).toThrow(/unknown transform 'Sharpen'; registered: Resize, /);
    expect(() => new Resize({ size: 3 }).apply({ data: new Uint8Array(5), height: 2, width: 2, channels: 1 }, () => 0)).toThrow(/2\*2\*1 values, got 5/);
  });
});

describe('random transform statistics', () => {
  it('flips with probability p', () => {
    const flip = new RandomHorizontalFlip({ p: 0.3 });
    const random = mulberry32(3);
    const outcomes = Array.from({ length: 4000 }, () => (flip.sampleParameters(random) ? 1 : 0));
    const { mean, error } = meanAndError(outcomes);
    expect(Math.abs(mean - 0.3)).toBeLessThan(4 * error);
    const image = testImage(1, 2, 1);
    expect(new RandomVerticalFlip({ p: 1 }).apply(testImage(2, 1, 1), () => 0.99).data).toEqual(testImage(2, 1, 1).data.slice().reverse());
    expect(new RandomHorizontalFlip({ p: 0 }).apply(image, () => 0).data).toEqual(image.data);
  });

  it('RandomResizedCrop draws areas and aspect ratios within their ranges, and falls back to a central crop', () => {
    const t = new RandomResizedCrop({ size: 16, scale: [0.1, 0.6], ratio: [0.5, 2] });
    const random = mulberry32(5);
    const areas: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const box = t.sampleParameters(100, 120, random);
      expect(box.top >= 0 && box.left >= 0 && box.top + box.height <= 100 && box.left + box.width <= 120).toBe(true);
      const area = (box.height * box.width) / (100 * 120);
      areas.push(area);
      // Rounding each side to pixels moves the area and ratio a little beyond the drawn values.
      expect(area).toBeGreaterThan(0.1 * 0.95);
      expect(area).toBeLessThan(0.6 * 1.05);
      const ratio = box.width / box.height;
      expect(ratio).toBeGreaterThan(0.5 * 0.9);
      expect(ratio).toBeLessThan(2 * 1.1);
    }
    // The mean area of U(0.1, 0.6) is 0.35 (attempts that don't fit are retried, so it's only roughly that).
    expect(meanAndError(areas).mean).toBeCloseTo(0.35, 1);
    // No attempt can fit a 1x50 strip with ratio within [0.5, 2]... nor its area: central fallback, as torchvision.
    expect(new RandomResizedCrop({ size: 4, scale: [0.9, 1], ratio: [0.5, 2] }).sampleParameters(1, 50, mulberry32(1))).toEqual({ top: 0, left: 24, height: 1, width: 2 });
    expect(new RandomResizedCrop({ size: 4 }).apply(testImage(), mulberry32(1))).toMatchObject({ height: 4, width: 4, channels: 3 });
  });

  it('RandomCrop positions are uniform over the padded image', () => {
    const t = new RandomCrop({ size: 10, padding: 2 });
    const random = mulberry32(9);
    const tops = new Map<number, number>();
    for (let i = 0; i < 3000; i++) {
      const { top } = t.sampleParameters(16, 19, random);
      tops.set(top, (tops.get(top) ?? 0) + 1);
    }
    expect([...tops.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (const count of tops.values()) expect(Math.abs(count - 3000 / 7)).toBeLessThan(4 * Math.sqrt(3000 / 7));
    const padded = new RandomCrop({ size: [20, 30], padIfNeeded: true, fill: 0 }).apply(testImage(), mulberry32(2));
    expect([padded.height, padded.width]).toEqual([20, 30]);
  });

  it('RandomErasing erases with probability p, boxes within scale and ratio', () => {
    const t = new RandomErasing({ p: 0.4, scale: [0.05, 0.2], ratio: [0.5, 2], value: 0 });
    const random = mulberry32(11);
    const erased: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const box = t.sampleParameters(60, 80, random);
      erased.push(box ? 1 : 0);
      if (box) {
        const area = (box.height * box.width) / 4800;
        expect(area).toBeGreaterThan(0.05 * 0.9);
        expect(area).toBeLessThan(0.2 * 1.1);
        expect(box.top + box.height <= 60 && box.left + box.width <= 80).toBe(true);
      }
    }
    const { mean, error } = meanAndError(erased);
    expect(Math.abs(mean - 0.4)).toBeLessThan(4 * error);
    const out = new RandomErasing({ p: 1, value: 0 }).apply(testImage(), mulberry32(4));
    const zeros = out.data.filter((v) => v === 0).length;
    expect(zeros % 3).toBe(0);
    expect(zeros).toBeGreaterThan(0);
  });

  it('GaussianNoise has the requested mean and standard deviation (floats and bytes)', () => {
    const floats = new GaussianNoise({ sigma: 0.1 }).apply(constantImage(0.5, 50, 50, 3, true), mulberry32(1));
    const f = meanAndError(Array.from(floats.data, (v) => v - 0.5));
    expect(Math.abs(f.mean)).toBeLessThan(4 * f.error);
    expect(Math.sqrt(f.error ** 2 * floats.data.length)).toBeCloseTo(0.1, 2);
    const bytes = new GaussianNoise({ mean: 0.1, sigma: 0.05 }).apply(constantImage(100, 50, 50, 3), mulberry32(2));
    const b = meanAndError(Array.from(bytes.data, (v) => v - 100));
    expect(Math.abs(b.mean - 25.5)).toBeLessThan(4 * b.error + 0.05);
    expect(Math.sqrt(b.error ** 2 * bytes.data.length)).toBeCloseTo(12.75, 0);
  });

  it('SaltAndPepperNoise replaces the requested amount, half salt', () => {
    const out = new SaltAndPepperNoise({ amount: 0.1 }).apply(constantImage(128, 60, 60, 3), mulberry32(3));
    const salt = out.data.filter((v) => v === 255).length / out.data.length;
    const pepper = out.data.filter((v) => v === 0).length / out.data.length;
    const n = out.data.length;
    expect(Math.abs(salt + pepper - 0.1)).toBeLessThan(4 * Math.sqrt((0.1 * 0.9) / n));
    expect(Math.abs(salt - 0.05)).toBeLessThan(4 * Math.sqrt((0.05 * 0.95) / n));
    const whole = new SaltAndPepperNoise({ amount: 0.3, perChannel: false }).apply(constantImage(128, 20, 20, 3), mulberry32(3));
    for (let i = 0; i < whole.data.length; i += 3) expect(new Set(whole.data.subarray(i, i + 3)).size).toBe(1);
  });

  it('ColorJitter draws a permutation and factors within their ranges', () => {
    const t = new ColorJitter({ brightness: [0.5, 1.5], contrast: 0.2, saturation: 2, hue: 0.1 });
    const random = mulberry32(8);
    for (let i = 0; i < 500; i++) {
      const p = t.sampleParameters(random);
      expect([...p.order].sort()).toEqual([0, 1, 2, 3]);
      expect(p.brightness! >= 0.5 && p.brightness! <= 1.5).toBe(true);
      expect(p.contrast! >= 0.8 && p.contrast! <= 1.2).toBe(true);
      expect(p.saturation! >= 0 && p.saturation! <= 3).toBe(true);
      expect(p.hue! >= -0.1 && p.hue! <= 0.1).toBe(true);
    }
    expect(new ColorJitter({ brightness: 0 }).brightness).toBeUndefined();
  });

  it('RandomRotation wrap mode tiles where constant mode fills, and agrees inside', () => {
    const image = testImage(9, 14, 1);
    const constant = rotate(image, 30, { fill: 0 });
    const wrapped = rotate(image, 30, { fillMode: 'wrap' });
    let filled = 0;
    for (let i = 0; i < constant.data.length; i++) {
      if (constant.data[i] === 0) filled++;
      else expect(wrapped.data[i]).toBe(constant.data[i]);
    }
    expect(filled).toBeGreaterThan(10);
    expect(wrapped.data.every((v) => v !== 0)).toBe(true);
    // Wrap at 90° about an off-centre point is a pure index permutation: every source value appears, re-tiled.
    const turned = rotate(image, 90, { fillMode: 'wrap', center: [3, 3] });
    expect([...turned.data].sort()).toEqual([...rotate(image, 90, { fillMode: 'wrap', center: [3, 3], interpolation: 'nearest' }).data].sort());
    expect(rotate(image, 20, { fillMode: 'reflect', interpolation: 'bilinear' }).data.every((v) => v !== 0)).toBe(true);
  });

  it('RandomSubset applies between min and max distinct transforms', () => {
    const t = new RandomSubset({ transforms: [new ToTensor(), new RandomHorizontalFlip(), new GaussianNoise()], min: 1, max: 2 });
    const random = mulberry32(4);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 600; i++) {
      const picked = t.sampleParameters(random);
      expect(new Set(picked).size).toBe(picked.length);
      counts[picked.length]!++;
    }
    expect(counts[0]).toBe(0);
    expect(counts[3]).toBe(0);
    expect(Math.abs(counts[1]! - 300)).toBeLessThan(4 * Math.sqrt(150));
  });
});

describe('batch versions', () => {
  const batchOf = (images: AnyImage[]): tf.Tensor4D => {
    const { height, width, channels } = images[0]!;
    const data = new Float32Array(images.length * height * width * channels);
    images.forEach((im, i) => data.set(im.data, i * height * width * channels));
    return tf.tensor4d(data, [images.length, height, width, channels]);
  };

  it('match the per-image versions for the same random draws, and keep no tensors', () => {
    const images = [1, 2, 3, 4, 5].map((seed) => testImage(12, 15, 3, seed));
    const floats = images.map((im) => new ToTensor().apply(im));
    const cases: Array<{ t: Transform; inputs: AnyImage[]; tolerance: number }> = [
      { t: new RandomHorizontalFlip(), inputs: images, tolerance: 0 },
      { t: new RandomVerticalFlip({ p: 0.6 }), inputs: images, tolerance: 0 },
      { t: new CenterCrop({ size: [7, 9] }), inputs: images, tolerance: 0 },
      { t: new RandomCrop({ size: [10, 12], padding: [3, 1, 2, 4], paddingMode: 'symmetric' }), inputs: images, tolerance: 0 },
      { t: new RandomCrop({ size: 14, padding: 2, fill: [5, 6, 7] }), inputs: images, tolerance: 0 },
      { t: new RandomCrop({ size: 13, padding: 1, paddingMode: 'edge' }), inputs: images, tolerance: 0 },
      { t: new RandomErasing({ p: 0.7, value: [9, 8, 7] }), inputs: images, tolerance: 0 },
      { t: new ToTensor(), inputs: images, tolerance: 1e-7 },
      { t: new Normalize({ mean: [0.4, 0.5, 0.6], std: [0.2, 0.3, 0.25] }), inputs: floats, tolerance: 1e-5 },
      { t: new ColorJitter({ brightness: 0.5, contrast: 0.5, saturation: 0.5, maxValue: 1 }), inputs: floats, tolerance: 1e-5 },
    ];
    for (const { t, inputs, tolerance } of cases) {
      const name = t.toConfig().name;
      const random = mulberry32(17);
      const expected = inputs.map((im) => t.apply(im, random));
      const input = batchOf(inputs);
      const before = tf.memory().numTensors;
      const out = tf.tidy(() => t.applyBatch!(input, mulberry32(17)));
      expect(tf.memory().numTensors, `${name} leaks`).toBe(before + 1);
      const want = batchOf(expected);
      expect(out.shape, name).toEqual(want.shape);
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(out, want))).dataSync()[0]!);
      expect(diff, `${name} batch vs per image`).toBeLessThanOrEqual(tolerance);
      tf.dispose([input, out, want]);
    }
  });

  it('Compose runs the batch versions in order', () => {
    const input = batchOf([1, 2, 3].map((seed) => testImage(12, 15, 3, seed)));
    const crop = new RandomCrop({ size: 10, padding: 1 });
    const flip = new RandomHorizontalFlip();
    const random = mulberry32(3);
    const want = tf.tidy(() => flip.applyBatch(crop.applyBatch(input, random), random));
    const got = tf.tidy(() => new Compose([crop, flip]).applyBatch(input, mulberry32(3)));
    expect(got.dataSync()).toEqual(want.dataSync());
    expect(() => new Compose([crop, new Resize({ size: 3 })]).applyBatch(input, random)).toThrow(/no batch version for Resize/);
    tf.dispose([input, want, got]);
  });

  it('noise batches have the requested statistics and repeat with the seed', () => {
    const input = tf.fill([4, 40, 40, 3], 128) as tf.Tensor4D;
    const n = 4 * 40 * 40 * 3;
    const gaussian = new GaussianNoise({ sigma: 0.1 });
    const a = tf.tidy(() => gaussian.applyBatch(input, mulberry32(1)));
    const b = tf.tidy(() => gaussian.applyBatch(input, mulberry32(1)));
    expect(a.dataSync()).toEqual(b.dataSync());
    const { mean, variance } = tf.tidy(() => {
      const m = tf.moments(tf.sub(a, 128));
      return { mean: m.mean.dataSync()[0]!, variance: m.variance.dataSync()[0]! };
    });
    expect(Math.abs(mean)).toBeLessThan(4 * (25.5 / Math.sqrt(n)));
    expect(Math.abs(Math.sqrt(variance) - 25.5)).toBeLessThan(4 * (25.5 / Math.sqrt(2 * n)));
    const salty = tf.tidy(() => new SaltAndPepperNoise({ amount: 0.2 }).applyBatch(input, mulberry32(2)));
    const values = Array.from(salty.dataSync());
    const changed = values.filter((v) => v !== 128).length / values.length;
    expect(Math.abs(changed - 0.2)).toBeLessThan(4 * Math.sqrt((0.2 * 0.8) / values.length));
    expect(values.every((v) => v === 0 || v === 128 || v === 255)).toBe(true);
    tf.dispose([input, a, b, salty]);
  });

  it('toBatchTransform runs a batch version on a seeded generator that carries over batches', () => {
    const input = tf.tensor4d(Array.from({ length: 8 * 2 * 3 }, (_, i) => i), [8, 2, 3, 1]);
    const run = (): number[][] => {
      const t = toBatchTransform(new RandomHorizontalFlip(), 5);
      return [0, 1].map(() => tf.tidy(() => Array.from(t(input).dataSync())));
    };
    const [first, second] = run();
    expect(run()).toEqual([first, second]);
    expect(first).not.toEqual(second);
    expect(() => toBatchTransform(new Resize({ size: 4 }))).toThrow(/Resize has no batch version/);
    expect(() => new ColorJitter({ hue: 0.1 }).applyBatch(input, mulberry32(1))).toThrow(/does not do hue/);
    input.dispose();
  });
});

describe('float images', () => {
  it('colour jitter on floats follows torchvision tensor arithmetic and stays within 0..1', () => {
    const image = new ToTensor().apply(testImage()) as FloatImage;
    const t = new ColorJitter({ brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.3 });
    const out = t.apply(image, mulberry32(1));
    expect(out.data).toBeInstanceOf(Float32Array);
    expect(Array.from(out.data).every((v) => v >= 0 && v <= 1)).toBe(true);
    // Hue shift of a full turn's half twice is the identity (floats, no 8-bit rounding).
    const back = t.applyParameters(t.applyParameters(image, { order: [3], brightness: undefined, contrast: undefined, saturation: undefined, hue: 0.5 }), {
      order: [3], brightness: undefined, contrast: undefined, saturation: undefined, hue: -0.5,
    });
    for (let i = 0; i < image.data.length; i++) expect(back.data[i]).toBeCloseTo(image.data[i]!, 5);
  });
});
