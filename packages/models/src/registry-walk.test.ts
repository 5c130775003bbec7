/**
 * Walks the whole registry: every model builds, gives logits of the right shape, trains three SGD steps on the WASM
 * backend with its loss falling, and saves to a directory and loads back (through `fileSystem`) to identical outputs.
 * It covers whatever `listModels()` holds when it runs. To keep CI fast every model is built and trained on the
 * smallest input it accepts: its entry's `minInputShape`, else the smallest square side (channels as its defaults)
 * that its builder accepts, raised to 16x16 (see `buildSmall`). The batch is 2 fixed samples, except where
 * {@link TRAINING_OVERRIDES} says why not.
 *
 * @cnn/backend is not a dependency of @cnn/models, so it is imported here by relative path.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../backend/src/index.js';
// test-only relative import: @cnn/data's seeded PRNG (not a dependency of @cnn/models)
import { mulberry32 } from '../../data/src/random.js';
import { createModel, getModelEntry, listModels } from './index.js';
import { fileSystem, loadModel } from './io/index.js';

const SIDES = [8, 12, 16, 24, 32, 48, 64, 96, 128, 160, 192, 224];
const MIN_SIDE = 16;
const LEARNING_RATE = 0.01;
const BATCH_SIZE = 2;
const STEPS = 3;
/**
 * Models that do not train on the default batch and input, with why. `inception_v1_aux` (seed 001's InceptionNet):
 * at 32x32 its last stages are 1x1 maps, BatchNorm normalises each channel over the batch's few values, and the
 * gradient at initialisation is huge (norms of 4,000-6,000 on the stem kernels with 8 samples; a step of 3e-4
 * along it already raises the loss), so SGD at 0.01 overshoots: the loss explodes to NaN with 2 samples and,
 * with 8 samples, falls or jumps depending on float rounding (the CPU backend, stock WASM and our compiled kernels
 * each gave a different third step). At 64x64 (2x2 maps) with 8 samples its loss falls on all three.
 */
const TRAINING_OVERRIDES: Record<string, { batchSize: number; inputShape: readonly [number, number, number] }> = {
  inception_v1_aux: { batchSize: 8, inputShape: [64, 64, 3] },
};

let root: string;
const timings: Array<{ name: string; inputShape: string; build: number; train: number; seconds: number; losses: string }> = [];

beforeAll(async () => {
  const choice = await selectBackend({ backend: 'wasm' });
  expect(choice.tfjsName).toBe('wasm');
  root = await mkdtemp(join(tmpdir(), 'cnn-registry-walk-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  console.log(
    `registry walk on ${tf.getBackend()}:\n` + timings.map((t) => `  ${t.name.padEnd(40)} ${t.inputShape.padEnd(12)} build ${t.build.toFixed(2)} s, train ${t.train.toFixed(2)} s, all ${t.seconds.toFixed(2)} s; loss ${t.losses}`).join('\n'),
  );
});

/**
 * The model at a small input: the smallest square side it accepts (its entry's `minInputShape`, else the first of
 * {@link SIDES} its builder accepts), raised to {@link MIN_SIDE} (at most its default input). Below that, deep
 * stages shrink to 1x1 maps, where BatchNorm over a batch of 2 normalises pairs of values to ±1 and SGD no longer
 * descends reliably.
 */
function buildSmall(name: string): { model: tfl.LayersModel; inputShape: readonly [number, number, number] } {
  const entry = getModelEntry(name);
  const [h, w, c] = entry.defaults.inputShape;
  let smallest = entry.minInputShape;
  for (const side of SIDES) {
    if (smallest !== undefined || side * side >= h * w || side > Math.min(h, w)) break;
    try {
      createModel(name, { seed: 1, inputShape: [side, side, c] }).dispose();
      smallest = [side, side, c];
    } catch {
      // Too small for this network: try the next size.
    }
  }
  const [sh, sw, sc] = smallest ?? entry.defaults.inputShape;
  const inputShape = [Math.min(Math.max(sh, MIN_SIDE), h), Math.min(Math.max(sw, MIN_SIDE), w), sc] as const;
  return { model: createModel(name, { seed: 1, inputShape }), inputShape };
}

function outputsOf(value: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(value) ? value : [value];
}


/**
 * Mean softmax cross-entropy of every output (auxiliary heads included) against `labels`, in training mode. The
 * unseeded random draws of dropout, DropBlock and drop path (tfjs seeds them from `Math.random`) are made the same
 * on every call, so that the loss is one fixed function that SGD must decrease, not a noisy sample of it.
 */
function loss(model: tfl.LayersModel, x: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  const random = Math.random;
  Math.random = mulberry32(7);
  try {
    const outputs = outputsOf(model.apply(x, { training: true }) as tf.Tensor | tf.Tensor[]);
    return tf.addN(outputs.map((logits) => tf.losses.softmaxCrossEntropy(labels, logits))) as tf.Scalar;
  } finally {
    Math.random = random;
  }
}

describe('registry walk (WASM backend)', () => {
  it('holds at least the LeNets', () => {
    expect(listModels().map((m) => m.name)).toEqual(expect.arrayContaining(['lenet', 'lenet_bn']));
  });

  it.each(listModels().map((m) => m.name))('%s builds, trains 3 SGD steps with falling loss, and saves/loads to identical outputs', async (name) => {
    const started = performance.now();
    const tensorsBefore = tf.memory().numTensors;
    const { numClasses } = getModelEntry(name).defaults;
    const override = TRAINING_OVERRIDES[name];
    const batch = override?.batchSize ?? BATCH_SIZE;
    const { model, inputShape } =
      override === undefined ? buildSmall(name) : { model: createModel(name, { seed: 1, inputShape: override.inputShape }), inputShape: override.inputShape };
    const built = performance.now();
    const x = tf.randomNormal([batch, ...inputShape], 0, 1, 'float32', 42);
    const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % numClasses), 'int32'), numClasses));

    const first = outputsOf(model.predict(x) as tf.Tensor | tf.Tensor[]);
    expect(first.length).toBe(model.outputs.length);
    for (const out of first) expect(out.shape).toEqual([batch, numClasses]);
    tf.dispose(first);

    const optimizer = tf.train.sgd(LEARNING_RATE);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const losses: number[] = [];
    for (let step = 0; step < STEPS; step++) {
      const cost = optimizer.minimize(() => loss(model, x, labels), true, variables)!;
      losses.push(cost.dataSync()[0]!);
      cost.dispose();
    }
    const after = tf.tidy(() => loss(model, x, labels));
    losses.push(after.dataSync()[0]!);
    after.dispose();
    optimizer.dispose();
    const trained = performance.now();
    const curve = `${name} ${batch}x${inputShape.join('x')} losses ${losses.map((l) => l.toFixed(4)).join(' → ')}`;
    for (const value of losses) expect(Number.isFinite(value), curve).toBe(true);
    expect(losses.at(-1)!, curve).toBeLessThan(losses[0]!);

    const dir = join(root, name);
    await model.save(fileSystem(dir));
    const loaded = await loadModel(dir);
    const expected = outputsOf(model.predict(x) as tf.Tensor | tf.Tensor[]);
    const actual = outputsOf(loaded.predict(x) as tf.Tensor | tf.Tensor[]);
    expect(actual.length).toBe(expected.length);
    for (const [i, out] of expected.entries()) expect(actual[i]!.dataSync()).toEqual(out.dataSync());
    tf.dispose([...expected, ...actual, x, labels]);
    loaded.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const seconds = (t: number): number => (t - started) / 1000;
    timings.push({ name, inputShape: `${batch}x${inputShape.join('x')}`, build: seconds(built), train: seconds(trained) - seconds(built), seconds: seconds(performance.now()), losses: losses.map((l) => l.toFixed(3)).join(' → ') });
  });
});
