/** What the bench asks one child process to measure, and what the child answers. */

/**
 * Backends the bench knows, with `@cnn/backend`'s names: `node` and `node-gpu` are tfjs-node and tfjs-node-gpu
 * (tfjs registry name 'tensorflow'); `wasm-x2` is WASM data-parallel training over two worker threads.
 */
export const BENCH_BACKENDS = ['cpu', 'wasm', 'wasm-x2', 'node', 'node-gpu', 'webgpu'] as const;

/** One of {@link BENCH_BACKENDS}. */
export type BenchBackend = (typeof BENCH_BACKENDS)[number];

/** One (model, backend) measurement, run in its own process. */
export interface BenchJob {
  /** Bench model name (`tools/bench/models.ts`). */
  model: string;
  /** Backend to train on. */
  backend: BenchBackend;
  /** Images per optimiser step. */
  batchSize: number;
  /** Split each step's batch into micro-batches of this many images (gradient accumulation); absent: whole batch. */
  microBatchSize?: number;
  /** Timed optimiser steps, ≥ 1. */
  steps: number;
  /** Untimed optimiser steps before the timed ones, ≥ 0. */
  warmup: number;
  /** Seed of the weights, the random images and the labels. */
  seed: number;
}

/** The child's answer, printed on one stdout line after {@link RESULT_MARKER}. */
export type BenchJobResult =
  | {
      status: 'ok';
      /** Timed images / timed seconds. */
      imagesPerSecond: number;
      /** Peak resident set size of the child process in MiB (see README: `getrusage` maxrss). */
      peakMemoryMB: number;
      /** WASM backend heap size at the end in MiB (the heap only grows, so this is its peak); WASM backends only. */
      wasmHeapMB?: number;
      /** Seconds of each timed step. */
      stepSeconds: number[];
      /** Loss of every step, warm-up included (a sanity check that training ran). */
      losses: number[];
      /** Trainable parameters of the model (as PyTorch counts them: BatchNorm running statistics excluded). */
      parameters: number;
      /** How the backend was set up, from `@cnn/backend`'s report. */
      backendDescription: string;
      /** Micro-batch size used, when the step was split. */
      microBatchSize?: number;
    }
  | {
      /** The backend is not present here (package not installed, no GPU adapter, API not available). */
      status: 'skipped';
      reason: string;
    }
  | {
      /** The backend is present but training failed (e.g. the WASM heap is exhausted). */
      status: 'failed';
      reason: string;
    };

/** Prefix of the stdout line that carries a child's JSON result. */
export const RESULT_MARKER = '@@bench-result ';
