import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { GroupedConv2D, pytorchBatchNorm, SqueezeExcitation } from '@cnn/layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from './index.js';
import { formatSummary, summarizeModel } from './summary.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('summarizeModel', () => {
  it('gives LeNet’s parameters (61,706) and MACs counted by hand', () => {
    const model = createModel('lenet', { seed: 0 });
    const summary = summarizeModel(model);
    expect(summary.trainableParams).toBe(61_706);
    expect(summary.nonTrainableParams).toBe(0);
    expect(summary.totalParams).toBe(61_706);
    const conv = summary.layers.filter((l) => l.className === 'Conv2D');
    const dense = summary.layers.filter((l) => l.className === 'Dense');
    // conv1 'same' on 28x28: 28·28·5·5·1·6; conv2 'valid' on 14x14 → 10x10: 10·10·5·5·6·16.
    expect(conv.map((l) => l.macs)).toEqual([28 * 28 * 5 * 5 * 1 * 6, 10 * 10 * 5 * 5 * 6 * 16]);
    expect(conv.map((l) => l.trainableParams)).toEqual([5 * 5 * 1 * 6 + 6, 5 * 5 * 6 * 16 + 16]);
    expect(conv.map((l) => l.outputShapes)).toEqual([[[null, 28, 28, 6]], [[null, 10, 10, 16]]]);
    expect(dense.map((l) => l.macs)).toEqual([400 * 120, 120 * 84, 84 * 10]);
    expect(summary.macs).toBe(117_600 + 240_000 + 48_000 + 10_080 + 840);
    expect(summary.macs).toBe(416_520);
    // Pooling, activations, flatten and the input count nothing.
    for (const l of summary.layers.filter((x) => !['Conv2D', 'Dense'].includes(x.className))) {
      expect([l.name, l.macs, l.trainableParams]).toEqual([l.name, 0, 0]);
    }
    expect(summary.layers[0]).toMatchObject({ className: 'InputLayer', inbound: [], outputShapes: [[null, 28, 28, 1]] });
    expect(summary.layers[1]!.inbound).toEqual([summary.layers[0]!.name]);
    model.dispose();
  });

  it('counts BatchNorm’s moving statistics as non-trainable', () => {
    const model = createModel('lenet_bn', { seed: 0 });
    const summary = summarizeModel(model);
    const features = 6 + 16 + 120 + 84;
    expect(summary.trainableParams).toBe(61_706 + 2 * features);
    expect(summary.nonTrainableParams).toBe(2 * features);
    const bn = summary.layers.filter((l) => l.className === 'BatchNormalization');
    expect(bn.map((l) => [l.trainableParams, l.nonTrainableParams, l.macs])).toEqual(
      [6, 16, 120, 84].map((c) => [2 * c, 2 * c, 0]),
    );
    expect(summary.macs).toBe(416_520);
    model.dispose();
  });

  it('counts grouped, depthwise, separable convolutions and squeeze-excitation per group', () => {
    const input = tfl.input({ shape: [8, 8, 4] });
    // PyTorch Conv2d(4, 8, 3, padding=1, groups=2): 8·8 positions · 3·3·(4/2)·8.
    const grouped = new GroupedConv2D({ name: 'grouped', filters: 8, kernelSize: 3, groups: 2, padding: 1, seed: 1 });
    // Depthwise Conv2d(8, 8, 7, padding=3, groups=8): 8·8 · 7·7·1·8.
    const depthwise = new GroupedConv2D({ name: 'depthwise', filters: 8, kernelSize: 7, groups: 8, padding: 3, seed: 2 });
    // tfjs's own depthwise conv, stride 2 'valid' on 8x8 with a 3x3 kernel → 3x3, multiplier 2: 3·3 · 3·3·8·2.
    const tfDepthwise = tfl.layers.depthwiseConv2d({ name: 'tf_depthwise', kernelSize: 3, strides: 2, depthMultiplier: 2 });
    const separable = tfl.layers.separableConv2d({ name: 'separable', filters: 4, kernelSize: 3, padding: 'same' });
    const se = new SqueezeExcitation({ name: 'se', channels: 8, reduction: 4, seed: 3 });
    let x = grouped.apply(input) as tfl.SymbolicTensor;
    x = depthwise.apply(x) as tfl.SymbolicTensor;
    x = pytorchBatchNorm().apply(x) as tfl.SymbolicTensor;
    x = se.apply(x) as tfl.SymbolicTensor;
    const a = tfDepthwise.apply(x) as tfl.SymbolicTensor;
    const b = separable.apply(x) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: [a, b], name: 'convs' });
    const byName = Object.fromEntries(summarizeModel(model).layers.map((l) => [l.name, l]));
    expect(byName.grouped).toMatchObject({ macs: 8 * 8 * 3 * 3 * 2 * 8, trainableParams: 3 * 3 * 2 * 8 + 8 });
    expect(byName.depthwise).toMatchObject({ macs: 8 * 8 * 7 * 7 * 1 * 8, trainableParams: 7 * 7 * 8 + 8 });
    expect(byName.tf_depthwise).toMatchObject({ macs: 3 * 3 * 3 * 3 * 8 * 2, outputShapes: [[null, 3, 3, 16]] });
    // Separable: depthwise 3·3·8 then pointwise 8·4, at each of the 8·8 positions.
    expect(byName.separable!.macs).toBe(8 * 8 * (3 * 3 * 8 + 8 * 4));
    expect(byName.se).toMatchObject({ macs: 8 * 2 + 2 * 8, trainableParams: 8 * 2 + 2 + 2 * 8 + 8 });
    model.dispose();
  });

  it('gives ResNet-50’s MACs as PyTorch hooks count them (4,089,184,256; torchinfo: 4.09 G)', () => {
    // Reference, computed once with torch: a torchvision-layout ResNet-50 at 224x224 with forward hooks summing
    // out_h·out_w·weight.numel() over its Conv2d modules and weight.numel() over its Linear.
    const model = createModel('resnet50');
    const summary = summarizeModel(model);
    expect(summary.macs).toBe(4_089_184_256);
    expect(summary.trainableParams).toBe(25_557_032);
    model.dispose();
  });

  it('formats a table with the totals', () => {
    const model = createModel('lenet_bn', { seed: 0 });
    const text = formatSummary(summarizeModel(model));
    expect(text).toMatch(/^Model: lenet_bn/);
    expect(text).toMatch(/\(Conv2D\)\s+\[-1, 28, 28, 6\]\s+156\s+117,600/);
    expect(text).toMatch(/\(BatchNormalization\)\s+\[-1, 28, 28, 6\]\s+24 \(12 fixed\)\s+0/);
    expect(text).toContain('Trainable params: 62,158');
    expect(text).toContain('Non-trainable params: 452');
    expect(text).toContain('Multiply-accumulates per sample: 416,520 (0.42 M)');
    model.dispose();
  });

  it('refuses MACs of a layer whose spatial size is unknown, naming it', () => {
    const input = tfl.input({ shape: [null, null, 3] });
    const out = tfl.layers.conv2d({ name: 'open_conv', filters: 2, kernelSize: 3 }).apply(input) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    expect(() => summarizeModel(model)).toThrow(/'open_conv'.*\[-1, -1, -1, 2\].*fixed inputShape/);
    model.dispose();
  });
});
