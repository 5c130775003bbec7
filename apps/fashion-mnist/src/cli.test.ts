import { describe, expect, it } from 'vitest';
import { parseSettings } from './cli.js';
import { defaultSettings } from './settings.js';

function parseError(argv: string[]): string {
  let text = '';
  expect(() => parseSettings(argv, (t) => (text += t))).toThrow();
  return text;
}

describe('fashion-mnist command line', () => {
  it("defaults to seed 004's settings", () => {
    const s = parseSettings([]);
    const d = defaultSettings();
    expect({ ...s, out: '' }).toEqual({ ...d, out: '' });
    expect(s).toMatchObject({ epochs: 10, batchSize: 100, learningRate: 1, evalEvery: 50, models: ['lenet', 'lenet-bn'], backend: 'auto', shuffle: false, download: true });
    expect(s.out).toMatch(/^runs\/fashion-mnist\//);
  });

  it('reads every option', () => {
    const s = parseSettings(['--epochs', '2', '--limit', '500', '--test-limit', '200', '--batch-size', '50', '--lr', '0.5', '--eval-every', '10', '--models', 'lenet-bn', '--backend', 'cpu', '--seed', '7', '--shuffle', '--data', '/d', '--no-download', '--out', '/tmp/x', '--quiet']);
    expect(s).toEqual({ epochs: 2, limit: 500, testLimit: 200, batchSize: 50, learningRate: 0.5, evalEvery: 10, models: ['lenet-bn'], backend: 'cpu', seed: 7, shuffle: true, data: '/d', download: false, out: '/tmp/x', progress: 'lines' });
  });

  it('refuses non-numeric and out-of-range numbers, naming the option and value', () => {
    expect(parseError(['--epochs', 'ten'])).toMatch(/option '--epochs <n>' argument 'ten' is invalid\. expected an integer, got 'ten'/);
    expect(parseError(['--limit', '0'])).toMatch(/--limit <n>.*expected an integer >= 1, got 0/);
    expect(parseError(['--lr', 'fast'])).toMatch(/--lr <x>.*expected a number > 0, got 'fast'/);
    expect(parseError(['--seed', '1.5'])).toMatch(/--seed <n>.*expected an integer, got '1.5'/);
  });

  it('refuses unknown models and backends, listing the valid ones', () => {
    expect(parseError(['--models', 'lenet,resnet'])).toMatch(/unknown model 'resnet'; choose from lenet, lenet-bn/);
    expect(parseError(['--backend', 'tpu'])).toMatch(/'tpu'.*(node-gpu|wasm)/s);
  });
});
