/**
 * `pnpm bench`: training throughput of the toolkit on every TensorFlow.js backend present, against PyTorch on the
 * same machine in the same run. See `tools/bench/README.md`.
 *
 *   pnpm bench [--models lenet-bn,resnet18-cifar,convnext-cifar] [--backends cpu,wasm,...] [--steps N] [--warmup N]
 *              [--rounds N] [--json FILE] [--no-pytorch] [--python PATH]   (--help for all options)
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESULT_MARKER, type BenchJob, type BenchJobResult } from './job.js';
import { getBenchModel } from './models.js';
import { benchJobs, createBenchCommand, parseBenchOptions, roundsFor, stepsFor, warmupFor } from './options.js';
import { detectTorch, runPytorch } from './pytorch.js';
import { combineRounds, formatTable, rate, type BenchRecord, type SkippedBackend } from './report.js';

const RUN_ONE = fileURLToPath(new URL('./run-one.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

/** The last line of a child's output that says something (not tfjs's "install tfjs-node" banner). */
function lastMessage(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^=+$/.test(l) && !l.startsWith('Hi, looks like you are running TensorFlow.js'));
  return lines.slice(-3).join(' / ') || 'no output';
}

/** Runs one job in its own Node process (tsx, `@cnn/source`), with a time limit. */
function runChild(job: BenchJob, timeoutSeconds: number): Promise<BenchJobResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--conditions=@cnn/source', '--import', TSX, RUN_ONE, JSON.stringify(job)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutSeconds * 1000,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', (error) => done({ status: 'failed', reason: `could not start the measuring process: ${error.message}` }));
    child.on('close', (code, signal) => {
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
      if (line !== undefined) return done(JSON.parse(line.slice(RESULT_MARKER.length)) as BenchJobResult);
      if (signal === 'SIGKILL') return done({ status: 'failed', reason: `timed out after ${timeoutSeconds} s (raise --timeout or lower --steps)` });
      done({ status: 'failed', reason: `the measuring process ended (${code === null ? signal : `exit ${code}`}): ${lastMessage(stderr + '\n' + stdout)}` });
    });
  });
}

/**
 * Whether a failed job may be retried with `batchSize / split` micro-batches: WASM backends only (their heap is the
 * usual limit), no micro-batch size given by the user, and at most a split in four.
 */
function autoMicroBatch(job: BenchJob, split: number): boolean {
  const wasm = job.backend === 'wasm' || job.backend === 'wasm-x2';
  return wasm && options.microBatchSize === undefined && split <= 4 && job.batchSize % split === 0 && job.batchSize / split >= 8;
}

function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}

function describe(record: BenchRecord): string {
  if (record.imagesPerSecond === null) return `failed: ${record.error ?? ''}`;
  const memory = record.peakMemoryMB === null ? '' : `, peak ${record.peakMemoryMB.toFixed(0)} MB`;
  return `${rate(record.imagesPerSecond)} images/s (batch ${record.batchSize}, ${record.steps} step${record.steps === 1 ? '' : 's'}${memory})`;
}

const command = createBenchCommand();
const options = parseBenchOptions(process.argv.slice(2), command);
const cores = availableParallelism();
progress(`bench: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cores} cores, load average ${loadavg()[0]!.toFixed(1)}, Node ${process.version}`);
if (loadavg()[0]! > cores) progress('bench: the machine is busy (load average above the core count): figures will be noisy; compare ratios within this run only');

const torch = options.pytorch ? detectTorch(options.python) : ({ ok: false, reason: 'skipped (--no-pytorch)' } as const);
progress(torch.ok ? `bench: PyTorch ${torch.version} with ${torch.threads} threads (${options.python})` : `bench: no PyTorch reference: ${torch.reason}`);

const records: BenchRecord[] = [];
const skipped: SkippedBackend[] = [];
const jobs = benchJobs(options);
for (const model of options.models) {
  const own = getBenchModel(model).batchSize;
  const rounds = roundsFor(options, model);
  const label = (backend: string, round: number) => `${model} on ${backend}${rounds > 1 ? ` (round ${round}/${rounds})` : ''}`;
  // Each backend's records, one per round, in the order they first ran (PyTorch first).
  const measured = new Map<string, BenchRecord[]>();
  const add = (record: BenchRecord) => measured.set(record.backend, [...(measured.get(record.backend) ?? []), record]);
  // The job each backend runs from the second round on: the one that worked in the first (micro-batches included).
  const settled = new Map<string, { job: BenchJob; note?: string }>();
  const absent = new Set<string>();
  for (let round = 1; round <= rounds; round++) {
    if (torch.ok) {
      const job = { model, batchSize: options.batchSize ?? own, steps: stepsFor(options, model), warmup: warmupFor(options, model), seed: options.seed };
      let record: BenchRecord;
      try {
        const result = await runPytorch(options.python, job, options.timeoutSeconds);
        record = { model, backend: 'pytorch', batchSize: result.batchSize, steps: result.steps, imagesPerSecond: result.imagesPerSecond, peakMemoryMB: result.peakMemoryMB };
      } catch (error) {
        record = { model, backend: 'pytorch', batchSize: job.batchSize, steps: job.steps, imagesPerSecond: null, peakMemoryMB: null, error: (error as Error).message };
      }
      add(record);
      progress(`${label('pytorch', round)}: ${describe(record)}`);
    }
    for (const planned of jobs.filter((j) => j.model === model)) {
      if (absent.has(planned.backend)) continue;
      const earlier = settled.get(planned.backend);
      let job = earlier?.job ?? planned;
      let result = await runChild(job, options.timeoutSeconds);
      // A WASM batch that does not fit the heap: retry with micro-batches of half, then a quarter of the batch.
      for (let split = 2; earlier === undefined && result.status === 'failed' && autoMicroBatch(job, split); split *= 2) {
        const retry: BenchJob = { ...planned, microBatchSize: planned.batchSize / split };
        progress(`${label(job.backend, round)}: ${result.reason}; retrying with micro-batches of ${retry.microBatchSize}`);
        const next = await runChild(retry, options.timeoutSeconds);
        if (next.status === 'skipped') {
          progress(`${label(job.backend, round)}: cannot retry: ${next.reason}`);
          break; // keep the failure
        }
        [job, result] = [retry, next];
      }
      if (result.status === 'skipped') {
        absent.add(planned.backend);
        skipped.push({ model, backend: job.backend, reason: result.reason });
        progress(`${label(job.backend, round)}: skipped: ${result.reason}`);
        continue;
      }
      const note = earlier?.note ?? (job !== planned ? 'the whole batch failed on this backend' : undefined);
      if (earlier === undefined) settled.set(planned.backend, { job, ...(note === undefined ? {} : { note }) });
      const record: BenchRecord = {
        model,
        backend: job.backend,
        batchSize: job.batchSize,
        steps: job.steps,
        imagesPerSecond: result.status === 'ok' ? result.imagesPerSecond : null,
        peakMemoryMB: result.status === 'ok' ? result.peakMemoryMB : null,
        ...(job.batchSize !== own ? { modelBatchSize: own } : {}),
        ...(job.microBatchSize !== undefined ? { microBatchSize: job.microBatchSize } : {}),
        ...(result.status === 'ok' && result.wasmHeapMB !== undefined ? { wasmHeapMB: result.wasmHeapMB } : {}),
        ...(result.status === 'failed' ? { error: result.reason } : {}),
        ...(note !== undefined ? { note } : {}),
      };
      add(record);
      progress(`${label(job.backend, round)}: ${describe(record)}`);
    }
  }
  for (const list of measured.values()) records.push(combineRounds(list));
}

process.stdout.write(`\n${formatTable(records, skipped)}\n`);
if (options.json !== undefined) {
  const file = resolve(process.env['INIT_CWD'] ?? process.cwd(), options.json);
  writeFileSync(file, `${JSON.stringify(records, null, 2)}\n`);
  progress(`bench: wrote ${records.length} results to ${file}`);
}
process.exitCode = records.some((r) => r.imagesPerSecond === null) ? 1 : 0;
