/**
 * Reads the model golden fixtures written by `tools/reference/resnet_densenet_golden.py` (`resnet-golden.json`,
 * `densenet-golden.json`): one NHWC input batch and, per case, the builder options, every layer's PyTorch weights in
 * tfjs layout keyed by tfjs layer name, and PyTorch's inference-mode logits.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

interface Encoded {
  shape: number[];
  data: string;
}

interface EncodedCase {
  options: Record<string, unknown>;
  weights: Record<string, Encoded[]>;
  output: Encoded;
}

/** A parsed fixture file; tensors are decoded on demand. */
export interface ModelGolden {
  input: Encoded;
  cases: Record<string, EncodedCase>;
  trainableParams?: Record<string, number>;
}

/** Parses `file` (a name in this folder). */
export function loadModelGolden(file: 'resnet-golden.json' | 'densenet-golden.json'): ModelGolden {
  return JSON.parse(readFileSync(new URL(`./${file}`, import.meta.url), 'utf8')) as ModelGolden;
}

function decode(encoded: Encoded): tf.Tensor {
  const bytes = Buffer.from(encoded.data, 'base64');
  return tf.tensor(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)), encoded.shape);
}

/** The builder options of case `name`. */
export function caseOptions(golden: ModelGolden, name: string): Record<string, unknown> {
  const entry = golden.cases[name];
  if (entry === undefined) throw new Error(`no golden case '${name}'; run tools/reference/resnet_densenet_golden.py`);
  return entry.options;
}

/**
 * Loads case `name`'s PyTorch weights into `model` by layer name, checking that every layer with weights gets them
 * and that every fixture entry names a layer, then returns the largest absolute difference between the model's
 * inference output and PyTorch's. Leaves no tensors behind (the model is the caller's).
 */
export function goldenModelDiff(model: tfl.LayersModel, golden: ModelGolden, name: string): number {
  const entry = golden.cases[name];
  if (entry === undefined) throw new Error(`no golden case '${name}'`);
  const names = new Set(model.layers.map((l) => l.name));
  const missing = Object.keys(entry.weights).filter((n) => !names.has(n));
  if (missing.length > 0) throw new Error(`fixture weights for layers the model lacks: ${missing.join(', ')}`);
  const unloaded = model.layers.filter((l) => l.weights.length > 0 && entry.weights[l.name] === undefined).map((l) => l.name);
  if (unloaded.length > 0) throw new Error(`model layers without fixture weights: ${unloaded.join(', ')}`);
  for (const [layerName, weights] of Object.entries(entry.weights)) {
    const tensors = weights.map(decode);
    model.getLayer(layerName).setWeights(tensors);
    tf.dispose(tensors);
  }
  return tf.tidy(() => {
    const y = model.predict(decode(golden.input)) as tf.Tensor;
    return tf.max(tf.abs(tf.sub(y, decode(entry.output)))).dataSync()[0]!;
  });
}
