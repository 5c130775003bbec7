/**
 * Compares precision, recall and F-scores with scikit-learn's on the fixed label vectors of
 * `__fixtures__/sklearn-metrics.json` (written by `tools/reference/sklearn_metrics.py`): every
 * average, every zeroDivision, several `labels`, both `posLabel`s, and the warnings raised.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfusionMatrixAccumulator } from './confusion-matrix-accumulator.js';
import { confusionMatrix } from './confusion-matrix.js';
import {
  type FbetaOptions,
  type MetricWarning,
  f1Score,
  f1ScoreFromConfusionMatrix,
  fbetaScore,
  fbetaScoreFromConfusionMatrix,
  precisionRecallFscoreSupport,
  precisionRecallFscoreSupportFromConfusionMatrix,
  precisionScore,
  precisionScoreFromConfusionMatrix,
  recallScore,
  recallScoreFromConfusionMatrix,
} from './precision-recall-f1.js';

type Value = number | 'NaN';
interface Scored {
  value: Value | Value[];
  warnings: string[];
}
interface PrfEntry {
  case: string;
  average: 'micro' | 'macro' | 'weighted' | 'binary' | null;
  labels: number[] | null;
  posLabel: number;
  zeroDivision: 'warn' | 0 | 1 | 'NaN';
  prfs: { precision: Value | Value[]; recall: Value | Value[]; fScore: Value | Value[]; support: number[] | null; warnings: string[] };
  precisionScore: Scored;
  recallScore: Scored;
  f1Score: Scored;
  fbetaScore05: Scored;
  fbetaScore2: Scored;
}

const fixture = JSON.parse(readFileSync(new URL('./__fixtures__/sklearn-metrics.json', import.meta.url), 'utf8')) as {
  labelCases: Record<string, { yTrue: number[]; yPred: number[] }>;
  prf: PrfEntry[];
};

const decode = (value: Value | Value[]): number | number[] =>
  Array.isArray(value) ? value.map((v) => (v === 'NaN' ? Number.NaN : v)) : value === 'NaN' ? Number.NaN : value;

/** Equal within 1e-12, NaN equal to NaN, arrays element by element. */
function expectClose(actual: number | number[], expected: number | number[], what: string): void {
  const a = Array.isArray(actual) ? actual : [actual];
  const e = Array.isArray(expected) ? expected : [expected];
  expect(Array.isArray(actual), what).toBe(Array.isArray(expected));
  expect(a.length, what).toBe(e.length);
  a.forEach((value, i) => {
    const target = e[i]!;
    if (Number.isNaN(target)) expect(value, `${what}[${i}]`).toBeNaN();
    else expect(Math.abs(value - target), `${what}[${i}]: ${value} vs ${target}`).toBeLessThanOrEqual(1e-12);
  });
}

/** scikit-learn's warnings, reduced to what ours must share: the category and the first sentence. */
const firstSentences = (warnings: readonly string[]): string[] => warnings.map((w) => w.slice(0, w.indexOf('.') + 1));
const ours = (warnings: readonly MetricWarning[]): string[] => firstSentences(warnings.map((w) => `${w.category}: ${w.message}`));

function optionsOf(entry: PrfEntry, warnings: MetricWarning[]): FbetaOptions {
  return {
    average: entry.average,
    ...(entry.labels === null ? {} : { labels: entry.labels }),
    posLabel: entry.posLabel,
    zeroDivision: entry.zeroDivision === 'NaN' ? Number.NaN : entry.zeroDivision,
    onWarning: (warning) => warnings.push(warning),
  };
}

const name = (entry: PrfEntry): string =>
  `${entry.case} average=${entry.average} labels=${JSON.stringify(entry.labels)} posLabel=${entry.posLabel} zeroDivision=${entry.zeroDivision}`;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('precision, recall and F-scores against scikit-learn', () => {
  it(`match on ${fixture.prf.length} fixture settings, with the same warnings`, () => {
    for (const entry of fixture.prf) {
      const { yTrue, yPred } = fixture.labelCases[entry.case]!;
      const what = name(entry);
      const warnings: MetricWarning[] = [];
      const all = precisionRecallFscoreSupport(yTrue, yPred, optionsOf(entry, warnings));
      expectClose(all.precision, decode(entry.prfs.precision), `${what} precision`);
      expectClose(all.recall, decode(entry.prfs.recall), `${what} recall`);
      expectClose(all.fScore, decode(entry.prfs.fScore), `${what} fScore`);
      if (entry.prfs.support !== null) expect(all.support, what).toEqual(entry.prfs.support);
      expect(ours(warnings), `${what} prfs warnings`).toEqual(firstSentences(entry.prfs.warnings));

      const singles = [
        ['precisionScore', (o: FbetaOptions) => precisionScore(yTrue, yPred, o)],
        ['recallScore', (o: FbetaOptions) => recallScore(yTrue, yPred, o)],
        ['f1Score', (o: FbetaOptions) => f1Score(yTrue, yPred, o)],
        ['fbetaScore05', (o: FbetaOptions) => fbetaScore(yTrue, yPred, { ...o, beta: 0.5 })],
        ['fbetaScore2', (o: FbetaOptions) => fbetaScore(yTrue, yPred, { ...o, beta: 2 })],
      ] as const;
      for (const [key, score] of singles) {
        const singleWarnings: MetricWarning[] = [];
        expectClose(score(optionsOf(entry, singleWarnings)), decode(entry[key].value), `${what} ${key}`);
        expect(ours(singleWarnings), `${what} ${key} warnings`).toEqual(firstSentences(entry[key].warnings));
      }
    }
  });

  it('give the same values from a confusion matrix or an accumulator as from the labels', () => {
    for (const entry of fixture.prf) {
      const { yTrue, yPred } = fixture.labelCases[entry.case]!;
      const size = Math.max(...yTrue, ...yPred, ...(entry.labels ?? []), entry.posLabel) + 1;
      const matrix = confusionMatrix(yTrue, yPred, { numClasses: size });
      const accumulator = new ConfusionMatrixAccumulator(size);
      for (let start = 0; start < yTrue.length; start += 7) {
        accumulator.update(yTrue.slice(start, start + 7), yPred.slice(start, start + 7));
      }
      const what = name(entry);
      const quiet = optionsOf(entry, []);
      const fromMatrix = precisionRecallFscoreSupportFromConfusionMatrix(matrix, quiet);
      expectClose(fromMatrix.precision, decode(entry.prfs.precision), `${what} matrix precision`);
      expectClose(fromMatrix.recall, decode(entry.prfs.recall), `${what} matrix recall`);
      expectClose(fromMatrix.fScore, decode(entry.prfs.fScore), `${what} matrix fScore`);
      expectClose(precisionScoreFromConfusionMatrix(accumulator, quiet), decode(entry.precisionScore.value), `${what} acc precision`);
      expectClose(recallScoreFromConfusionMatrix(accumulator, quiet), decode(entry.recallScore.value), `${what} acc recall`);
      expectClose(f1ScoreFromConfusionMatrix(accumulator, quiet), decode(entry.f1Score.value), `${what} acc f1`);
      expectClose(fbetaScoreFromConfusionMatrix(matrix, { ...quiet, beta: 2 }), decode(entry.fbetaScore2.value), `${what} matrix f2`);
    }
  });
});

describe('precision, recall and F-scores', () => {
  it("show that seed 000's mean of per-batch macro precision is not the set's macro precision", () => {
    const yTrue = [0, 0, 1, 1, 2, 2, 0, 1];
    const yPred = [0, 1, 1, 1, 2, 0, 0, 0];
    const options = { average: 'macro', zeroDivision: 0 } as const;
    const perBatch = [precisionScore(yTrue.slice(0, 4), yPred.slice(0, 4), options), precisionScore(yTrue.slice(4), yPred.slice(4), options)];
    const meanOfBatches = (perBatch[0]! + perBatch[1]!) / 2;
    const accumulator = new ConfusionMatrixAccumulator(3);
    accumulator.update(yTrue.slice(0, 4), yPred.slice(0, 4));
    accumulator.update(yTrue.slice(4), yPred.slice(4));
    // Whole set: class 0 precision 2/4, class 1 2/3, class 2 1/1.
    const whole = (2 / 4 + 2 / 3 + 1) / 3;
    expect(precisionScore(yTrue, yPred, options)).toBeCloseTo(whole, 15);
    expect(precisionScoreFromConfusionMatrix(accumulator, options)).toBeCloseTo(whole, 15);
    expect(Math.abs(meanOfBatches - whole)).toBeGreaterThan(0.05);
  });

  it('accept tensors, give per-class arrays with average null, and use beta 0 and Infinity', () => {
    const before = tf.memory().numTensors;
    const yTrue = tf.tensor1d([0, 1, 2, 2, 1], 'int32');
    const yPred = tf.tidy(() => tf.argMax(tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0]]), -1));
    expect(precisionScore(yTrue, yPred, { average: null })).toEqual([0.5, 0.5, 1]);
    expect(recallScore(yTrue, yPred, { average: null })).toEqual([1, 0.5, 0.5]);
    expect(fbetaScore(yTrue, yPred, { average: 'macro', beta: 0 })).toBe(precisionScore(yTrue, yPred, { average: 'macro' }));
    expect(fbetaScore(yTrue, yPred, { average: null, beta: Infinity })).toEqual([1, 0.5, 0.5]);
    const scores = precisionRecallFscoreSupport(yTrue, yPred, { average: 'weighted' });
    expect(scores.labels).toEqual([0, 1, 2]);
    expect(scores.support).toBe(5);
    tf.dispose([yTrue, yPred]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('report zeroDivision warnings once per message on console.warn by default', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      precisionScore([0, 1, 2, 3], [0, 1, 1, 1], { average: 'macro', labels: [0, 1, 2, 3] });
      precisionScore([0, 1, 2, 3], [0, 1, 1, 1], { average: 'macro', labels: [0, 1, 2, 3] });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]![0]).toBe(
        'UndefinedMetricWarning: Precision is ill-defined and being set to 0.0 in labels with no predicted samples. ' +
          'Use the `zeroDivision` option to control this behavior (labels 2, 3).',
      );
      precisionScore([0, 1, 2, 3], [0, 1, 1, 1], { average: 'macro', zeroDivision: 0 });
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
    }
  });

  it('reject bad input and options with clear messages', () => {
    expect(() => precisionScore([0, 1, 2], [0, 1, 1])).toThrow(
      "the labels hold 3 classes (multiclass) but average is 'binary'; choose another average",
    );
    expect(() => precisionScore([0, 1], [0, 1], { average: 'mean' as 'macro' })).toThrow(
      `average is "mean"; use one of null, 'micro', 'macro', 'weighted', 'binary'`,
    );
    expect(() => recallScore([0, 1], [0, 1], { average: 'samples' as 'macro' })).toThrow('multilabel');
    expect(() => f1Score([0, 1], [0, 1, 1], { average: 'macro' })).toThrow('same length, got 2 and 3');
    expect(() => f1Score([], [], { average: 'macro' })).toThrow('f1Score needs at least one example');
    expect(() => f1Score([0, 1.5], [0, 1], { average: 'macro' })).toThrow('yTrue[1] is 1.5');
    expect(() => f1Score([0, 3], [0, 1], { average: 'macro', numClasses: 3 })).toThrow('a label is 3, but numClasses is 3');
    expect(() => f1Score([0, 2], [0, 2], { posLabel: 1 })).toThrow('posLabel 1 is not a valid label; it should be one of [0, 2]');
    expect(() => f1Score([0, 1], [0, 1], { average: 'macro', zeroDivision: 0.5 })).toThrow("zeroDivision is 0.5; use 0, 1, NaN or 'warn'");
    expect(() => f1Score([0, 1], [0, 1], { average: 'macro', labels: [1, 1] })).toThrow('lists 1 twice');
    expect(() => f1Score([0, 1], [0, 1], { average: 'macro', labels: [0], numClasses: 2 })).toThrow('not both');
    expect(() => fbetaScore([0, 1], [0, 1], { average: 'macro', beta: -1 })).toThrow('beta is -1');
    const tensor2d = tf.tensor2d([[0, 1]]);
    expect(() => precisionScore(tensor2d, [0, 1], { average: 'macro' })).toThrow('yTrue must be a rank-1 tensor');
    tensor2d.dispose();
    expect(() => precisionScoreFromConfusionMatrix([[1, 0], [0]], { average: 'macro' })).toThrow('must be square, but row 1 has 1');
    expect(() => precisionScoreFromConfusionMatrix([[0.5, 0.5], [0, 1]], { average: 'macro' })).toThrow(
      'entry [0][0] is 0.5; pass counts',
    );
    expect(() => precisionScoreFromConfusionMatrix([[0, 0], [0, 0]], { average: 'macro' })).toThrow('holds no examples');
    expect(() => precisionScoreFromConfusionMatrix([[1, 0], [0, 1]], { average: 'macro', labels: [0, 2] })).toThrow(
      'options.labels[1] is 2, but the confusion matrix has only 2 classes',
    );
  });

  it('warn that posLabel is ignored by other averages, as scikit-learn', () => {
    const warnings: MetricWarning[] = [];
    precisionScore([0, 1, 2], [0, 1, 2], { average: 'macro', posLabel: 2, onWarning: (w) => warnings.push(w) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.category).toBe('UserWarning');
    expect(warnings[0]!.message).toContain("posLabel (set to 2) is ignored when average != 'binary'");
  });
});
