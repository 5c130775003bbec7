/** Runs `tools/reference/bench_pytorch.py`, the PyTorch reference of the bench, when the given Python has torch. */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The reference script. */
export const PYTORCH_SCRIPT = fileURLToPath(new URL('../reference/bench_pytorch.py', import.meta.url));

/** What the reference prints for one model (the fields the bench uses). */
export interface PytorchResult {
  model: string;
  batchSize: number;
  steps: number;
  imagesPerSecond: number;
  peakMemoryMB: number;
  parameters: number;
  threads: number;
  torch: string;
}

/** Whether `python` can import torch: its version and default thread count, or why not. */
export function detectTorch(python: string): { ok: true; version: string; threads: number } | { ok: false; reason: string } {
  const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__, torch.get_num_threads())'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.error !== undefined) return { ok: false, reason: `${python} cannot be run (${probe.error.message}); pass --python PATH` };
  if (probe.status !== 0) {
    const last = probe.stderr.trim().split('\n').pop() ?? '';
    return { ok: false, reason: `${python} has no usable torch (${last}); install torch or pass --python PATH` };
  }
  const [version = '?', threads = '0'] = probe.stdout.trim().split(/\s+/);
  return { ok: true, version, threads: Number(threads) };
}

/**
 * Trains `model` with PyTorch in its own process (so its peak memory is that model's alone).
 * @throws Error with the script's last stderr line when it fails or times out.
 */
export function runPytorch(
  python: string,
  job: { model: string; batchSize: number; steps: number; warmup: number; seed: number },
  timeoutSeconds: number,
): Promise<PytorchResult> {
  const args = [PYTORCH_SCRIPT, '--model', job.model, '--batch-size', String(job.batchSize), '--steps', String(job.steps), '--warmup', String(job.warmup), '--seed', String(job.seed)];
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutSeconds * 1000, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      if (code === 0 && line !== undefined) return resolve(JSON.parse(line) as PytorchResult);
      const why = signal === 'SIGKILL' ? `timed out after ${timeoutSeconds} s` : `exit ${String(code ?? signal)}: ${stderr.trim().split('\n').pop() ?? ''}`;
      reject(new Error(`PyTorch reference for ${job.model} failed (${why})`));
    });
  });
}
