/**
 * Per-kernel time of real training steps (forward, loss, backward, optimiser update) of `@cnn/models` networks on one
 * backend (default WASM with `@cnn/backend`'s training kernels), to see where a step's time goes.
 *
 *   node --conditions=@cnn/source --import tsx tools/profile/profile-training.ts [--models lenet_bn,resnet18_cifar]
 *        [--batch 32] [--steps 3] [--warmup 1] [--top 25] [--backend wasm] [--by-shape]
 *
 * Each model trains with `@cnn/train`'s SGD (momentum 0.9) on a softmax cross-entropy loss of random images and labels, as
 * `@cnn/train`'s `fit` does (`optimizer.minimize` over `model.apply(x, { training: true })`). The tables list self
 * time (kernels called from inside composed kernels excluded), the share of the measured step time, calls per step and
 * the time including nested kernels; "outside kernels" is what the step spent in JavaScript around them (tape,
 * tidy, layers).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Command } from 'commander';
import { parseBackendName, selectBackend } from '@cnn/backend';
import { createModel } from '@cnn/models';
import { createOptimizer, crossEntropy } from '@cnn/train';
import { startKernelTimer, type KernelTiming } from './kernel-timer.js';

/** A network to profile: how to build it and its input. */
interface ProfileModel {
  build: () => tfl.LayersModel;
  inputShape: [number, number, number];
  numClasses: number;
  defaultBatch: number;
}

/** The profiled networks by command-line name. */
const MODELS: Record<string, ProfileModel> = {
  lenet_bn: { build: () => createModel('lenet_bn', { seed: 1 }), inputShape: [28, 28, 1], numClasses: 10, defaultBatch: 100 },
  resnet18_cifar: {
    build: () => createModel('resnet18', { stem: 'cifar', numClasses: 10, inputShape: [32, 32, 3], seed: 1 } as never),
    inputShape: [32, 32, 3],
    numClasses: 10,
    defaultBatch: 32,
  },
  convnext_cifar: { build: () => createModel('convnext_cifar', { seed: 1 }), inputShape: [32, 32, 3], numClasses: 10, defaultBatch: 16 },
};

const program = new Command()
  .name('profile-training')
  .description('Per-kernel time of training steps of @cnn/models networks')
  .option('--models <names>', `comma-separated, of ${Object.keys(MODELS).join(', ')}`, 'lenet_bn,resnet18_cifar,convnext_cifar')
  .option('--batch <n>', 'batch size (default: per model, 100 / 32 / 16)')
  .option('--steps <n>', 'timed steps per model', '3')
  .option('--warmup <n>', 'untimed steps first', '1')
  .option('--top <n>', 'rows per table', '25')
  .option('--backend <name>', 'backend (wasm, cpu, ...)', 'wasm')
  .option('--by-shape', 'also list kernels by input shapes')
  .parse();
const options = program.opts<{ models: string; batch?: string; steps: string; warmup: string; top: string; backend: string; byShape?: boolean }>();

function positive(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${what} must be a positive integer, got '${value}'`);
  return n;
}

function table(rows: KernelTiming[], stepMs: number, steps: number, top: number): string {
  const lines = [`${'kernel'.padEnd(72)} ${'self ms'.padStart(9)} ${'%step'.padStart(6)} ${'calls'.padStart(6)} ${'incl ms'.padStart(9)}`];
  for (const row of rows.slice(0, top)) {
    lines.push(
      `${row.key.slice(0, 72).padEnd(72)} ${(row.selfMs / steps).toFixed(1).padStart(9)} ${((100 * row.selfMs) / steps / stepMs).toFixed(1).padStart(6)} ` +
        `${(row.calls / steps).toFixed(0).padStart(6)} ${(row.totalMs / steps).toFixed(1).padStart(9)}`,
    );
  }
  return lines.join('\n');
}

async function profile(name: string, spec: ProfileModel): Promise<void> {
  const batch = options.batch === undefined ? spec.defaultBatch : positive(options.batch, 'batch');
  const steps = positive(options.steps, 'steps');
  const warmup = Number(options.warmup);
  const model = spec.build();
  const optimizer = createOptimizer({ name: 'sgd', learningRate: 0.01, momentum: 0.9 });
  const images = tf.randomNormal([batch, ...spec.inputShape], 0, 1, 'float32', 1);
  const labels = tf.tensor1d(Array.from({ length: batch }, (_, i) => i % spec.numClasses), 'int32');
  const step = async (): Promise<number> => {
    const loss = optimizer.minimize(() => {
      const output = model.apply(images, { training: true }) as tf.Tensor | tf.Tensor[];
      return crossEntropy(Array.isArray(output) ? output[0]! : output, labels);
    }, true);
    const value = (await loss!.data())[0]!;
    loss!.dispose();
    return value;
  };
  for (let i = 0; i < warmup; i++) await step();
  const timer = startKernelTimer(tf.getBackend());
  const start = performance.now();
  let loss = 0;
  try {
    for (let i = 0; i < steps; i++) loss = await step();
  } finally {
    timer.stop();
  }
  const stepMs = (performance.now() - start) / steps;
  const byName = timer.timings(false);
  const kernelMs = byName.reduce((sum, row) => sum + row.selfMs, 0) / steps;
  const top = positive(options.top, 'top');
  console.log(
    `\n## ${name}, batch ${batch}, ${tf.getBackend()}: ${stepMs.toFixed(0)} ms/step (${((1000 * batch) / stepMs).toFixed(1)} images/s), ` +
      `kernels ${kernelMs.toFixed(0)} ms, outside kernels ${(stepMs - kernelMs).toFixed(0)} ms, loss ${loss.toFixed(3)}\n`,
  );
  console.log(table(byName, stepMs, steps, top));
  if (options.byShape === true) console.log(`\n${table(timer.timings(true), stepMs, steps, top)}`);
  tf.dispose([images, labels]);
  optimizer.dispose();
  model.dispose();
}

await selectBackend({ backend: parseBackendName(options.backend) });
for (const name of options.models.split(',').map((m) => m.trim())) {
  const spec = MODELS[name];
  if (spec === undefined) throw new Error(`Unknown model '${name}'; choose from ${Object.keys(MODELS).join(', ')}`);
  await profile(name, spec);
}
