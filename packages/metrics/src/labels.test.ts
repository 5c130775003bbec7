import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { toLabelArray } from './labels.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('toLabelArray', () => {
  it('accepts plain arrays, typed arrays and empty input', () => {
    expect(toLabelArray([0, 2, 1])).toEqual(new Int32Array([0, 2, 1]));
    expect(toLabelArray(new Float32Array([3, 0]))).toEqual(new Int32Array([3, 0]));
    expect(toLabelArray([])).toEqual(new Int32Array([]));
  });

  it('reads int32, float32 and bool rank-1 tensors without disposing them or leaking', () => {
    const before = tf.memory().numTensors;
    const ints = tf.tensor1d([1, 0, 4], 'int32');
    const floats = tf.tensor1d([2, 3]);
    const bools = tf.tensor1d([true, false], 'bool');
    expect(toLabelArray(ints)).toEqual(new Int32Array([1, 0, 4]));
    expect(toLabelArray(floats)).toEqual(new Int32Array([2, 3]));
    expect(toLabelArray(bools)).toEqual(new Int32Array([1, 0]));
    expect(ints.isDisposed).toBe(false);
    tf.dispose([ints, floats, bools]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects non-integer, negative and non-finite labels, naming the argument and index', () => {
    expect(() => toLabelArray([0, 1.5], 'yPred')).toThrow('yPred[1] is 1.5');
    expect(() => toLabelArray([-1])).toThrow('labels[0] is -1');
    expect(() => toLabelArray([0, 0, Number.NaN])).toThrow('labels[2] is NaN');
    expect(() => toLabelArray([Number.POSITIVE_INFINITY])).toThrow('labels[0] is Infinity');
    expect(() => toLabelArray([2 ** 31])).toThrow('integers from 0 to 2147483647');
  });

  it('rejects tensors that are not rank 1, with a hint to use argMax', () => {
    const oneHot = tf.tensor2d([[0, 1], [1, 0]]);
    expect(() => toLabelArray(oneHot, 'yTrue')).toThrow('yTrue must be a rank-1 tensor of class labels, got shape [2, 2]');
    expect(() => toLabelArray(oneHot)).toThrow('tf.argMax');
    const scalar = tf.scalar(1);
    expect(() => toLabelArray(scalar)).toThrow('got shape []');
    const strings = tf.tensor1d(['a']);
    expect(() => toLabelArray(strings)).toThrow('got a string tensor');
    tf.dispose([oneHot, scalar, strings]);
  });

  it('rejects values that are not arrays', () => {
    expect(() => toLabelArray(null as never, 'yTrue')).toThrow('yTrue must be an array');
    expect(() => toLabelArray(3 as never)).toThrow('got 3');
  });
});
