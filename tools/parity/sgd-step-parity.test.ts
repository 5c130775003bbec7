/**
 * `@cnn/train`'s SGD on the WASM backend, where `@cnn/backend` gives it the fused `CnnSgdStep` kernel, makes exactly
 * (bit for bit) the updates that the same SGD makes on the CPU backend through per-variable tfjs ops: over several
 * steps (the first, which creates the momentum buffers, and later ones), with Nesterov momentum, dampening, weight
 * decay, and parameter groups of their own learning rate and weight decay.
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@cnn/backend';
import { CNN_SGD_STEP, createOptimizer, type OptimizerSpec } from '@cnn/train';
import { beforeAll, describe, expect, it } from 'vitest';

const SHAPES = [[5, 5, 1, 6], [6], [3, 3, 6, 16], [16], [256, 120], [120], [7]];

/** Fixed pseudo-random values for gradient `step` of variable `index`. */
function values(size: number, seed: number): Float32Array {
  let state = seed * 2654435761;
  return Float32Array.from({ length: size }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return (state / 2147483648 - 0.5) * 0.2;
  });
}

/** Trains variables of {@link SHAPES} for 4 steps of fixed gradients on `backend`; returns weights and buffers. */
async function train(backend: string, spec: OptimizerSpec): Promise<{ weights: Float32Array[]; state: Float32Array[]; kernels: string[] }> {
  await tf.setBackend(backend);
  const variables = SHAPES.map((shape, i) => tf.variable(tf.tensor(values(tf.util.sizeFromShape(shape), 100 + i), shape), true, `sgd_parity_${backend}_${i}`));
  const optimizer = createOptimizer({
    ...spec,
    ...(spec.paramGroups === undefined ? {} : { paramGroups: spec.paramGroups.map((g) => ({ ...g, filter: (name: string) => /_[46]$/.test(name) })) }),
  });
  const kernels = new Set<string>();
  for (let step = 0; step < 4; step++) {
    const grads: tf.NamedTensorMap = {};
    variables.forEach((v, i) => (grads[v.name] = tf.tensor(values(v.size, 1000 * step + i), v.shape)));
    const profile = await tf.profile(() => optimizer.applyGradients(grads));
    profile.kernelNames.forEach((name) => kernels.add(name));
    tf.dispose(Object.values(grads));
  }
  const weights = variables.map((v) => v.dataSync().slice() as Float32Array);
  const named = await optimizer.getWeights();
  const state = named.filter((w) => w.tensor.dtype === 'float32').map((w) => w.tensor.dataSync().slice() as Float32Array);
  tf.dispose([...variables, ...named.map((w) => w.tensor)]);
  optimizer.dispose();
  return { weights, state, kernels: [...kernels] };
}

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
  await selectBackend({ backend: 'wasm' });
});

describe("SGD's fused WASM step", () => {
  const specs: [string, OptimizerSpec][] = [
    ['momentum', { name: 'sgd', learningRate: 0.01, momentum: 0.9 }],
    ['Nesterov, weight decay', { name: 'sgd', learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 5e-4 }],
    ['dampening, parameter groups', { name: 'sgd', learningRate: 0.05, momentum: 0.8, dampening: 0.25, weightDecay: 1e-3, paramGroups: [{ filter: () => false, lr: 0.2, weightDecay: 0 }] }],
    ['no momentum', { name: 'sgd', learningRate: 0.3 }],
  ];
  for (const [label, spec] of specs) {
    it(`makes the same updates as per-variable tfjs ops on CPU, bit for bit (${label})`, async () => {
      const cpu = await train('cpu', spec);
      const wasm = await train('wasm', spec);
      expect(wasm.kernels).toContain(CNN_SGD_STEP);
      expect(cpu.kernels).not.toContain(CNN_SGD_STEP);
      expect(wasm.weights.map((w) => Array.from(w))).toEqual(cpu.weights.map((w) => Array.from(w)));
      expect(wasm.state.map((w) => Array.from(w))).toEqual(cpu.state.map((w) => Array.from(w)));
    });
  }

  it('leaves no tensors behind across steps', async () => {
    await tf.setBackend('wasm');
    const variables = SHAPES.map((shape, i) => tf.variable(tf.zeros(shape), true, `sgd_parity_leak_${i}`));
    const optimizer = createOptimizer({ name: 'sgd', learningRate: 0.1, momentum: 0.9 });
    const step = () => {
      const grads: tf.NamedTensorMap = {};
      variables.forEach((v) => (grads[v.name] = tf.onesLike(v)));
      optimizer.applyGradients(grads);
      tf.dispose(Object.values(grads));
    };
    step();
    step();
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose(variables);
    optimizer.dispose();
  });
});
