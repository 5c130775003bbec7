/**
 * Reads `convnext-golden.json`, written by `tools/reference/convnext_golden.py`: PyTorch parameter counts of the
 * full-size ConvNeXt and seed-003 ablation networks, and tiny-width golden cases (input NHWC, weights in tfjs layout
 * keyed by layer name, eval-mode output).
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

interface Encoded {
  shape: number[];
  dtype: 'float32' | 'float16';
  data: string;
}

interface EncodedCase {
  config: Record<string, unknown>;
  input: Encoded;
  weights: Record<string, Encoded[]>;
  output: Encoded;
}

interface Fixture {
  torch: string;
  parameterCounts: Record<string, number>;
  cases: Record<string, EncodedCase>;
}

const fixture = JSON.parse(readFileSync(new URL('./convnext-golden.json', import.meta.url), 'utf8')) as Fixture;

/** PyTorch's `sum(p.numel() for p in model.parameters())` of each full-size network, by registry name. */
export const PYTORCH_PARAMETER_COUNTS: Readonly<Record<string, number>> = fixture.parameterCounts;

/** IEEE half → float. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function decode(encoded: Encoded): tf.Tensor {
  const bytes = Buffer.from(encoded.data, 'base64');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values =
    encoded.dtype === 'float16'
      ? Float32Array.from({ length: bytes.byteLength / 2 }, (_, i) => halfToFloat(view.getUint16(2 * i, true)))
      : Float32Array.from({ length: bytes.byteLength / 4 }, (_, i) => view.getFloat32(4 * i, true));
  return tf.tensor(values, encoded.shape);
}

/** A golden case: the options the tiny network was built with, its input, weights by layer name, and output. */
export interface ConvNextGoldenCase {
  config: Record<string, unknown>;
  input: tf.Tensor;
  weights: Map<string, tf.Tensor[]>;
  output: tf.Tensor;
}

/** The golden case `name` as fresh tensors; the caller disposes them. */
export function convNextGolden(name: string): ConvNextGoldenCase {
  const c = fixture.cases[name];
  if (c === undefined) throw new Error(`no golden case '${name}' in convnext-golden.json; run tools/reference/convnext_golden.py`);
  const weights = new Map(Object.entries(c.weights).map(([layer, ws]) => [layer, ws.map(decode)] as const));
  return { config: c.config, input: decode(c.input), weights, output: decode(c.output) };
}

/**
 * Loads the case's weights into `model` by layer name, runs inference and returns the largest absolute difference
 * from PyTorch's output, and the names of the model's weighted layers that the case did not cover. Disposes the case.
 */
export function goldenDifference(model: tfl.LayersModel, c: ConvNextGoldenCase): { maxDiff: number; uncovered: string[] } {
  for (const [layer, ws] of c.weights) model.getLayer(layer).setWeights(ws);
  const uncovered = model.layers.filter((l) => l.weights.length > 0 && !c.weights.has(l.name)).map((l) => l.name);
  const y = model.predict(c.input) as tf.Tensor;
  const maxDiff = tf.tidy(() => tf.max(tf.abs(tf.sub(y, c.output))).dataSync()[0]!);
  tf.dispose([y, c.input, c.output, ...[...c.weights.values()].flat()]);
  return { maxDiff, uncovered };
}
