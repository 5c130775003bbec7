/**
 * Compares topKAccuracyScore with scikit-learn's `top_k_accuracy_score` (given `labels` = all
 * columns) on fixed scores with many ties, from `__fixtures__/sklearn-metrics.json`.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MetricWarning } from './precision-recall-f1.js';
import { topKAccuracyScore } from './top-k-accuracy.js';

const fixture = JSON.parse(readFileSync(new URL('./__fixtures__/sklearn-metrics.json', import.meta.url), 'utf8')) as {
  topK: {
    cases: Record<string, { yTrue: number[]; scores: number[][] }>;
    entries: { case: string; k: number; normalize: boolean; value: number; warnings: string[] }[];
  };
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('topKAccuracyScore against scikit-learn', () => {
  it(`matches on ${fixture.topK.entries.length} settings with tied scores, from arrays and tensors`, () => {
    const before = tf.memory().numTensors;
    for (const entry of fixture.topK.entries) {
      const { yTrue, scores } = fixture.topK.cases[entry.case]!;
      const what = `${entry.case} k=${entry.k} normalize=${entry.normalize}`;
      const warnings: MetricWarning[] = [];
      const options = { k: entry.k, normalize: entry.normalize, onWarning: (w: MetricWarning) => warnings.push(w) };
      expect(Math.abs(topKAccuracyScore(yTrue, scores, options) - entry.value), what).toBeLessThanOrEqual(1e-12);
      expect(warnings.map((w) => `${w.category}: ${w.message}`), what).toEqual(entry.warnings);
      const yTensor = tf.tensor1d(yTrue, 'int32');
      const scoreTensor = tf.tensor2d(scores);
      expect(Math.abs(topKAccuracyScore(yTensor, scoreTensor, { ...options, onWarning: () => {} }) - entry.value), `${what} tensor`).toBeLessThanOrEqual(1e-12);
      tf.dispose([yTensor, scoreTensor]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('topKAccuracyScore', () => {
  it('ranks a tie with a higher-index class above the true class, as scikit-learn', () => {
    // True class 0 ties with class 2: class 2 ranks first, so top-1 misses and top-2 hits.
    expect(topKAccuracyScore([0], [[0.4, 0.2, 0.4]], { k: 1 })).toBe(0);
    expect(topKAccuracyScore([0], [[0.4, 0.2, 0.4]], { k: 2 })).toBe(1);
    // True class 2 ties with class 0 and wins the tie.
    expect(topKAccuracyScore([2], [[0.4, 0.2, 0.4]], { k: 1 })).toBe(1);
  });

  it('rejects wrong shapes, out-of-range labels, different lengths and bad k', () => {
    expect(() => topKAccuracyScore([0, 1], [[0.1, 0.9]], { k: 1 })).toThrow('yTrue has 2 labels but scores has 1 rows');
    expect(() => topKAccuracyScore([0, 1], [[0.1, 0.9], [0.5]], { k: 1 })).toThrow('row 1 has 1 scores and row 0 has 2');
    expect(() => topKAccuracyScore([0, 3], [[0.1, 0.9, 0], [0.5, 0.5, 0]])).toThrow('yTrue[1] is 3, but scores has 3 columns');
    expect(() => topKAccuracyScore([0], [[0.1, Number.NaN, 0]])).toThrow('scores[0][1] is NaN');
    expect(() => topKAccuracyScore([0], [[0.1, 0.2, 0]], { k: 0 })).toThrow('k is 0');
    expect(() => topKAccuracyScore([], [])).toThrow('needs at least one example');
    expect(() => topKAccuracyScore([0], [[1]])).toThrow('scores has 1 columns');
    const flat = tf.tensor1d([0.1, 0.9]);
    expect(() => topKAccuracyScore([1], flat)).toThrow('got a tensor of shape [2]');
    flat.dispose();
  });
});
