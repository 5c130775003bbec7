/**
 * Compares the classification report with scikit-learn's `classification_report` (string and
 * `output_dict=True`) from `__fixtures__/sklearn-metrics.json`, written by
 * `tools/reference/sklearn_metrics.py`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classificationReport, classificationReportFromConfusionMatrix, formatFixed } from './classification-report.js';
import { ConfusionMatrixAccumulator } from './confusion-matrix-accumulator.js';

type Value = number | 'NaN';
interface ReportEntry {
  case: string;
  labels: number[] | null;
  digits: number;
  targetNames: string[] | null;
  zeroDivision: 'warn' | 0 | 1 | 'NaN';
  text: string;
  dict: Record<string, Value | Record<string, Value>>;
}

const fixture = JSON.parse(readFileSync(new URL('./__fixtures__/sklearn-metrics.json', import.meta.url), 'utf8')) as {
  labelCases: Record<string, { yTrue: number[]; yPred: number[] }>;
  report: ReportEntry[];
};

const decode = (value: Value): number => (value === 'NaN' ? Number.NaN : value);

function expectDictClose(actual: Record<string, unknown>, expected: ReportEntry['dict'], what: string): void {
  expect(Object.keys(actual).sort(), what).toEqual(Object.keys(expected).sort());
  for (const [key, value] of Object.entries(expected)) {
    const ours = actual[key];
    const pairs: [unknown, Value][] =
      typeof value === 'object' ? Object.entries(value).map(([field, v]) => [(ours as Record<string, unknown>)[field], v]) : [[ours, value]];
    for (const [mine, theirs] of pairs) {
      const target = decode(theirs);
      if (Number.isNaN(target)) expect(mine, `${what} ${key}`).toBeNaN();
      else expect(Math.abs((mine as number) - target), `${what} ${key}: ${String(mine)} vs ${target}`).toBeLessThanOrEqual(1e-12);
    }
  }
}

describe('classificationReport against scikit-learn', () => {
  it(`gives the same text and dict on ${fixture.report.length} fixture settings`, () => {
    for (const entry of fixture.report) {
      const { yTrue, yPred } = fixture.labelCases[entry.case]!;
      const what = `${entry.case} labels=${JSON.stringify(entry.labels)} digits=${entry.digits} zeroDivision=${entry.zeroDivision}`;
      const options = {
        ...(entry.labels === null ? {} : { labels: entry.labels }),
        ...(entry.targetNames === null ? {} : { targetNames: entry.targetNames }),
        digits: entry.digits,
        zeroDivision: entry.zeroDivision === 'NaN' ? Number.NaN : entry.zeroDivision,
        onWarning: () => {},
      };
      const report = classificationReport(yTrue, yPred, options);
      expect(report.text, what).toBe(entry.text);
      expectDictClose(report.dict, entry.dict, what);

      const accumulator = new ConfusionMatrixAccumulator(Math.max(...yTrue, ...yPred, ...(entry.labels ?? [])) + 1);
      accumulator.update(yTrue, yPred);
      expect(classificationReportFromConfusionMatrix(accumulator, options).text, `${what} from matrix`).toBe(entry.text);
    }
  });
});

describe('classificationReport', () => {
  it('gives typed rows and the accuracy, or the micro average when labels leave classes out', () => {
    const report = classificationReport([0, 1, 2, 2], [0, 1, 1, 2], { targetNames: ['cat', 'dog', 'bird'] });
    expect(report.classes.map((row) => [row.label, row.name, row.support])).toEqual([[0, 'cat', 1], [1, 'dog', 1], [2, 'bird', 2]]);
    expect(report.accuracy).toBe(0.75);
    expect(report.microAvg).toBeUndefined();
    expect(report.macroAvg.recall).toBeCloseTo((1 + 1 + 0.5) / 3, 15);
    const partial = classificationReport([0, 1, 2, 2], [0, 1, 1, 2], { labels: [2, 1] });
    expect(partial.accuracy).toBeUndefined();
    expect(partial.microAvg?.support).toBe(3);
    expect(partial.text).toContain('   micro avg ');
  });

  it("formats numbers as Python's {:.Nf}: exact halves to even, nan", () => {
    expect(formatFixed(0.125, 2)).toBe('0.12');
    expect(formatFixed(0.375, 2)).toBe('0.38');
    expect(formatFixed(2.5, 0)).toBe('2');
    expect(formatFixed(3.5, 0)).toBe('4');
    expect(formatFixed(0.25, 1)).toBe('0.2');
    expect(formatFixed(-0.125, 2)).toBe('-0.12');
    expect(formatFixed(0.005, 2)).toBe('0.01'); // 0.005 is slightly above 5/1000 in binary
    expect(formatFixed(1 / 3, 4)).toBe('0.3333');
    expect(formatFixed(Number.NaN, 2)).toBe('nan');
  });

  it('rejects targetNames of the wrong length and bad digits', () => {
    expect(() => classificationReport([0, 1], [0, 1], { targetNames: ['a'] })).toThrow(
      'targetNames has 1 names but 2 classes are reported [0, 1]',
    );
    expect(() => classificationReport([0, 1], [0, 1], { digits: -1 })).toThrow('digits is -1');
    expect(() => classificationReport([0, 1], [0], {})).toThrow('same length, got 2 and 1');
  });
});
