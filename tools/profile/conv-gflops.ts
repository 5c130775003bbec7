/**
 * GFLOP/s of the forward convolution and its two gradients on the WASM backend, on ResNet-like shapes:
 *
 *   node --conditions=@cnn/source --import tsx tools/profile/conv-gflops.ts [--repeats 5] [--stock]
 *
 * A convolution's multiply-adds (2 FLOP each) are N·OH·OW·KH·KW·Ci·Co for all three; each figure is the best of
 * `--repeats` timed calls after one warm-up call. `--stock` also times tfjs-backend-wasm's own Conv2DBackpropInput.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { Command } from 'commander';

const options = new Command()
  .option('--repeats <n>', 'timed calls per figure', '5')
  .option('--stock', "also time tfjs-backend-wasm's own Conv2DBackpropInput")
  .parse()
  .opts<{ repeats: string; stock?: boolean }>();
// Captured before @cnn/backend replaces it.
const stock = tf.getKernel('Conv2DBackpropInput', 'wasm');
const { selectBackend } = await import('@cnn/backend');
await selectBackend({ backend: 'wasm' });
if (stock?.setupFunc !== undefined) stock.setupFunc(tf.backend());

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

function bestMs(run: () => tf.Tensor, repeats: number): number {
  tf.dispose(run());
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    const out = run();
    out.dataSync();
    best = Math.min(best, performance.now() - start);
    out.dispose();
  }
  return best;
}

const repeats = Number(options.repeats);
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
