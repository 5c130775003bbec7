import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BENCH_BACKENDS } from './job.js';
import { BENCH_MODEL_NAMES } from './models.js';
import { benchJobs, createBenchCommand, parseBenchOptions, roundsFor } from './options.js';
import { combineRounds, formatTable, median, type BenchRecord } from './report.js';

/** Parses with errors thrown (not printed, no exit). */
function parse(argv: string[]) {
  const command = createBenchCommand()
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  return parseBenchOptions(argv, command);
}

describe('bench options', () => {
  it('defaults to every model and backend, per-model steps and the PyTorch reference', () => {
    const options = parse([]);
    expect(options.models).toEqual([...BENCH_MODEL_NAMES]);
    expect(options.backends).toEqual([...BENCH_BACKENDS]);
    expect(options).toMatchObject({ steps: undefined, warmup: undefined, cpuSteps: 1, cpuWarmup: 0, pytorch: true, python: 'python3', seed: 1, timeoutSeconds: 900 });
    const jobs = benchJobs(options);
    expect(jobs).toHaveLength(BENCH_MODEL_NAMES.length * BENCH_BACKENDS.length);
    const find = (model: string, backend: string) => jobs.find((j) => j.model === model && j.backend === backend);
    expect(find('lenet-bn', 'wasm')).toEqual({ model: 'lenet-bn', backend: 'wasm', batchSize: 100, steps: 200, warmup: 100, seed: 1 });
    expect(find('resnet18-cifar', 'wasm')).toMatchObject({ batchSize: 128, steps: 3, warmup: 2 });
    expect(find('convnext-cifar', 'wasm-x2')).toMatchObject({ batchSize: 64 });
    // the CPU backend: its own steps, and a smaller batch for the big models
    expect(find('lenet-bn', 'cpu')).toMatchObject({ batchSize: 100, steps: 1, warmup: 0 });
    expect(find('resnet18-cifar', 'cpu')).toMatchObject({ batchSize: 2, steps: 1, warmup: 0 });
    // alternating rounds: several for the millisecond steps of lenet-bn, one for the big models
    expect(options.rounds).toBeUndefined();
    expect(BENCH_MODEL_NAMES.map((m) => roundsFor(options, m))).toEqual([5, 1, 1]);
    expect(roundsFor(parse(['--rounds', '3']), 'convnext-cifar')).toBe(3);
  });

  it('reads lists, numbers and switches', () => {
    const options = parse(['--models', 'resnet18-cifar, lenet-bn', '--backends', 'WASM,cpu,wasm', '--steps', '2', '--warmup', '0', '--cpu-batch-size', '4', '--micro-batch-size', '4', '--no-pytorch', '--python', '/opt/py', '--json', 'out.json']);
    expect(options).toMatchObject({ models: ['resnet18-cifar', 'lenet-bn'], backends: ['wasm', 'cpu'], steps: 2, warmup: 0, pytorch: false, python: '/opt/py', json: 'out.json' });
    const jobs = benchJobs(options);
    expect(jobs.map((j) => `${j.model}/${j.backend}/${j.batchSize}/${j.microBatchSize ?? '-'}`)).toEqual([
      'resnet18-cifar/wasm/128/4',
      'resnet18-cifar/cpu/4/-',
      'lenet-bn/wasm/100/4',
      'lenet-bn/cpu/4/-',
    ]);
  });

  it.each([
    [['--models', 'vgg16'], /unknown model 'vgg16'; expected some of lenet-bn, resnet18-cifar, convnext-cifar/],
    [['--backends', 'wasm,cuda'], /unknown backend 'cuda'/],
    [['--steps', '0'], /--steps <n>' argument '0' is invalid. expected an integer ≥ 1/],
    [['--warmup', '1.5'], /expected an integer ≥ 0, got '1.5'/],
    [['--rounds', '0'], /--rounds <n>' argument '0' is invalid. expected an integer ≥ 1/],
    [['--models', ''], /expected a comma-separated list/],
    [['--micro-batch-size', '7', '--models', 'lenet-bn'], /--micro-batch-size 7 must divide lenet-bn's batch size 100/],
    [['--frobnicate'], /unknown option '--frobnicate'/],
  ])('refuses %j', (argv, message) => {
    expect(() => parse(argv)).toThrow(message);
  });
});

describe('bench table', () => {
  const record = (backend: string, imagesPerSecond: number | null, extra: Partial<BenchRecord> = {}): BenchRecord => ({
    model: 'resnet18-cifar',
    backend,
    batchSize: 128,
    steps: 3,
    imagesPerSecond,
    peakMemoryMB: imagesPerSecond === null ? null : 1000,
    ...extra,
  });

  it('gives ratios to PyTorch and to the CPU backend from the same run, and says what differs', () => {
    const table = formatTable(
      [record('pytorch', 50), record('cpu', 0.2, { batchSize: 16, modelBatchSize: 128, steps: 1 }), record('wasm', 25, { wasmHeapMB: 900 }), record('wasm-x2', null, { error: 'Aborted()' })],
      [{ model: 'resnet18-cifar', backend: 'webgpu', reason: 'no adapter' }],
    );
    const rows = table.split('\n');
    expect(rows[0]).toMatch(/^model\s+backend\s+batch\s+steps\s+images\/s\s+peak MB\s+x PyTorch\s+x CPU\s+notes$/);
    expect(rows.find((r) => r.includes(' pytorch '))).toMatch(/50\.0\s+1000\s+1x\s+250x/);
    expect(rows.find((r) => r.includes(' cpu '))).toMatch(/0\.20\s+1000\s+0\.0040x\s+1x\s+batch 16, not 128$/);
    expect(rows.find((r) => r.includes(' wasm '))).toMatch(/25\.0\s+1000\s+0\.50x\s+125x\s+WASM heap 900 MB; x CPU vs CPU at batch 16$/);
    expect(rows.find((r) => r.includes(' wasm-x2 '))).toMatch(/failed\s+-\s+-\s+-\s+Aborted\(\)$/);
    expect(table).toContain('Skipped (not present here):\n  webgpu: no adapter');
  });
});

describe('bench rounds', () => {
  const round = (backend: string, imagesPerSecond: number | null, peakMemoryMB: number | null = 300): BenchRecord => ({
    model: 'lenet-bn',
    backend,
    batchSize: 100,
    steps: 60,
    imagesPerSecond,
    peakMemoryMB: imagesPerSecond === null ? null : peakMemoryMB,
    ...(imagesPerSecond === null ? { error: 'crashed' } : {}),
  });

  it('reports the median of the rounds, the largest peak memory and every round, and one round as it is', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const single = round('wasm', 9000);
    expect(combineRounds([single])).toBe(single);
    const combined = combineRounds([round('wasm', 9000, 250), round('wasm', 11000, 260), round('wasm', 10000, 240)]);
    expect(combined).toMatchObject({ imagesPerSecond: 10000, peakMemoryMB: 260, roundImagesPerSecond: [9000, 11000, 10000] });
    expect(combined.error).toBeUndefined();
  });

  it('counts only rounds that ran, says when one failed, and fails when all did', () => {
    const some = combineRounds([round('wasm', 9000), round('wasm', null), round('wasm', 10000)]);
    expect(some).toMatchObject({ imagesPerSecond: 9500, roundImagesPerSecond: [9000, null, 10000], note: 'a round failed: crashed' });
    expect(some.error).toBeUndefined();
    const none = combineRounds([round('wasm', null), round('wasm', null)]);
    expect(none).toMatchObject({ imagesPerSecond: null, peakMemoryMB: null, error: 'crashed' });
  });

  it("prints each row's range over the rounds and its ratios to PyTorch's figure of the same round", () => {
    const pytorch = combineRounds([round('pytorch', 10000), round('pytorch', 20000), round('pytorch', 16000)]);
    const wasm = combineRounds([round('wasm', 8000), round('wasm', 9000), round('wasm', 8500)]);
    const cpu = combineRounds([round('cpu', 24), round('cpu', 25), round('cpu', 24.5)]);
    const rows = formatTable([pytorch, cpu, wasm]).split('\n');
    expect(rows.find((r) => r.includes(' cpu '))).toMatch(/x PyTorch by round 0\.0013–0\.0024; median of 3 rounds, 24\.0–25\.0/);
    expect(rows.find((r) => r.includes(' pytorch '))).toMatch(/16000\s+300\s+1x\s+653x\s+median of 3 rounds, 10000–20000$/);
    expect(rows.find((r) => r.includes(' wasm '))).toMatch(/8500\s+300\s+0\.53x\s+347x\s+x PyTorch by round 0\.45–0\.80; median of 3 rounds, 8000–9000$/);
  });
});

describe('pnpm bench', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains lenet-bn for one step on WASM in micro-batches over two rounds, skips absent backends and writes the JSON records', () => {
    const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
    const json = join(dir, 'bench.json');
    const run = spawnSync(
      process.execPath,
      ['--conditions=@cnn/source', '--import', 'tsx', cli, '--models', 'lenet-bn', '--backends', 'wasm,webgpu', '--steps', '1', '--warmup', '1', '--batch-size', '8', '--micro-batch-size', '4', '--rounds', '2', '--python', join(dir, 'no-python'), '--json', json],
      { encoding: 'utf8', cwd: fileURLToPath(new URL('.', import.meta.url)), timeout: 60_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/no PyTorch reference: .*no-python cannot be run/);
    expect(run.stderr).toMatch(/lenet-bn on wasm \(round 2\/2\): /);
    expect(run.stderr.match(/lenet-bn on webgpu/g)).toHaveLength(1); // an absent backend is tried in the first round only
    expect(run.stdout).toMatch(/lenet-bn\s+wasm\s+8\s+1\s+[\d.]+\s+\d+\s+-\s+-\s+median of 2 rounds, [\d.]+–[\d.]+; batch 8, not 100; micro-batches of 4; WASM heap \d+ MB/);
    expect(run.stdout).toMatch(/Skipped \(not present here\):\n {2}webgpu: /);
    const records = JSON.parse(readFileSync(json, 'utf8')) as BenchRecord[];
    expect(records).toHaveLength(1);
    const [wasm] = records;
    expect(Object.keys(wasm!).slice(0, 6)).toEqual(['model', 'backend', 'batchSize', 'steps', 'imagesPerSecond', 'peakMemoryMB']);
    expect(wasm).toMatchObject({ model: 'lenet-bn', backend: 'wasm', batchSize: 8, steps: 1, modelBatchSize: 100, microBatchSize: 4 });
    expect(wasm!.imagesPerSecond).toBeGreaterThan(0);
    expect(wasm!.roundImagesPerSecond).toHaveLength(2);
    expect(wasm!.peakMemoryMB).toBeGreaterThan(wasm!.wasmHeapMB!);
  });
});
