import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../__fixtures__/conv-cases.js';
import { selectBackend } from '../index.js';
import { backendMemory } from './native-module.js';
import type { WasmBackendInternals } from './native-module.js';
import { CNN_SGD_STEP, sgdStepInJs } from './sgd.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
  await selectBackend({ backend: 'wasm' });
});

interface Rule {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
}

/** `@cnn/train`'s SGD rule in tfjs ops, one parameter: [param', buffer'] (buffer' only with momentum). */
function composed(param: tf.Tensor, grad: tf.Tensor, buffer: tf.Tensor | undefined, rule: Rule): tf.Tensor[] {
  return tf.tidy(() => {
    let g = rule.weightDecay !== 0 ? tf.add(grad, tf.mul(param, rule.weightDecay)) : grad;
    let b: tf.Tensor | undefined;
    if (rule.momentum !== 0) {
      b = tf.add(tf.mul(buffer!, rule.momentum), rule.dampening === 0 ? g : tf.mul(g, 1 - rule.dampening));
      g = rule.nesterov ? tf.add(g, tf.mul(b, rule.momentum)) : b;
    }
    return [tf.sub(param, tf.mul(g, rule.lr)), ...(b === undefined ? [] : [b])];
  });
}

const RULES: Rule[] = [
  { lr: 0.01, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false },
  { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 5e-4, nesterov: true },
  { lr: 0.05, momentum: 0.8, dampening: 0.3, weightDecay: 1e-3, nesterov: false },
  { lr: 0.3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false },
  { lr: 0.3, momentum: 0, dampening: 0, weightDecay: 0.01, nesterov: false },
];

describe('CnnSgdStep on wasm', () => {
  it('is bit-identical to the rule in tfjs ops on the CPU backend, for every rule and sizes around the vector width', async () => {
    const random = seededRandom(77);
    for (const rule of RULES) {
      const sizes = [0, 1, 3, 4, 5, 17, 150, 1023];
      const values = sizes.map((n) => ({
        n,
        param: Float32Array.from({ length: n }, () => random() * 2 - 1),
        grad: Float32Array.from({ length: n }, () => (random() * 2 - 1) * 0.1),
        buffer: Float32Array.from({ length: n }, () => (random() * 2 - 1) * 0.05),
      }));
      await tf.setBackend('cpu');
      const expected = values.map(({ param, grad, buffer }) => {
        const out = composed(tf.tensor1d(param), tf.tensor1d(grad), tf.tensor1d(buffer), rule);
        const arrays = out.map((t) => t.dataSync().slice());
        tf.dispose(out);
        return arrays;
      });
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const inputs: tf.NamedTensorMap = {};
      values.forEach(({ param, grad, buffer }, i) => {
        inputs[`param${i}`] = tf.tensor1d(param);
        inputs[`grad${i}`] = tf.tensor1d(grad);
        if (rule.momentum !== 0) inputs[`buffer${i}`] = tf.tensor1d(buffer);
      });
      const outputs = tf.engine().runKernel(CNN_SGD_STEP, inputs, { count: values.length, ...rule }) as tf.Tensor[];
      const perParam = rule.momentum !== 0 ? 2 : 1;
      expect(outputs).toHaveLength(perParam * values.length);
      values.forEach(({ n }, i) => {
        for (let k = 0; k < perParam; k++) {
          expect(Array.from(outputs[perParam * i + k]!.dataSync()), `${JSON.stringify(rule)} n=${n} output ${k}`).toEqual(Array.from(expected[i]![k]!));
        }
      });
      tf.dispose([...outputs, ...Object.values(inputs)]);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('gives the same bits from its JavaScript fallback (used until the compiled module is ready)', async () => {
    await tf.setBackend('wasm');
    const random = seededRandom(78);
    for (const rule of RULES) {
      const n = 37;
      const [param, grad, buffer] = [1, 0.1, 0.05].map((scale) => tf.tensor1d(Float32Array.from({ length: n }, () => (random() * 2 - 1) * scale)));
      const compiled = tf.engine().runKernel(CNN_SGD_STEP, { param0: param!, grad0: grad!, buffer0: buffer! }, { count: 1, ...rule }) as tf.Tensor[];
      const backend = tf.backend() as WasmBackendInternals;
      const out = [tf.zeros([n]), tf.zeros([n])];
      const at = (t: tf.Tensor) => backend.dataIdMap.get(t.dataId)!.memoryOffset / 4;
      const f = Math.fround;
      const flags = (rule.momentum !== 0 ? 1 : 0) | (rule.nesterov ? 2 : 0) | (rule.weightDecay !== 0 ? 4 : 0) | (rule.dampening !== 0 ? 8 : 0);
      const heap = new Float32Array(backendMemory(backend)!.buffer);
      sgdStepInJs(heap, at(param!), at(grad!), at(buffer!), at(out[0]!), at(out[1]!), n, f(rule.lr), f(rule.momentum), f(1 - rule.dampening), f(rule.weightDecay), flags);
      expect(Array.from(out[0]!.dataSync()), JSON.stringify(rule)).toEqual(Array.from(compiled[0]!.dataSync()));
      if (rule.momentum !== 0) expect(Array.from(out[1]!.dataSync()), JSON.stringify(rule)).toEqual(Array.from(compiled[1]!.dataSync()));
      tf.dispose([param!, grad!, buffer!, ...compiled, ...out]);
    }
  });

  it('refuses mismatched shapes, a missing input and a bad count, naming them', async () => {
    await tf.setBackend('wasm');
    const [a, b] = [tf.zeros([3]), tf.zeros([4])];
    const rule = { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false };
    expect(() => tf.engine().runKernel(CNN_SGD_STEP, { param0: a, grad0: b, buffer0: a }, { count: 1, ...rule })).toThrow(/grad0 has shape \[4\], expected \[3\]/);
    expect(() => tf.engine().runKernel(CNN_SGD_STEP, { param0: a, grad0: a }, { count: 1, ...rule })).toThrow(/missing input 'buffer0'/);
    expect(() => tf.engine().runKernel(CNN_SGD_STEP, { param0: a, grad0: a, buffer0: a }, { count: 1.5, ...rule })).toThrow(/count must be a non-negative integer/);
    tf.dispose([a, b]);
  });
});
