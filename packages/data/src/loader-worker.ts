/**
 * The worker thread of a {@link DataLoader} with `numWorkers > 0`: rebuilds the dataset and the per-sample transform
 * from their worker recipes, then answers batch requests with collated batches, transferring the pixel buffers.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Dataset } from './dataset.js';
import type { ImageTransform, WorkerRecipe } from './image-transform.js';
import { loadBatch, SampleError } from './sample-batch.js';
import type { BatchReply, BatchRequest, LoaderWorkerData, SerializedError } from './worker-pool.js';

async function rebuild(recipe: WorkerRecipe, what: string): Promise<unknown> {
  const where = `${recipe.factory}(...) from ${recipe.module}`;
  try {
    const module = (await import(recipe.module)) as Record<string, unknown>;
    const factory = module[recipe.factory];
    if (typeof factory !== 'function') {
      throw new TypeError(`the module has no exported function ${JSON.stringify(recipe.factory)}`);
    }
    return await (factory as (...args: unknown[]) => unknown)(...recipe.args);
  } catch (error) {
    throw new Error(`DataLoader worker: cannot rebuild the ${what} with its workerRecipe, ${where}: ${(error as Error).message ?? String(error)}`, { cause: error });
  }
}

function serialize(error: unknown): SerializedError {
  if (error instanceof SampleError) {
    return { kind: 'sample', index: error.index, stage: error.stage, reason: error.reason, file: error.file, message: error.message };
  }
  return { kind: 'other', name: (error as Error)?.name ?? 'Error', message: (error as Error)?.message ?? String(error) };
}

const init = workerData as LoaderWorkerData;
const port = parentPort;
if (port === null) throw new Error('loader-worker: must run in a worker thread started by a DataLoader.');

const dataset = (await rebuild(init.dataset, 'dataset')) as Dataset;
if (typeof dataset?.get !== 'function' || dataset.size !== init.size) {
  throw new Error(
    `DataLoader worker: the dataset rebuilt by ${init.dataset.factory}(...) from ${init.dataset.module} has ${String(dataset?.size)} samples ` +
      `but the loader's has ${init.size}; its workerRecipe() must rebuild the same dataset.`,
  );
}
const transform = init.transform === undefined ? undefined : ((await rebuild(init.transform, 'sampleTransform')) as ImageTransform);
if (transform !== undefined && typeof transform?.apply !== 'function') {
  throw new Error(`DataLoader worker: ${init.transform?.factory}(...) from ${init.transform?.module} did not return an ImageTransform (an object with apply()).`);
}

port.on('message', (request: BatchRequest) => {
  void (async () => {
    let reply: BatchReply;
    const transfer: ArrayBuffer[] = [];
    try {
      const loaded = await loadBatch(dataset, request, { transform, seed: init.seed, onError: init.onError });
      reply = { id: request.id, ok: true, loaded };
      if (loaded.batch) transfer.push(loaded.batch.images.buffer as ArrayBuffer, loaded.batch.labels.buffer as ArrayBuffer);
    } catch (error) {
      reply = { id: request.id, ok: false, error: serialize(error) };
    }
    port.postMessage(reply, transfer);
  })();
});
