/**
 * The worker threads of a {@link DataLoader}: started once, kept across epochs, unreferenced while idle (so they never
 * keep the process alive), terminated by `close()`.
 */
import type { Worker } from 'node:worker_threads';
import type { WorkerRecipe } from './image-transform.js';
import { SampleError, type BatchSpec, type LoadedBatch, type OnSampleError, type SampleStage } from './sample-batch.js';
import { startModuleWorker } from './worker-thread.js';

/** What each loader worker is started with. */
export interface LoaderWorkerData {
  /** Rebuilds the dataset. */
  dataset: WorkerRecipe;
  /** The dataset's size, checked against the rebuilt one. */
  size: number;
  /** Rebuilds the per-sample transform, if any. */
  transform?: WorkerRecipe | undefined;
  /** The loader's seed. */
  seed: number;
  /** What to do with failing samples. */
  onError: OnSampleError;
}

/** A batch request to a worker. */
export interface BatchRequest extends BatchSpec {
  /** Matches the reply to the request. */
  id: number;
}

/** An error, as it crosses from a worker to the main thread. */
export type SerializedError =
  | { kind: 'sample'; index: number; stage: SampleStage; reason: string; file: string | undefined; message: string }
  | { kind: 'other'; name: string; message: string };

/** A worker's answer to a {@link BatchRequest}. */
export type BatchReply = { id: number; ok: true; loaded: LoadedBatch } | { id: number; ok: false; error: SerializedError };

interface Task {
  resolve(loaded: LoadedBatch): void;
  reject(error: unknown): void;
}

interface Slot {
  worker: Worker;
  tasks: Map<number, Task>;
}

function deserialize(error: SerializedError): Error {
  if (error.kind === 'sample') return new SampleError(error);
  const rebuilt = new Error(error.message);
  rebuilt.name = error.name;
  return rebuilt;
}

/** The worker entry: the TypeScript source when this module runs from source, the compiled `.js` otherwise. */
function workerUrl(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './loader-worker.ts' : './loader-worker.js', import.meta.url);
}

/** `count` worker threads serving batch requests; the least busy worker gets each request. */
export class LoaderWorkerPool {
  readonly #slots: Slot[];
  #nextId = 0;
  #failure: Error | undefined;
  #closed = false;

  /**
   * @param count Number of workers, a positive integer.
   * @param data What each worker rebuilds its dataset and transform from.
   */
  constructor(count: number, data: LoaderWorkerData) {
    this.#slots = [];
    for (let k = 0; k < count; k++) {
      const worker = startModuleWorker(workerUrl(), { workerData: data, name: `DataLoader worker ${k + 1}` });
      const slot: Slot = { worker, tasks: new Map() };
      worker.unref();
      worker.on('message', (reply: BatchReply) => this.#onReply(slot, reply));
      worker.on('error', (error: Error) => {
        this.#fail(new Error(`DataLoader: worker thread ${k + 1} of ${count} failed: ${error.message}`, { cause: error }));
      });
      worker.on('exit', (code) => {
        if (!this.#closed) this.#fail(new Error(`DataLoader: worker thread ${k + 1} of ${count} exited unexpectedly with code ${code}.`));
      });
      this.#slots.push(slot);
    }
  }

  /** Whether a worker failed; a failed pool rejects every request. */
  get failed(): boolean {
    return this.#failure !== undefined;
  }

  /** Has a worker load the batch `spec`. */
  run(spec: BatchSpec): Promise<LoadedBatch> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.reject(new Error('DataLoader: the loader was closed while an epoch was running.'));
    let slot = this.#slots[0] as Slot;
    for (const candidate of this.#slots) if (candidate.tasks.size < slot.tasks.size) slot = candidate;
    const id = this.#nextId++;
    return new Promise<LoadedBatch>((resolve, reject) => {
      if (slot.tasks.size === 0) slot.worker.ref();
      slot.tasks.set(id, { resolve, reject });
      const request: BatchRequest = { id, indices: spec.indices, epoch: spec.epoch, firstPosition: spec.firstPosition };
      slot.worker.postMessage(request);
    });
  }

  /** Terminates the workers; pending requests reject. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#rejectAll(new Error('DataLoader: the loader was closed while an epoch was running.'));
    await Promise.all(this.#slots.map((slot) => slot.worker.terminate()));
  }

  #onReply(slot: Slot, reply: BatchReply): void {
    const task = slot.tasks.get(reply.id);
    if (task === undefined) return;
    slot.tasks.delete(reply.id);
    if (slot.tasks.size === 0) slot.worker.unref();
    if (reply.ok) task.resolve(reply.loaded);
    else task.reject(deserialize(reply.error));
  }

  #fail(error: Error): void {
    if (this.#failure !== undefined || this.#closed) return;
    this.#failure = error;
    this.#rejectAll(error);
    this.#closed = true;
    for (const slot of this.#slots) void slot.worker.terminate();
  }

  #rejectAll(error: Error): void {
    for (const slot of this.#slots) {
      for (const task of slot.tasks.values()) task.reject(error);
      slot.tasks.clear();
      slot.worker.unref();
    }
  }
}
