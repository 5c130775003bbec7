/**
 * GFLOP/s of the forward convolution and its two gradients on the WASM backend, on ResNet-like shapes:
 *
 *   node --conditions=@cnn/source --import tsx tools/profile/conv-gflops.ts [--repeats 5] [--stock] [--filter [--cases 1x1]] [--avg-pool]
 *
 * A convolution's multiply-adds (2 FLOP each) are N·OH·OW·KH·KW·Ci·Co for all three; each figure is the best of
 * `--repeats` timed calls after one warm-up call. `--stock` also times tfjs-backend-wasm's own Conv2DBackpropInput.
 * `--filter` instead compares the filter gradient's paths on ResNet-18 CIFAR's and LeNet's shapes (batch 64 and 100):
 * the composed one (XNNPACK matrix product or transposed convolution) against the compiled WASM SIMD kernel, or only on
 * the cases whose name contains `--cases`. Times exclude reading the result back (WASM kernels run synchronously).
 * `--avg-pool` instead compares tfjs-backend-wasm's AvgPoolGrad with the compiled one on LeNet's two pools.
 * `--input` compares the input gradient's composed path (XNNPACK convolution of a flipped / polyphase filter: the stock
 * Conv2D is put back for it) with the compiled kernel (native/conv2d.c); `--forward` compares the stock XNNPACK `FusedConv2D` (bias + ReLU) with the compiled
 * forward convolution, each call with a filter tensor of its own (as in training, where every step brings new weights
 * and XNNPACK packs them again). Both on the `--filter` cases (and `--cases`).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { Command } from 'commander';
// The same module instances as @cnn/backend's (the @cnn/source condition resolves to these sources).
import { composedConv2DBackpropFilter } from '../../packages/backend/src/kernels/Conv2DBackpropFilter.js';
import { nativeConv2DBackpropFilter } from '../../packages/backend/src/native/conv-filter-grad.js';
import { composedConv2DBackpropInput } from '../../packages/backend/src/kernels/Conv2DBackpropInput.js';
import { nativeConv2D, nativeConv2DBackpropInput } from '../../packages/backend/src/native/conv2d.js';

const options = new Command()
  .option('--repeats <n>', 'timed calls per figure', '5')
  .option('--stock', "also time tfjs-backend-wasm's own Conv2DBackpropInput")
  .option('--filter', "compare the filter gradient's composed and compiled paths")
  .option('--cases <text>', 'with --filter: only the cases whose name contains this text')
  .option('--avg-pool', "compare tfjs-backend-wasm's AvgPoolGrad with the compiled one")
  .option('--input', "compare the input gradient's composed and compiled paths")
  .option('--forward', 'compare the stock FusedConv2D with the compiled forward convolution')
  .parse()
  .opts<{ repeats: string; stock?: boolean; filter?: boolean; cases?: string; avgPool?: boolean; input?: boolean; forward?: boolean }>();
// Captured before @cnn/backend replaces them.
const stock = tf.getKernel('Conv2DBackpropInput', 'wasm');
const stockAvgPoolGrad = tf.getKernel('AvgPoolGrad', 'wasm');
const stockFusedConv2D = tf.getKernel('FusedConv2D', 'wasm');
const stockConv2D = tf.getKernel('Conv2D', 'wasm');
const { selectBackend } = await import('@cnn/backend');
await selectBackend({ backend: 'wasm' });
if (stock?.setupFunc !== undefined) stock.setupFunc(tf.backend());
if (stockAvgPoolGrad?.setupFunc !== undefined) stockAvgPoolGrad.setupFunc(tf.backend());
if (stockFusedConv2D?.setupFunc !== undefined) stockFusedConv2D.setupFunc(tf.backend());
if (stockConv2D?.setupFunc !== undefined) stockConv2D.setupFunc(tf.backend());

interface Case {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  stride: number;
  pad: 'same' | 'valid';
}

const CASES: Case[] = [
  { name: '3x3 s1 64->64, 32x32, batch 64', x: [64, 32, 32, 64], filter: [3, 3, 64, 64], stride: 1, pad: 'same' },
  { name: '3x3 s2 64->128, 32x32, batch 64', x: [64, 32, 32, 64], filter: [3, 3, 64, 128], stride: 2, pad: 'same' },
  { name: '1x1 s2 64->128, 32x32, batch 64', x: [64, 32, 32, 64], filter: [1, 1, 64, 128], stride: 2, pad: 'valid' },
  { name: '3x3 s1 256->256, 8x8, batch 64', x: [64, 8, 8, 256], filter: [3, 3, 256, 256], stride: 1, pad: 'same' },
  { name: '3x3 s1 512->512, 4x4, batch 64', x: [64, 4, 4, 512], filter: [3, 3, 512, 512], stride: 1, pad: 'same' },
  { name: '1x1 s1 256->1024, 8x8, batch 16', x: [16, 8, 8, 256], filter: [1, 1, 256, 1024], stride: 1, pad: 'valid' },
  { name: '1x1 s1 1024->256, 8x8, batch 16', x: [16, 8, 8, 1024], filter: [1, 1, 1024, 256], stride: 1, pad: 'valid' },
  { name: '2x2 s2 128->256, 16x16, batch 16', x: [16, 16, 16, 128], filter: [2, 2, 128, 256], stride: 2, pad: 'valid' },
  { name: '5x5 s1 6->16, 14x14, batch 100', x: [100, 14, 14, 6], filter: [5, 5, 6, 16], stride: 1, pad: 'valid' },
];

/** Best time of `run` over `repeats` calls; `read` includes reading the result (WASM kernels run synchronously). */
function bestMs(run: () => tf.Tensor, repeats: number, read = true): number {
  tf.dispose(run());
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    const out = run();
    if (read) out.dataSync();
    best = Math.min(best, performance.now() - start);
    out.dispose();
  }
  return best;
}

const repeats = Number(options.repeats);
if (options.filter === true) {
  compareFilterGradients();
  process.exit(0);
}
if (options.input === true || options.forward === true) {
  compareConvolutions(options.forward === true);
  process.exit(0);
}
if (options.avgPool === true) {
  compareAvgPoolGradients();
  process.exit(0);
}
console.log(`${'case'.padEnd(36)} ${'forward'.padStart(9)} ${'dInput'.padStart(9)} ${options.stock === true ? 'stock dIn'.padStart(9) + ' ' : ''}${'dFilter'.padStart(9)}   (GFLOP/s)`);
for (const c of CASES) {
  const x = tf.randomNormal(c.x, 0, 1, 'float32', 1) as tf.Tensor4D;
  const filter = tf.randomNormal(c.filter, 0, 1, 'float32', 2) as tf.Tensor4D;
  const y = tf.conv2d(x, filter, c.stride, c.pad);
  const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 3) as tf.Tensor4D;
  const flop = 2 * tf.util.sizeFromShape(y.shape) * c.filter[0] * c.filter[1] * c.filter[2];
  const gflops = (ms: number) => (flop / ms / 1e6).toFixed(1).padStart(9);
  const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
  const forward = bestMs(() => tf.conv2d(x, filter, c.stride, c.pad), repeats);
  const dInput = bestMs(() => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: c.x } as never) as tf.Tensor, repeats);
  let stockColumn = '';
  if (options.stock === true && stock !== undefined) {
    const ms = bestMs(() => {
      const info = stock.kernelFunc({ inputs: { dy, filter }, backend: tf.backend(), attrs: { ...attrs, inputShape: c.x } as never }) as tf.TensorInfo;
      return tf.engine().makeTensorFromTensorInfo(info);
    }, Math.min(repeats, 2));
    stockColumn = `${gflops(ms)} `;
  }
  const dFilter = bestMs(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: c.filter } as never) as tf.Tensor, repeats);
  console.log(`${c.name.padEnd(36)} ${gflops(forward)} ${gflops(dInput)} ${stockColumn}${gflops(dFilter)}`);
  tf.dispose([x, filter, y, dy]);
}

/** A kernel's output `TensorInfo` as a tensor, so that `bestMs` can read and dispose it. */
function asTensor(info: tf.TensorInfo | undefined): tf.Tensor {
  if (info === undefined) throw new Error('the compiled kernels are unavailable');
  return tf.engine().makeTensorFromTensorInfo(info);
}

/** ResNet-18 CIFAR's convolutions (batch 64) and LeNet's (batch 100), or those whose name contains `--cases`. */
function comparisonCases(): Case[] {
  const resnet = (size: number, from: number, to: number, stride: number, filter = 3): Case => ({
    name: `${filter}x${filter} s${stride} ${from}->${to}, ${size}x${size}, batch 64`,
    x: [64, size, size, from],
    filter: [filter, filter, from, to],
    stride,
    pad: filter === 1 ? 'valid' : 'same',
  });
  const all: Case[] = [
    resnet(32, 3, 64, 1), resnet(32, 64, 64, 1), resnet(32, 64, 128, 2), resnet(16, 128, 128, 1), resnet(16, 128, 256, 2),
    resnet(8, 256, 256, 1), resnet(8, 256, 512, 2), resnet(4, 512, 512, 1),
    resnet(32, 64, 128, 2, 1), resnet(16, 128, 256, 2, 1), resnet(8, 256, 512, 2, 1), resnet(32, 64, 64, 1, 1),
    { name: '1x1 s1 256->1024, 8x8, batch 16', x: [16, 8, 8, 256], filter: [1, 1, 256, 1024], stride: 1, pad: 'valid' },
    { name: '1x1 s1 1024->256, 8x8, batch 16', x: [16, 8, 8, 1024], filter: [1, 1, 1024, 256], stride: 1, pad: 'valid' },
    { name: 'LeNet 5x5 s1 1->6, 28x28 same, batch 100', x: [100, 28, 28, 1], filter: [5, 5, 1, 6], stride: 1, pad: 'same' },
    { name: 'LeNet 5x5 s1 6->16, 14x14 valid, batch 100', x: [100, 14, 14, 6], filter: [5, 5, 6, 16], stride: 1, pad: 'valid' },
    // Other networks' shapes (ImageNet-sized stems, ConvNeXt's 1x1, Inception's 5x5), with small batches.
    { name: 'other 7x7 s2 3->64, 224x224, batch 4', x: [4, 224, 224, 3], filter: [7, 7, 3, 64], stride: 2, pad: 'same' },
    { name: 'other 3x3 s1 32->32, 112x112, batch 4', x: [4, 112, 112, 32], filter: [3, 3, 32, 32], stride: 1, pad: 'same' },
    { name: 'other 1x1 s1 96->384, 56x56, batch 4', x: [4, 56, 56, 96], filter: [1, 1, 96, 384], stride: 1, pad: 'valid' },
    { name: 'other 5x5 s1 16->32, 28x28, batch 16', x: [16, 28, 28, 16], filter: [5, 5, 16, 32], stride: 1, pad: 'same' },
    { name: 'other 4x4 s4 3->96, 224x224, batch 4', x: [4, 224, 224, 3], filter: [4, 4, 3, 96], stride: 4, pad: 'valid' },
    { name: 'other 3x3 s2 8->32, 56x56, batch 8', x: [8, 56, 56, 8], filter: [3, 3, 8, 32], stride: 2, pad: 'same' },
    { name: 'other 2x2 s2 16->32, 56x56, batch 8', x: [8, 56, 56, 16], filter: [2, 2, 16, 32], stride: 2, pad: 'valid' },
    { name: 'other 3x3 s2 4->16, 56x56, batch 8', x: [8, 56, 56, 4], filter: [3, 3, 4, 16], stride: 2, pad: 'same' },
  ];
  return all.filter((c) => options.cases === undefined || c.name.includes(options.cases));
}

function compareFilterGradients(): void {
  const cases = comparisonCases();
  console.log(`${'filter gradient'.padEnd(42)} ${'composed'.padStart(18)} ${'compiled'.padStart(18)}`);
  for (const c of cases) {
    const x = tf.randomNormal(c.x, 0, 1, 'float32', 1) as tf.Tensor4D;
    const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.stride, 1, c.pad);
    const dy = tf.randomNormal(info.outShape, 0, 1, 'float32', 3) as tf.Tensor4D;
    const flop = 2 * tf.util.sizeFromShape(info.outShape) * c.filter[0] * c.filter[1] * c.filter[2];
    const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC' as const, filterShape: c.filter };
    const figure = (ms: number) => `${ms.toFixed(2).padStart(8)} ms ${(flop / ms / 1e6).toFixed(1).padStart(5)} GF`;
    const composed = bestMs(() => asTensor(composedConv2DBackpropFilter({ inputs: { x, dy }, backend: tf.backend(), attrs })), repeats, false);
    const compiled = bestMs(() => asTensor(nativeConv2DBackpropFilter(tf.backend(), x, dy, info)), repeats, false);
    console.log(`${c.name.padEnd(42)} ${figure(composed)} ${figure(compiled)}`);
    tf.dispose([x, dy]);
  }
}

function compareAvgPoolGradients(): void {
  if (stockAvgPoolGrad === undefined) throw new Error('tfjs-backend-wasm registered no AvgPoolGrad');
  const shapes: [number, number, number, number][] = [[100, 28, 28, 6], [100, 10, 10, 16]];
  console.log(`${'AvgPoolGrad 2x2 stride 2'.padEnd(30)} ${'stock'.padStart(10)} ${'compiled'.padStart(10)}`);
  for (const shape of shapes) {
    const input = tf.zeros(shape);
    const attrs = { filterSize: 2, strides: 2, pad: 'valid' as const };
    const dy = tf.randomNormal([shape[0], shape[1] / 2, shape[2] / 2, shape[3]]);
    const run = (kernel: tf.KernelConfig) => () =>
      asTensor(kernel.kernelFunc({ inputs: { dy, input }, backend: tf.backend(), attrs }) as tf.TensorInfo);
    const before = bestMs(run(stockAvgPoolGrad), repeats, false);
    const after = bestMs(run(tf.getKernel('AvgPoolGrad', 'wasm') as tf.KernelConfig), repeats, false);
    console.log(`${`input [${shape.join(',')}]`.padEnd(30)} ${before.toFixed(3).padStart(7)} ms ${after.toFixed(3).padStart(7)} ms`);
    tf.dispose([input, dy]);
  }
}

/** The composed (or stock) path against the compiled one, for the input gradient or (`forward`) the forward pass. */
function compareConvolutions(forward: boolean): void {
  if (forward && stockFusedConv2D === undefined) throw new Error('tfjs-backend-wasm registered no FusedConv2D');
  console.log(`${forward ? 'forward (bias + relu)' : 'input gradient'}`.padEnd(42) + `${forward ? 'stock' : 'composed'}`.padStart(18) + 'compiled'.padStart(19));
  for (const c of comparisonCases()) {
    const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.stride, 1, c.pad);
    const x = tf.randomNormal(c.x, 0, 1, 'float32', 1) as tf.Tensor4D;
    const dy = tf.randomNormal(info.outShape, 0, 1, 'float32', 3) as tf.Tensor4D;
    const bias = tf.randomNormal([c.filter[3]], 0, 1, 'float32', 4);
    // A filter of its own per call: XNNPACK caches its packed filter per tensor, which training never reuses.
    const filters = Array.from({ length: repeats + 1 }, (_, i) => tf.randomNormal(c.filter, 0, 1, 'float32', 10 + i) as tf.Tensor4D);
    const next = (() => {
      let i = 0;
      return () => filters[i++ % filters.length] as tf.Tensor4D;
    })();
    const flop = 2 * tf.util.sizeFromShape(info.outShape) * c.filter[0] * c.filter[1] * c.filter[2];
    const figure = (ms: number) => `${ms.toFixed(2).padStart(8)} ms ${(flop / ms / 1e6).toFixed(1).padStart(5)} GF`;
    const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC' as const, dimRoundingMode: undefined };
    let before: number;
    let after: number;
    if (forward) {
      const fusedAttrs = { ...attrs, dilations: 1, activation: 'relu', leakyreluAlpha: 0 };
      before = bestMs(() => asTensor(stockFusedConv2D!.kernelFunc({ inputs: { x, filter: next(), bias }, backend: tf.backend(), attrs: fusedAttrs as never }) as tf.TensorInfo), repeats, false);
      after = bestMs(() => asTensor(nativeConv2D(tf.backend(), x, next(), bias, info, true)), repeats, false);
    } else {
      const inputAttrs = { ...attrs, inputShape: c.x };
      before = withStockConv2D(() =>
        bestMs(() => asTensor(composedConv2DBackpropInput({ inputs: { dy, filter: next() }, backend: tf.backend(), attrs: inputAttrs })), repeats, false),
      );
      after = bestMs(() => asTensor(nativeConv2DBackpropInput(tf.backend(), dy, next(), info)), repeats, false);
    }
    console.log(`${c.name.padEnd(42)} ${figure(before)} ${figure(after)}`);
    tf.dispose([x, dy, bias, ...filters]);
  }
}

/** Runs `measure` with tfjs-backend-wasm's own (XNNPACK) `Conv2D` registered, as the composed path ran before. */
function withStockConv2D(measure: () => number): number {
  const ours = tf.getKernel('Conv2D', 'wasm');
  if (stockConv2D === undefined || ours === undefined) throw new Error('no Conv2D kernel registered for wasm');
  tf.unregisterKernel('Conv2D', 'wasm');
  tf.registerKernel(stockConv2D);
  try {
    return measure();
  } finally {
    tf.unregisterKernel('Conv2D', 'wasm');
    tf.registerKernel(ours);
  }
}
