// The layers example of README.md, kept here so that it stays true to the code.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { DropBlock2D, GELU, GroupedConv2D, GroupNorm, LayerScaler, pytorchConv2d, StochasticDepth } from './index.js';

it('README: seed 003 ConvNeXt block and seed 001 DropBlock', async () => {
  await tf.setBackend('cpu');
  // --- README example starts
  // seed 003's ConvNeXt block on 96 channels: depthwise 7x7, GroupNorm(1), 1x1 to 384, GELU, 1x1 to 96, layer scale,
  // drop path (per batch), residual
  const input = tfl.input({ shape: [32, 32, 96] });
  const layers = [
    new GroupedConv2D({ filters: 96, kernelSize: 7, padding: 3, groups: 96, useBias: false }),
    new GroupNorm({ groups: 1 }),
    pytorchConv2d({ inChannels: 96, filters: 384, kernelSize: 1 }),
    new GELU(),
    pytorchConv2d({ inChannels: 384, filters: 96, kernelSize: 1 }),
    new LayerScaler({ initValue: 1e-6, dimensions: 96 }),
    new StochasticDepth({ p: 0.1, mode: 'batch' }),
  ];
  const branch = layers.reduce<tfl.SymbolicTensor>((x, layer) => layer.apply(x) as tfl.SymbolicTensor, input);
  const block = tfl.model({ inputs: input, outputs: tfl.layers.add().apply([branch, input]) as tfl.SymbolicTensor });
  // seed 001's DropBlock2D(0.3, 4), identity at inference
  const dropBlock = new DropBlock2D({ dropProb: 0.3, blockSize: 4 });
  // --- README example ends
  expect(block.outputs[0]!.shape).toEqual([null, 32, 32, 96]);
  expect(block.countParams()).toBe(96 * 49 + 2 * 96 + (96 * 384 + 384) + (384 * 96 + 96) + 96);
  expect(dropBlock.getConfig()).toMatchObject({ dropProb: 0.3, blockSize: 4 });
  block.dispose();
});
