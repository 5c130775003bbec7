import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { denseBlock, transition } from '../index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const count = (ws: Array<{ shape: Array<number | null> }>): number => ws.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);

function wrap(shape: number[], block: (x: tfl.SymbolicTensor) => tfl.SymbolicTensor): tfl.LayersModel {
  const input = tfl.input({ shape });
  return tfl.model({ inputs: input, outputs: block(input) });
}

describe('denseBlock', () => {
  it("has torchvision's _DenseBlock(6, 64, bn_size 4, growth 32) parameters, names and output channels", () => {
    const model = wrap([8, 8, 64], (x) => denseBlock(x, { numLayers: 6, growthRate: 32, bnSize: 4, name: 'features.denseblock1', seed: 1 }));
    let expected = 0;
    for (let i = 0; i < 6; i++) {
      const inChannels = 64 + 32 * i;
      expected += 2 * inChannels + inChannels * 128 + 2 * 128 + 9 * 128 * 32; // norm1, conv1, norm2, conv2
    }
    expect(count(model.trainableWeights)).toBe(expected);
    expect(model.outputShape).toEqual([null, 8, 8, 64 + 6 * 32]);
    const names = model.layers.map((l) => l.name);
    expect(names).toEqual(expect.arrayContaining(['features.denseblock1.denselayer1.norm1', 'features.denseblock1.denselayer6.conv2', 'features.denseblock1.denselayer6.concat']));
    model.dispose();
  });

  it('concatenates the input first, then each new layer’s features (torch.cat(features, 1))', () => {
    const model = wrap([2, 2, 3], (x) => denseBlock(x, { numLayers: 2, growthRate: 2, bnSize: 1, name: 'b', seed: 2 }));
    const x = tf.randomNormal([1, 2, 2, 3], 0, 1, 'float32', 3);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 2, 2, 7]);
    const head = tf.slice(y, [0, 0, 0, 0], [1, 2, 2, 3]);
    expect(Array.from(head.dataSync())).toEqual(Array.from(x.dataSync()));
    tf.dispose([x, y, head]);
    model.dispose();
  });

  it('adds dropout only when dropRate > 0 and refuses bad options', () => {
    const withDrop = wrap([4, 4, 4], (x) => denseBlock(x, { numLayers: 1, growthRate: 2, dropRate: 0.2, name: 'd' }));
    expect(withDrop.getLayer('d.denselayer1.dropout').getConfig()).toMatchObject({ rate: 0.2 });
    withDrop.dispose();
    const x = tfl.input({ shape: [4, 4, 4] });
    expect(() => denseBlock(x, { numLayers: 0 })).toThrow(/numLayers must be a positive integer, got 0/);
    expect(() => denseBlock(x, { numLayers: 1, dropRate: 1 })).toThrow(/dropRate must be in \[0, 1\), got 1/);
  });
});

describe('transition', () => {
  it("is torchvision's _Transition: BN, ReLU, 1x1 conv, 2x2 average pool", () => {
    const model = wrap([8, 8, 256], (x) => transition(x, { outChannels: 128, name: 'features.transition1', seed: 1 }));
    expect(count(model.trainableWeights)).toBe(2 * 256 + 256 * 128);
    expect(model.outputShape).toEqual([null, 4, 4, 128]);
    expect(model.layers.map((l) => l.name).slice(1)).toEqual([
      'features.transition1.norm',
      'features.transition1.relu',
      'features.transition1.conv',
      'features.transition1.pool',
    ]);
    model.dispose();
  });

  it('floors odd sizes as AvgPool2d(2) and refuses maps smaller than 2x2', () => {
    const model = wrap([5, 5, 4], (x) => transition(x, { outChannels: 2 }));
    expect(model.outputShape).toEqual([null, 2, 2, 2]);
    model.dispose();
    expect(() => transition(tfl.input({ shape: [1, 4, 4] }), { outChannels: 2, name: 't' })).toThrow(
      "transition 't': the 2x2 average pool needs a map of at least 2x2, got 1x4; use a larger input",
    );
  });
});
