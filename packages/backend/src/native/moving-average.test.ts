import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../__fixtures__/conv-cases.js';
import { selectBackend } from '../index.js';
import { CNN_MOVING_AVERAGE } from './moving-average.js';

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

describe('CnnMovingAverage on wasm', () => {
  it("is bit-identical to tfjs-layers' moving-statistics update in tfjs ops, for several pairs at once", () => {
    const random = seededRandom(5);
    for (const momentum of [0.99, 0.9, 0.1, 0]) {
      const sizes = [1, 6, 16, 120, 1000];
      const pairs = sizes.map((n) => [tf.tensor1d(Float32Array.from({ length: n }, () => random() * 4 - 2)), tf.tensor1d(Float32Array.from({ length: n }, () => random() * 4))] as const);
      const before = tf.memory().numTensors;
      const inputs: tf.NamedTensorMap = {};
      pairs.forEach(([moving, value], i) => {
        inputs[`moving${i}`] = moving;
        inputs[`value${i}`] = value;
      });
      const fused = tf.engine().runKernel(CNN_MOVING_AVERAGE, inputs, { count: pairs.length, momentum }) as tf.Tensor[];
      const composed = pairs.map(([moving, value]) => tf.tidy(() => tf.sub(moving, tf.mul(tf.sub(moving, value), 1 - momentum))));
      expect(fused).toHaveLength(sizes.length);
      fused.forEach((t, i) => expect(Array.from(t.dataSync()), `momentum ${momentum}, n=${sizes[i]}`).toEqual(Array.from(composed[i]!.dataSync())));
      tf.dispose([...fused, ...composed]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose(pairs.flat());
    }
  });

  it('refuses mismatched pairs and bad attributes, naming them', () => {
    const [a, b] = [tf.zeros([3]), tf.zeros([4])];
    expect(() => tf.engine().runKernel(CNN_MOVING_AVERAGE, { moving0: a, value0: b }, { count: 1, momentum: 0.9 })).toThrow(/value0 has shape \[4\], expected \[3\]/);
    expect(() => tf.engine().runKernel(CNN_MOVING_AVERAGE, { moving0: a }, { count: 1, momentum: 0.9 })).toThrow(/missing input/);
    expect(() => tf.engine().runKernel(CNN_MOVING_AVERAGE, { moving0: a, value0: a }, { count: 1, momentum: Number.NaN })).toThrow(/momentum must be a finite number/);
    tf.dispose([a, b]);
  });
});
