/**
 * Worker threads on modules of this toolkit, from compiled packages and from TypeScript source alike.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread running the module at `url`.
 *
 * A compiled module (`.js`) starts directly. A TypeScript module (the toolkit run from source: its own tests, or
 * `node --conditions=@cnn/source --import tsx`) starts through a small bootstrap that registers tsx's loader
 * first and passes the `@cnn/source` export condition on, so the worker imports the same sources as its parent.
 * The module reads its own `workerData` as usual.
 *
 * @param url The worker module, usually `new URL('./my-worker.js', import.meta.url)`.
 * @param options Node's `WorkerOptions`; `workerData` must be structured-cloneable.
 */
export function startModuleWorker(url: URL, options: WorkerOptions = {}): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  const bootstrap = new URL('./worker-source-bootstrap.mjs', import.meta.url);
  const execArgv = [...(options.execArgv ?? []), '--conditions=@cnn/source'];
  const workerData: unknown = { ...(options.workerData as object | undefined), __cnnSourceModule: url.href };
  return new Worker(bootstrap, { ...options, execArgv, workerData });
}
