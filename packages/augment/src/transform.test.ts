import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { compose, normalize, toUnitRange } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('transforms', () => {
  it('toUnitRange maps 0..255 to 0..1 like ToTensor', () => {
    const out = tf.tidy(() => toUnitRange()(tf.tensor4d([0, 51, 255, 128], [1, 2, 2, 1])).arraySync());
    expect(out[0]!.flat(2)).toEqual([0, 0.2, 1, 128 / 255].map((v) => expect.closeTo(v, 6)));
  });

  it('normalize subtracts the mean and divides by the std per channel', () => {
    const t = normalize({ mean: [0.5, 0.25], std: [0.5, 0.25] });
    const out = tf.tidy(() => t(tf.tensor4d([1, 0.5, 0, 0], [1, 1, 2, 2])).dataSync());
    expect(Array.from(out)).toEqual([1, 1, -1, -1]);
  });

  it('compose chains transforms and keeps no intermediate tensors', () => {
    const before = tf.memory().numTensors;
    const input = tf.fill([2, 3, 3, 1], 255) as tf.Tensor4D;
    const t = compose([toUnitRange(), normalize({ mean: [0.5], std: [0.5] })]);
    for (let i = 0; i < 3; i += 1) {
      const out = tf.tidy(() => t(input));
      expect(Array.from(out.dataSync()).every((v) => Math.abs(v - 1) < 1e-6)).toBe(true);
      out.dispose();
    }
    input.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses bad normalisation settings and channel mismatches', () => {
    expect(() => normalize({ mean: [0.5], std: [0.5, 0.5] })).toThrow(/equal length/);
    expect(() => normalize({ mean: [0.5], std: [0] })).toThrow(/std must be finite numbers > 0/);
    const t = normalize({ mean: [0.5, 0.5, 0.5], std: [1, 1, 1] });
    expect(() => tf.tidy(() => t(tf.zeros([1, 2, 2, 1]) as tf.Tensor4D))).toThrow(/3 channel\(s\) but the batch has 1/);
  });
});
