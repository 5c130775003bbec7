/**
 * Loads the golden fixtures that `tools/reference/seed001_002_golden.py` writes for the seed 001 / 002 families
 * (`plain-cnn-golden.json`, `senet-golden.json`, `googlenet-golden.json`, `catdog-golden.json`): PyTorch weights per
 * tfjs layer name in tfjs layouts, seeded NHWC inputs, reference outputs in inference mode, and full-size parameter
 * counts of the seeds' PyTorch definitions.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

interface Encoded {
  shape: number[];
  data: string;
}

/** A decoded fixture; its tensors are created on each call of the accessors and disposed by the caller. */
export interface SeedGolden {
  /** Options of each model in the fixture (tiny widths, input shape, classes), by registry name. */
  config: Record<string, Record<string, unknown>>;
  /** Trainable and non-trainable (BatchNorm running statistics) counts of the full-size PyTorch networks. */
  parameterCounts: Record<string, { trainable: number; nonTrainable: number }>;
  /** The input (or one of several, by key). */
  input: (key?: string) => tf.Tensor;
  /** The reference outputs, in the order the script lists them. */
  outputs: () => tf.Tensor[];
  /** Layer names (optionally under a `prefix/`) and their weights. */
  weights: Record<string, Encoded[]>;
}

function decode(encoded: Encoded): tf.Tensor {
  const bytes = Buffer.from(encoded.data, 'base64');
  return tf.tensor(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)), encoded.shape);
}

/** Reads `__fixtures__/<file>`. */
export function loadSeedGolden(file: string): SeedGolden {
  const raw = JSON.parse(readFileSync(new URL(`./${file}`, import.meta.url), 'utf8')) as {
    config: SeedGolden['config'];
    parameterCounts: SeedGolden['parameterCounts'];
    input: Encoded | Record<string, Encoded>;
    outputs: Encoded[];
    weights: Record<string, Encoded[]>;
  };
  return {
    config: raw.config,
    parameterCounts: raw.parameterCounts,
    weights: raw.weights,
    input: (key) => decode(key === undefined ? (raw.input as Encoded) : (raw.input as Record<string, Encoded>)[key]!),
    outputs: () => raw.outputs.map(decode),
  };
}

/**
 * Sets every layer's weights from the fixture entries under `prefix` (e.g. `v1/`), and checks that each layer with
 * weights got them: returns the names of the model's weighted layers the fixture lacks (expected empty).
 */
export function loadWeightsByName(model: tfl.LayersModel, golden: SeedGolden, prefix = ''): string[] {
  const missing: string[] = [];
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const entry = golden.weights[prefix + layer.name];
    if (entry === undefined) {
      missing.push(layer.name);
      continue;
    }
    const tensors = entry.map(decode);
    layer.setWeights(tensors);
    tf.dispose(tensors);
  }
  const unused = Object.keys(golden.weights).filter((k) => k.startsWith(prefix) && !model.layers.some((l) => prefix + l.name === k));
  if (unused.length > 0) throw new Error(`fixture weights for layers the model lacks: ${unused.join(', ')}`);
  return missing;
}

/** Largest absolute difference between two tensors, which must have the same shape. */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  if (a.shape.join(',') !== b.shape.join(',')) throw new Error(`shapes differ: [${a.shape.join(', ')}] vs [${b.shape.join(', ')}]`);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** Trainable and non-trainable parameter counts of a model. */
export function paramCounts(model: tfl.LayersModel): { trainable: number; nonTrainable: number } {
  const count = (ws: Array<{ shape: Array<number | null> }>): number => ws.reduce((n, w) => n + w.shape.reduce<number>((p, d) => p * (d ?? 1), 1), 0);
  return { trainable: count(model.trainableWeights), nonTrainable: count(model.nonTrainableWeights) };
}
