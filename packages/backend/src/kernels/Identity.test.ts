import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../index.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
  await selectBackend({ backend: 'wasm' });
});

describe('the wasm Identity', () => {
  it('shares the input data: a clone allocates nothing, and either tensor outlives the other', async () => {
    for (const dtype of ['float32', 'int32', 'bool', 'string'] as const) {
      const x = dtype === 'string' ? tf.tensor(['a', 'bc', 'def']) : tf.tensor([1, 0, 3, 4], [2, 2], dtype);
      const expected = await x.data();
      const buffers = tf.memory().numDataBuffers;
      const y = tf.clone(x);
      expect(tf.memory().numDataBuffers, dtype).toBe(buffers); // one buffer, two tensors
      x.dispose();
      expect(await y.data(), dtype).toEqual(expected);
      const z = tf.clone(y);
      y.dispose();
      expect(await z.data(), dtype).toEqual(expected);
      z.dispose();
      expect(tf.memory().numDataBuffers, dtype).toBe(buffers - 1); // freed with its last tensor
    }
  });

  it('keeps tensors saved for a gradient without copying them, and the gradient right', async () => {
    const x = tf.randomNormal([64, 256], 0, 1, 'float32', 3);
    const w = tf.variable(tf.randomNormal([256, 256], 0, 0.05, 'float32', 4));
    const f = (): tf.Scalar => tf.sum(tf.sigmoid(tf.matMul(tf.sigmoid(tf.matMul(x, w)), w)));
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(f, [w]);
    expect(tf.memory().numTensors).toBe(before + 2);
    // more steps leave nothing behind: the shared saved tensors are released with the tape
    const buffers = tf.memory().numDataBuffers;
    for (let i = 0; i < 5; i++) {
      const step = tf.variableGrads(f, [w]);
      tf.dispose([step.value, ...Object.values(step.grads)]);
    }
    expect(tf.memory().numDataBuffers).toBe(buffers);
    await tf.setBackend('cpu');
    const cpuX = tf.tensor(await x.data(), x.shape);
    const cpuW = tf.variable(tf.tensor(await w.data(), w.shape));
    const g = (): tf.Scalar => tf.sum(tf.sigmoid(tf.matMul(tf.sigmoid(tf.matMul(cpuX, cpuW)), cpuW)));
    const expected = await tf.variableGrads(g, [cpuW]).grads[cpuW.name]!.data();
    await tf.setBackend('wasm');
    const actual = await grads[w.name]!.data();
    let worst = 0;
    for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (Math.abs(expected[i]!) + 1e-3));
    expect(worst).toBeLessThan(1e-3);
    expect((await value.data())[0]).toBeCloseTo((await g().data())[0]!, 0);
    tf.dispose([value, ...Object.values(grads), w]);
  });

  it('Cast to the same dtype shares the data too; a real cast still converts', async () => {
    const x = tf.tensor([1.5, -2.25, 3], [3], 'float32');
    const buffers = tf.memory().numDataBuffers;
    const same = tf.cast(x, 'float32');
    expect(tf.memory().numDataBuffers).toBe(buffers);
    x.dispose();
    expect(Array.from(await same.data())).toEqual([1.5, -2.25, 3]);
    const converted = tf.cast(same, 'int32');
    expect(tf.memory().numDataBuffers).toBe(buffers + 1);
    expect(converted.dtype).toBe('int32');
    expect(Array.from(await converted.data())).toEqual([1, -2, 3]);
    tf.dispose([same, converted]);
  });
});
