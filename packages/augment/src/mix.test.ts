import { mulberry32 } from '@cnn/data';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { cutmix, mixup, sampleBeta, sampleGamma } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function moments(values: number[]): { mean: number; variance: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, variance: values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1) };
}

describe('Gamma and Beta samplers', () => {
  it('have the right means and variances (Marsaglia–Tsang, boosted below shape 1)', () => {
    const random = mulberry32(1);
    const n = 20000;
    for (const shape of [0.3, 1, 2.5]) {
      const { mean, variance } = moments(Array.from({ length: n }, () => sampleGamma(random, shape)));
      expect(Math.abs(mean - shape)).toBeLessThan(4 * Math.sqrt(shape / n));
      expect(variance / shape).toBeGreaterThan(0.9);
      expect(variance / shape).toBeLessThan(1.1);
    }
    for (const [a, b] of [[0.4, 0.4], [2, 5], [1, 1]] as const) {
      const values = Array.from({ length: n }, () => sampleBeta(random, a, b));
      expect(values.every((v) => v >= 0 && v <= 1)).toBe(true);
      const { mean, variance } = moments(values);
      const wantVariance = (a * b) / ((a + b) ** 2 * (a + b + 1));
      expect(Math.abs(mean - a / (a + b))).toBeLessThan(4 * Math.sqrt(wantVariance / n));
      expect(Math.abs(variance - wantVariance) / wantVariance).toBeLessThan(0.06);
    }
    expect(() => sampleGamma(random, 0)).toThrow(/shape must be a finite number > 0, got 0/);
  });
});

describe('mixup and cutmix', () => {
  // Sample i is filled with the value i + 1, so every pixel says which image it came from.
  const n = 4;
  const make = (): { images: tf.Tensor4D; labels: tf.Tensor1D } => ({
    images: tf.tensor4d(Array.from({ length: n * 10 * 12 * 2 }, (_, i) => Math.floor(i / (10 * 12 * 2)) + 1), [n, 10, 12, 2]),
    labels: tf.tensor1d([0, 2, 1, 2], 'int32'),
  });

  it('mixup mixes images and one-hot labels with the same lambda, rows summing to 1', () => {
    const { images, labels } = make();
    const before = tf.memory().numTensors;
    const out = mixup(images, labels, mulberry32(3), { alpha: 0.4, numClasses: 3 });
    expect(tf.memory().numTensors).toBe(before + 2);
    const lambda = out.lambda;
    expect(lambda).toBeGreaterThanOrEqual(0);
    expect(lambda).toBeLessThanOrEqual(1);
    const soft = out.labels.arraySync();
    const pixels = out.images.arraySync();
    for (let i = 0; i < n; i++) {
      expect(soft[i]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      const previous = (i + n - 1) % n;
      expect(pixels[i]![0]![0]![0]).toBeCloseTo(lambda * (i + 1) + (1 - lambda) * (previous + 1), 5);
    }
    // Sample 1 (class 2) mixed with sample 0 (class 0).
    expect(soft[1]).toEqual([expect.closeTo(1 - lambda, 6), 0, expect.closeTo(lambda, 6)]);
    tf.dispose([images, labels, out.images, out.labels]);
  });

  it('cutmix pastes a box from the next image and its label weights equal the pixel shares', () => {
    const { images, labels } = make();
    const oneHot = tf.oneHot(labels, 3);
    for (let seed = 1; seed <= 20; seed++) {
      const out = cutmix(images, oneHot, mulberry32(seed), { alpha: 1 });
      const [x1, y1, x2, y2] = out.box!;
      expect(0 <= x1 && x1 <= x2 && x2 <= 12 && 0 <= y1 && y1 <= y2 && y2 <= 10).toBe(true);
      const pixels = out.images.arraySync();
      const soft = out.labels.arraySync();
      for (let i = 0; i < n; i++) {
        let own = 0;
        for (const row of pixels[i]!) for (const px of row) if (px[0] === i + 1) own++;
        expect(own / 120, `seed ${seed} sample ${i}`).toBeCloseTo(out.lambda, 10);
        expect(soft[i]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      }
      // Sample 2 (class 1) gets 1 - lambda of sample 1's class 2.
      expect(soft[2]).toEqual([0, expect.closeTo(out.lambda, 6), expect.closeTo(1 - out.lambda, 6)]);
      tf.dispose([out.images, out.labels]);
    }
    expect(() => cutmix(images, labels, mulberry32(1))).toThrow(/integer labels need numClasses/);
    expect(() => mixup(images, tf.tensor1d([1, 2]), mulberry32(1), { numClasses: 3 })).toThrow(/4 images but 2 labels/);
    tf.dispose([images, labels, oneHot]);
  });
});
