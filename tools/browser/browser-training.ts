/**
 * Trains models in headless Chromium on the backends a browser offers, through the toolkit's own packages: the
 * page (`page.ts`) is bundled with esbuild, served from 127.0.0.1, and posts back each run's losses.
 *
 * Chromium runs with SwiftShader (a CPU implementation of WebGL and WebGPU) where the machine has no GPU, so the
 * speeds it reports on such a machine show that training works, not how fast a GPU would be.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** One training run the page performs. */
export interface BrowserJob {
  /** `@cnn/backend` backend name: `wasm`, `webgpu` or `cpu`. */
  backend: string;
  /** `@cnn/models` registry name. */
  model: string;
  inputShape: [number, number, number];
  classes: number;
  batchSize: number;
  /** SGD steps; the first is a warm-up left out of the speed. */
  steps: number;
}

/** What the page reports for a {@link BrowserJob}. */
export interface BrowserJobResult extends BrowserJob {
  ok: boolean;
  /** The backend `selectBackend` chose. */
  chosen?: string;
  /** Loss of each step, from the same seeded weights and data on every backend. */
  losses?: number[];
  /** Images per second over the steps after the warm-up. */
  imagesPerSecond?: number;
  /** Tensors alive after the timed steps minus before them; 0 when nothing leaks. */
  tensorsLeaked?: number;
  /** Why the run failed, when `ok` is false. */
  error?: string;
}

/** The shapes the browser check trains each model at (small: SwiftShader is slow). */
export const BROWSER_MODEL_SHAPES: Readonly<Record<string, Pick<BrowserJob, 'inputShape' | 'classes' | 'batchSize'>>> = {
  lenet_bn: { inputShape: [28, 28, 1], classes: 10, batchSize: 32 },
  resnet18: { inputShape: [32, 32, 3], classes: 10, batchSize: 8 },
  convnext_test: { inputShape: [32, 32, 3], classes: 10, batchSize: 8 },
};

/** Options of {@link trainInBrowser}. */
export interface TrainInBrowserOptions {
  /** Backends to try. */
  backends: readonly string[];
  /** Models to train, keys of {@link BROWSER_MODEL_SHAPES}. */
  models: readonly string[];
  /** Steps per run, ≥ 2; default 3. */
  steps?: number;
  /** Chromium executable; default `chromium`. */
  chromium?: string;
  /** Give up after this many seconds; default 600. */
  timeoutSeconds?: number;
  /** Called with each result as it arrives. */
  onResult?: (result: BrowserJobResult) => void;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}

/**
 * Bundles the page, serves it, runs every (backend, model) job in one headless Chromium and returns the results.
 *
 * @throws Error when a model is unknown, Chromium cannot start, the page fails, or the timeout passes.
 */
export async function trainInBrowser(options: TrainInBrowserOptions): Promise<BrowserJobResult[]> {
  const { backends, models, steps = 3, chromium = 'chromium', timeoutSeconds = 600, onResult } = options;
  if (!Number.isInteger(steps) || steps < 2) throw new RangeError(`steps must be an integer ≥ 2 (the first is a warm-up), got ${steps}`);
  for (const model of models) {
    if (!(model in BROWSER_MODEL_SHAPES)) throw new Error(`unknown model ${model}; choose from ${Object.keys(BROWSER_MODEL_SHAPES).join(', ')}`);
  }
  const jobs: BrowserJob[] = backends.flatMap((backend) => models.map((model) => ({ backend, model, steps, ...BROWSER_MODEL_SHAPES[model]! })));

  const here = dirname(fileURLToPath(import.meta.url));
  const wasmDir = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')), '..', 'wasm-out');
  const work = await mkdtemp(join(tmpdir(), 'cnn-browser-'));
  try {
    await build({
      entryPoints: [join(here, 'page.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['@cnn/source'],
      outfile: join(work, 'page.js'),
      logLevel: 'error',
      external: ['webgpu', 'node:*', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
    });
    const page = await readFile(join(work, 'page.js'));
    const results: BrowserJobResult[] = [];
    let finish: (error?: string) => void = () => {};
    const finished = new Promise<string | undefined>((resolve) => (finish = resolve));

    const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const send = (status: number, type: string, content: string | Buffer): void => {
        response.writeHead(status, { 'content-type': type }).end(content);
      };
      if (url.pathname === '/') return send(200, 'text/html', '<!doctype html><script type="module" src="/page.js"></script>');
      if (url.pathname === '/page.js') return send(200, 'text/javascript', page);
      if (url.pathname === '/jobs') return send(200, 'application/json', JSON.stringify(jobs));
      if (url.pathname.startsWith('/wasm/')) {
        const file = url.pathname.slice('/wasm/'.length).replace(/[^\w.-]/g, '');
        try {
          return send(200, 'application/wasm', await readFile(join(wasmDir, file)));
        } catch {
          return send(404, 'text/plain', 'not found');
        }
      }
      if (request.method === 'POST' && url.pathname === '/result') {
        const result = JSON.parse(await readBody(request)) as BrowserJobResult;
        results.push(result);
        onResult?.(result);
        return send(200, 'text/plain', 'ok');
      }
      if (request.method === 'POST' && url.pathname === '/done') {
        const { error } = JSON.parse(await readBody(request)) as { error?: string };
        send(200, 'text/plain', 'ok');
        return finish(error);
      }
      return send(404, 'text/plain', 'not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const browser = spawn(
      chromium,
      [
        '--headless',
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--use-angle=swiftshader',
        '--enable-unsafe-swiftshader',
        '--enable-unsafe-webgpu',
        '--use-webgpu-adapter=swiftshader',
        `--user-data-dir=${join(work, 'profile')}`,
        `http://127.0.0.1:${port}/`,
      ],
      // its own process group, so that its GPU, renderer and utility processes can be killed with it
      { stdio: 'ignore', detached: true },
    );
    const exited = new Promise<void>((resolve) => browser.once('exit', () => resolve()));
    browser.on('error', (error) => finish(`could not start ${chromium}: ${error.message}`));
    const exitedEarly = (code: number | null): void => finish(`${chromium} exited (code ${code}) before the page finished`);
    browser.on('exit', exitedEarly);
    const timer = setTimeout(() => finish(`timed out after ${timeoutSeconds} s`), timeoutSeconds * 1000);
    const error = await finished;
    clearTimeout(timer);
    browser.off('exit', exitedEarly);
    await stopBrowser(browser, exited);
    server.close();
    if (error) throw new Error(`browser training: ${error}`);
    return results;
  } finally {
    // Chromium's last writes into the profile can still be landing: retry on ENOTEMPTY / EBUSY
    await rm(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}

/**
 * Kills Chromium's whole process group (its child processes keep writing into the profile directory when only the
 * main process dies) and waits for the main process to exit, at most 5 s.
 */
async function stopBrowser(browser: ChildProcess, exited: Promise<void>): Promise<void> {
  if (browser.pid === undefined) return; // it never started
  if (browser.exitCode === null && browser.signalCode === null) {
    try {
      process.kill(-browser.pid, 'SIGKILL');
    } catch {
      browser.kill('SIGKILL'); // no group (it has exited meanwhile, or the platform has none)
    }
  }
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
}
