import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, layerActivations } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('layerActivations', () => {
  it("returns LeNet's convolution outputs for a batch, equal to running the layers by hand, without leaking tensors", () => {
    const model = createModel('lenet', { seed: 7 });
    const convolutions = model.layers.filter((layer) => layer.getClassName().includes('Conv2D'));
    expect(convolutions).toHaveLength(2);
    const [conv1, conv2] = convolutions as [tfl.layers.Layer, tfl.layers.Layer];
    const input = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 3);
    const before = tf.memory().numTensors;

    const first = layerActivations(model, conv1.name, input);
    const second = layerActivations(model, conv2.name, input);
    expect(first.shape).toEqual([2, 28, 28, 6]);
    expect(second.shape).toEqual([2, 10, 10, 16]);
    const byHand = tf.tidy(() => conv1.apply(input) as tf.Tensor);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(first, byHand))).dataSync()[0])).toBeLessThan(1e-6);
    tf.dispose([first, second, byHand]);
    expect(tf.memory().numTensors).toBe(before);

    // The model still works and owns its weights: the sub-model shared them without disposing any.
    const logits = model.predict(input) as tf.Tensor;
    expect(logits.shape).toEqual([2, 10]);
    tf.dispose([logits, input]);
    model.dispose();
  });

  it('runs in inference mode: dropout passes its input through', () => {
    const input = tfl.input({ shape: [4] });
    const dense = tfl.layers.dense({ units: 32, name: 'hidden', kernelInitializer: 'ones' });
    const dropout = tfl.layers.dropout({ rate: 0.9, name: 'drop' });
    const model = tfl.model({ inputs: input, outputs: dropout.apply(dense.apply(input)) as tfl.SymbolicTensor });
    const x = tf.ones([3, 4]);
    const hidden = layerActivations(model, 'hidden', x);
    const dropped = layerActivations(model, 'drop', x);
    expect(Array.from(dropped.dataSync())).toEqual(Array.from(hidden.dataSync()));
    tf.dispose([x, hidden, dropped]);
    model.dispose();
  });

  it('refuses an unknown layer name, listing the names, and a layer used twice', () => {
    const model = createModel('lenet');
    const x = tf.zeros([1, 28, 28, 1]);
    expect(() => layerActivations(model, 'conv9', x)).toThrow(
      new RegExp(`model 'lenet' has no layer 'conv9'; its layers are: .*${model.layers[1]?.name}, .*${model.layers.at(-1)?.name}\\.`),
    );
    model.dispose();

    const input = tfl.input({ shape: [2] });
    const shared = tfl.layers.dense({ units: 2, name: 'shared' });
    const twice = tfl.model({ inputs: input, outputs: shared.apply(shared.apply(input)) as tfl.SymbolicTensor });
    expect(() => layerActivations(twice, 'shared', tf.zeros([1, 2]))).toThrow("layer 'shared' is used more than once");
    twice.dispose();
    x.dispose();
  });
});
