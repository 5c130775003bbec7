import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { golden, goldenDiff } from './__fixtures__/golden.js';
import { runLayerTest } from './__fixtures__/run-layer-test.js';
import { GroupedConv2D, type GroupedConv2DArgs } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function argsOf(config: Record<string, number | boolean>): GroupedConv2DArgs {
  const number = (key: string): number => config[key] as number;
  const [filters, kernelSize, groups, strides, padding, dilation] = ['filters', 'kernelSize', 'groups', 'strides', 'padding', 'dilation'].map(number);
  return { filters: filters!, kernelSize: kernelSize!, groups, strides, padding, dilation, useBias: config.useBias as boolean };
}

describe('GroupedConv2D', () => {
  it('passes the shared layer test (grouped, depthwise, plain, dilated with stride)', async () => {
    await runLayerTest({ make: () => new GroupedConv2D({ filters: 4, kernelSize: 3, groups: 2, padding: 1 }), inputShape: [5, 5, 6], trainableWeights: 2, expectedOutputShape: [2, 5, 5, 4] });
    await runLayerTest({ make: () => new GroupedConv2D({ filters: 8, kernelSize: 7, groups: 4, padding: 3, useBias: false }), inputShape: [8, 8, 4], trainableWeights: 1 });
    await runLayerTest({ make: () => new GroupedConv2D({ filters: 3, kernelSize: [1, 3], strides: 2, padding: 'same' }), inputShape: [5, 6, 2], trainableWeights: 2, expectedOutputShape: [2, 3, 3, 3] });
    await runLayerTest({ make: () => new GroupedConv2D({ filters: 4, kernelSize: 3, groups: 2, strides: 2, dilation: 2 }), inputShape: [9, 9, 4], trainableWeights: 2, expectedOutputShape: [2, 3, 3, 4] });
  });

  for (const name of ['grouped_conv2d', 'grouped_conv2d_dilated', 'depthwise_conv2d']) {
    it(`equals torch.nn.Conv2d(groups) with copied weights: ${name}`, () => {
      const c = golden(name);
      expect(goldenDiff(new GroupedConv2D(argsOf(c.config)), c)).toBeLessThan(1e-5);
    });
  }

  it("initialises as nn.Conv2d: kernel and bias within ±1/√(in/groups · kh · kw)", () => {
    const layer = new GroupedConv2D({ filters: 64, kernelSize: 3, groups: 4, seed: 1 });
    layer.build([null, 8, 8, 32]);
    const [kernel, bias] = layer.getWeights();
    expect(kernel!.shape).toEqual([3, 3, 8, 64]);
    expect(layer.countParams()).toBe(3 * 3 * 8 * 64 + 64);
    const bound = 1 / Math.sqrt(8 * 9);
    for (const w of [kernel!, bias!]) {
      const v = Array.from(w.dataSync());
      expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound);
      expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(bound * 0.9);
    }
    tf.dispose(layer.weights.map((w) => w.read()));
  });

  it('trains on the cpu backend: a grouped and a depthwise dilated layer, loss falls', async () => {
    const model = tfl.sequential({
      layers: [
        new GroupedConv2D({ batchInputShape: [null, 6, 6, 4], filters: 8, kernelSize: 3, groups: 2, padding: 1, seed: 1 }),
        new GroupedConv2D({ filters: 8, kernelSize: 3, groups: 8, dilation: 2, strides: 2, seed: 2 }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 1 }),
      ],
    });
    model.compile({ optimizer: tf.train.sgd(0.02), loss: 'meanSquaredError' });
    const [x, y] = [tf.randomNormal([16, 6, 6, 4], 0, 1, 'float32', 3), tf.randomNormal([16, 1], 0, 1, 'float32', 4)];
    const history = await model.fit(x, y, { epochs: 8, batchSize: 16, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('refuses impossible groupings with the values', () => {
    expect(() => new GroupedConv2D({ filters: 6, kernelSize: 3, groups: 4 })).toThrow(/filters \(6\) must be a multiple of groups \(4\)/);
    expect(() => new GroupedConv2D({ filters: 4, kernelSize: 3, groups: 4 }).build([null, 8, 8, 6])).toThrow(/input channels \(6\)/);
    expect(() => new GroupedConv2D({ filters: 4, kernelSize: 3, padding: -1 })).toThrow(/padding must be/);
  });
});
