import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { convNextBlock, convNextDownsample } from './convnext.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function weightSizes(model: tfl.LayersModel): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const layer of model.layers) {
    const n = layer.weights.reduce((s, w) => s + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
    if (n > 0) sizes[layer.name] = n;
  }
  return sizes;
}

describe('convNextBlock', () => {
  it('official: dwconv 7x7 (bias) → LayerNorm → 1x1 4x → GELU → 1x1 → γ, with timm’s names and PyTorch’s sizes', () => {
    const input = tfl.input({ shape: [9, 9, 8] });
    const model = tfl.model({ inputs: input, outputs: convNextBlock(input, { name: 'b', seed: 1 }) });
    expect(model.outputs[0]!.shape).toEqual([null, 9, 9, 8]);
    expect(weightSizes(model)).toEqual({
      'b.conv_dw': 7 * 7 * 8 + 8,
      'b.norm': 16,
      'b.mlp.fc1': 8 * 32 + 32,
      'b.mlp.fc2': 32 * 8 + 8,
      'b.gamma': 8,
    });
    expect(model.layers.map((l) => l.getClassName())).toEqual(['InputLayer', 'GroupedConv2D', 'LayerNorm2d', 'GroupedConv2D', 'GELU', 'GroupedConv2D', 'LayerScaler', 'Add']);
    model.dispose();
  });

  it('is the identity plus γ · branch: with γ = 1e-6 the output stays within ~1e-5 of the input', () => {
    const input = tfl.input({ shape: [6, 6, 4] });
    const model = tfl.model({ inputs: input, outputs: convNextBlock(input, { name: 'b', seed: 2 }) });
    const x = tf.randomNormal([2, 6, 6, 4], 0, 1, 'float32', 3);
    const y = model.predict(x) as tf.Tensor;
    const diff = tf.max(tf.abs(tf.sub(y, x))).dataSync()[0]!;
    expect(diff).toBeGreaterThan(0);
    expect(diff).toBeLessThan(1e-4);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('seed 003: depthwise without bias, GroupNorm(1), the seed’s part names, batch-mode drop path', () => {
    const input = tfl.input({ shape: [5, 5, 4] });
    const out = convNextBlock(input, {
      name: 's',
      norm: 'groupNorm',
      depthwiseBias: false,
      dropPath: 0.2,
      dropPathMode: 'batch',
      partNames: { depthwise: 'block.0', norm: 'block.1', expand: 'block.2', project: 'block.4', layerScale: 'layer_scaler' },
    });
    const model = tfl.model({ inputs: input, outputs: out });
    expect(weightSizes(model)).toEqual({ 's.block.0': 7 * 7 * 4, 's.block.1': 8, 's.block.2': 4 * 16 + 16, 's.block.4': 16 * 4 + 4, 's.layer_scaler': 4 });
    expect(model.getLayer('s.block.1').getConfig()).toMatchObject({ groups: 1, epsilon: 1e-5 });
    expect(model.getLayer('s.drop_path').getConfig()).toMatchObject({ p: 0.2, mode: 'batch' });
    model.dispose();
  });

  it('leaves layer scale out with layerScaleInit null, and refuses an even kernel', () => {
    const input = tfl.input({ shape: [5, 5, 4] });
    const model = tfl.model({ inputs: input, outputs: convNextBlock(input, { name: 'n', layerScaleInit: null }) });
    expect(model.layers.some((l) => l.getClassName() === 'LayerScaler')).toBe(false);
    model.dispose();
    expect(() => convNextBlock(input, { name: 'k', kernelSize: 6 })).toThrow(/kernelSize must be an odd positive integer, got 6/);
  });
});

describe('convNextDownsample', () => {
  it('norm then 2x2 stride-2 convolution: halves height and width', () => {
    const input = tfl.input({ shape: [9, 8, 4] });
    const y = convNextDownsample(input, { name: 'd', filters: 6 });
    expect(y.shape).toEqual([null, 4, 4, 6]);
    const model = tfl.model({ inputs: input, outputs: y });
    expect(weightSizes(model)).toEqual({ 'd.0': 8, 'd.1': 2 * 2 * 4 * 6 + 6 });
    expect(model.getLayer('d.0').getClassName()).toBe('LayerNorm2d');
    model.dispose();
  });

  it('refuses an input smaller than 2x2', () => {
    const input = tfl.input({ shape: [1, 4, 4] });
    expect(() => convNextDownsample(input, { name: 'd', filters: 6, norm: 'groupNorm' })).toThrow(
      /convNextDownsample 'd': input 1x4 is too small for the 2x2 stride-2 downsampling; it needs at least 2x2/,
    );
  });
});
