/**
 * Fused training BatchNorm against tfjs's composed one, back to back in one process (WASM backend):
 *
 *   node --conditions=@cnn/source --import tsx tools/batch-norm-bench/batch-norm-bench.ts [--steps 5] [--models lenet_bn,resnet18_cifar,convnext_cifar]
 *
 * 1. BatchNorm forward + backward alone on 64x32x32x64 and 100x28x28x6: tfjs-layers' path (`moments` + `batchNorm`,
 *    autodiff gradient) against `batchNormTraining` (one compiled WASM SIMD kernel each way).
 * 2. The compiled `DepthwiseConv2dNative` against tfjs-backend-wasm's on ConvNeXt's 7x7 shapes.
 * 3. Training steps (SGD momentum, softmax cross-entropy, random data) of LeNet-BN (batch 100), ResNet-18 CIFAR stem
 *    (batch 32) and ConvNeXt CIFAR (batch 16), "before" (tfjs-layers' `BatchNormalization.call`, the stock depthwise
 *    convolution, GELU from tfjs ops) against "after" (fused BatchNorm, compiled depthwise convolution and GELU), alternating so that
 *    machine noise hits both alike; best of two rounds.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Command } from 'commander';
import { selectBackend } from '@cnn/backend';
import { BatchNormalization, batchNormTraining, geluExact } from '@cnn/layers';
import { createModel } from '@cnn/models';
import { crossEntropy } from '@cnn/train';
// The same module instance as @cnn/backend's (the @cnn/source condition resolves to these sources).
import { stockKernel } from '../../packages/backend/src/kernels/stock-kernels.js';

const options = new Command()
  .option('--steps <n>', 'timed repetitions per measurement', '5')
  .option('--models <names>', 'lenet_bn, resnet18_cifar', 'lenet_bn,resnet18_cifar')
  .option('--skip-ops', 'skip the BatchNorm-alone and depthwise measurements')
  .parse()
  .opts<{ steps: string; models: string; skipOps?: boolean }>();
const steps = Number(options.steps);

async function timeMs(run: () => Promise<void>, repeats: number): Promise<number> {
  await run();
  const start = performance.now();
  for (let i = 0; i < repeats; i++) await run();
  return (performance.now() - start) / repeats;
}

async function opBench(shape: number[]): Promise<void> {
  const channels = shape[shape.length - 1]!;
  const x = tf.randomNormal(shape, 1, 2, 'float32', 1);
  const dy = tf.randomNormal(shape, 0, 1, 'float32', 2);
  const gamma = tf.randomUniform([channels], 0.5, 1.5, 'float32', 3);
  const beta = tf.randomUniform([channels], -1, 1, 'float32', 4);
  const axes = shape.slice(0, -1).map((_, axis) => axis);
  const composed = (xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(xs, axes);
    return tf.batchNorm(xs, mean, variance, b, g, 1e-5);
  };
  const fused = (xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => batchNormTraining(xs, g, b, 1e-5).y;
  const run = (f: typeof composed) => async () => {
    const grads = tf.grads(f)([x, gamma, beta], dy);
    await grads[0]!.data();
    tf.dispose(grads);
  };
  const rows: string[] = [];
  for (let round = 0; round < 2; round++) {
    const before = await timeMs(run(composed), steps);
    const after = await timeMs(run(fused), steps);
    rows.push(`composed ${before.toFixed(1)} ms, fused ${after.toFixed(1)} ms (${(before / after).toFixed(1)}x)`);
  }
  console.log(`BatchNorm fwd+bwd [${shape.join('x')}]: ${rows.join('; ')}`);
  tf.dispose([x, dy, gamma, beta]);
}

const fusedCall = BatchNormalization.prototype.call;
const tfjsCall = Object.getPrototypeOf(BatchNormalization.prototype).call as typeof fusedCall;

/** Switches training between "before" (tfjs-layers' BatchNorm, stock depthwise convolution, GELU from tfjs ops) and "after" (ours). */
function useKernels(mode: 'before' | 'after'): void {
  BatchNormalization.prototype.call = mode === 'before' ? tfjsCall : fusedCall;
  const ours = depthwiseOurs ??= tf.getKernel('DepthwiseConv2dNative', 'wasm')!;
  tf.unregisterKernel('DepthwiseConv2dNative', 'wasm');
  tf.registerKernel(mode === 'before' ? stockKernel('DepthwiseConv2dNative') : ours);
  const gelu = geluOurs ??= tf.getKernel('CnnGelu', 'wasm')!;
  if (mode === 'before') tf.unregisterKernel('CnnGelu', 'wasm'); // @cnn/layers' gelu then composes tfjs ops
  else if (tf.getKernel('CnnGelu', 'wasm') == null) tf.registerKernel(gelu);
}
let depthwiseOurs: tf.KernelConfig | undefined;
let geluOurs: tf.KernelConfig | undefined;

async function trainBench(name: string, build: () => tfl.LayersModel, inputShape: number[], batch: number): Promise<void> {
  const model = build();
  const optimizer = tf.train.momentum(0.01, 0.9);
  const images = tf.randomNormal([batch, ...inputShape], 0, 1, 'float32', 1);
  const labels = tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32');
  const step = async () => {
    const loss = optimizer.minimize(() => crossEntropy(model.apply(images, { training: true }) as tf.Tensor, labels), true)!;
    await loss.data();
    loss.dispose();
  };
  const times: Record<'before' | 'after', number[]> = { before: [], after: [] };
  for (let round = 0; round < 2; round++) {
    for (const mode of ['before', 'after'] as const) {
      useKernels(mode);
      times[mode].push(await timeMs(step, steps));
    }
  }
  useKernels('after');
  const best = (list: number[]) => Math.min(...list);
  const [before, after] = [best(times.before), best(times.after)];
  console.log(
    `${name} batch ${batch}: before ${before.toFixed(0)} ms/step (${((1000 * batch) / before).toFixed(0)} img/s), ` +
      `after ${after.toFixed(0)} ms/step (${((1000 * batch) / after).toFixed(0)} img/s), ${(before / after).toFixed(2)}x`,
  );
  tf.dispose([images, labels]);
  optimizer.dispose();
  model.dispose();
}

/** Compiled DepthwiseConv2dNative against tfjs-backend-wasm's, swapping the registered kernel back and forth. */
async function depthwiseBench(xShape: [number, number, number, number], size: number): Promise<void> {
  const x = tf.randomNormal(xShape, 0, 1, 'float32', 1);
  const w = tf.randomNormal([size, size, xShape[3], 1], 0, 1, 'float32', 2);
  const ours = tf.getKernel('DepthwiseConv2dNative', 'wasm')!;
  const stock = stockKernel('DepthwiseConv2dNative');
  const use = (config: tf.KernelConfig) => {
    tf.unregisterKernel('DepthwiseConv2dNative', 'wasm');
    tf.registerKernel(config);
  };
  const run = async () => {
    const y = tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same');
    await y.data();
    y.dispose();
  };
  const flop = 2 * tf.util.sizeFromShape(xShape) * size * size;
  const rows: string[] = [];
  for (let round = 0; round < 2; round++) {
    use(stock);
    const before = await timeMs(run, steps);
    use(ours);
    const after = await timeMs(run, steps);
    rows.push(`stock ${before.toFixed(1)} ms (${(flop / before / 1e6).toFixed(1)} GFLOP/s), compiled ${after.toFixed(1)} ms (${(flop / after / 1e6).toFixed(1)} GFLOP/s)`);
  }
  console.log(`DepthwiseConv2dNative x[${xShape.join('x')}] ${size}x${size} same: ${rows.join('; ')}`);
  tf.dispose([x, w]);
}

/** GELU forward + backward: tfjs ops against the compiled kernels. */
async function geluBench(shape: number[]): Promise<void> {
  const x = tf.randomNormal(shape, 0, 1, 'float32', 1);
  const dy = tf.randomNormal(shape, 0, 1, 'float32', 2);
  const composed = (xs: tf.Tensor) => tf.mul(tf.mul(0.5, xs), tf.add(1, tf.erf(tf.div(xs, Math.SQRT2))));
  const run = (f: (xs: tf.Tensor) => tf.Tensor) => async () => {
    const g = tf.grad(f)(x, dy);
    await g.data();
    g.dispose();
  };
  const rows: string[] = [];
  for (let round = 0; round < 2; round++) {
    const before = await timeMs(run(composed), steps);
    const after = await timeMs(run(geluExact), steps);
    rows.push(`tfjs ops ${before.toFixed(1)} ms, compiled ${after.toFixed(1)} ms (${(before / after).toFixed(1)}x)`);
  }
  console.log(`GELU fwd+bwd [${shape.join('x')}]: ${rows.join('; ')}`);
  tf.dispose([x, dy]);
}

await selectBackend({ backend: 'wasm' });
if (options.skipOps !== true) {
  await opBench([64, 32, 32, 64]);
  await opBench([100, 28, 28, 6]);
  await depthwiseBench([16, 32, 32, 64], 7);
  await depthwiseBench([16, 8, 8, 256], 7);
  await geluBench([16, 32, 32, 256]);
}
for (const name of options.models.split(',').filter((m) => m !== '')) {
  if (name === 'lenet_bn') await trainBench(name, () => createModel('lenet_bn', { seed: 1 }), [28, 28, 1], 100);
  else if (name === 'resnet18_cifar') {
    await trainBench(name, () => createModel('resnet18', { stem: 'cifar', numClasses: 10, inputShape: [32, 32, 3], seed: 1 } as never), [32, 32, 3], 32);
  } else if (name === 'convnext_cifar') {
    await trainBench(name, () => createModel('convnext_cifar', { seed: 1 }), [32, 32, 3], 16);
  } else throw new Error(`unknown model '${name}': choose lenet_bn, resnet18_cifar or convnext_cifar`);
}
