/**
 * Reads `layers-golden.json`, the PyTorch reference outputs written by `tools/reference/layers_golden.py`, as tensors
 * in tfjs layouts (NHWC activations, `[kh, kw, in/groups, out]` convolution and `[in, out]` dense kernels).
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

interface Encoded {
  shape: number[];
  data: string;
}

interface EncodedCase {
  config: Record<string, number | boolean>;
  input: Encoded;
  weights: Encoded[];
  output: Encoded;
}

/** One golden case: the PyTorch module's config, input, weights (in `getWeights()` order) and output. */
export interface GoldenCase {
  config: Record<string, number | boolean>;
  input: tf.Tensor;
  weights: tf.Tensor[];
  output: tf.Tensor;
}

const fixture = JSON.parse(readFileSync(new URL('./layers-golden.json', import.meta.url), 'utf8')) as Record<string, EncodedCase>;

function decode(encoded: Encoded): tf.Tensor {
  const bytes = Buffer.from(encoded.data, 'base64');
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return tf.tensor(values, encoded.shape);
}

/** The golden case `name` as fresh tensors; the caller disposes them. */
export function golden(name: string): GoldenCase {
  const entry = fixture[name];
  if (entry === undefined) throw new Error(`no golden case '${name}' in layers-golden.json; run tools/reference/layers_golden.py`);
  return { config: entry.config, input: decode(entry.input), weights: entry.weights.map(decode), output: decode(entry.output) };
}

/** Largest absolute difference between two tensors of the same shape. */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  expectSameShape(a, b);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** max |actual − expected| / max(1, max |expected|): float32 agreement relative to the values' scale. */
export function relativeMaxError(actual: tf.Tensor, expected: tf.Tensor): number {
  expectSameShape(actual, expected);
  const a = actual.dataSync();
  const e = expected.dataSync();
  let scale = 1;
  let diff = 0;
  e.forEach((value, i) => {
    scale = Math.max(scale, Math.abs(value));
    diff = Math.max(diff, Math.abs(value - a[i]!));
  });
  return diff / scale;
}

function expectSameShape(a: tf.Tensor, b: tf.Tensor): void {
  if (a.shape.join(',') !== b.shape.join(',')) throw new Error(`shapes differ: [${a.shape.join(', ')}] vs [${b.shape.join(', ')}]`);
}

/** Disposes every tensor of a golden case. */
export function disposeCase(c: GoldenCase): void {
  tf.dispose([c.input, c.output, ...c.weights]);
}

/**
 * Puts `layer` in a model for the case's input, loads the case's weights, runs inference and returns the largest
 * absolute difference from PyTorch's output. Disposes the model and the case.
 */
export function goldenDiff(layer: InstanceType<typeof tfl.layers.Layer>, c: GoldenCase): number {
  const input = tfl.input({ shape: c.input.shape.slice(1) });
  const model = tfl.model({ inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor });
  layer.setWeights(c.weights);
  const y = model.predict(c.input) as tf.Tensor;
  const diff = maxAbsDiff(y, c.output);
  tf.dispose(y);
  model.dispose();
  disposeCase(c);
  return diff;
}
