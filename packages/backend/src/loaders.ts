/**
 * How each backend is loaded: which package provides it, what must be true of the environment, and the tfjs
 * registry name it registers. Packages are imported only when their backend is tried, so none of them is
 * required; a missing one becomes a reason in the selection report instead of a crash.
 */
import * as tf from '@tensorflow/tfjs-core';
import { nativeWasmKernelConfigs, nativeWasmReplacementConfigs } from './native/batch-norm.js';
import { registerWasmTrainingKernels, WASM_TRAINING_KERNEL_NAMES } from './wasm-kernels.js';

/** Why a backend cannot be used; the message becomes the attempt's `reason`. */
export class BackendUnavailableError extends Error {
  override name = 'BackendUnavailableError';
}

/** How to load one backend. */
export interface BackendLoader {
  /** The name the backend registers in tfjs-core's registry (what `tf.setBackend` takes). */
  tfjsName: string;
  /** Imports and prepares the backend; throws {@link BackendUnavailableError} when it cannot be used here. */
  load(): Promise<void>;
  /** Describes the backend once it is active, for the selection report. */
  describe(): Promise<string>;
  /** Undoes what `load` set up when the backend then fails to initialise. */
  abandon?(): void;
}

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** An error's message, followed by its causes' (tools such as test runners wrap import errors). */
function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause === undefined ? error.message : `${error.message} (${messageOf(error.cause)})`;
}

/** True when `error` says that `specifier` itself (not something it imports) could not be found. */
function isModuleNotFound(error: unknown, specifier: string): boolean {
  const message = messageOf(error);
  const quoted = [`'${specifier}'`, `"${specifier}"`, `url ${specifier} `, `${specifier}'`];
  const namesSpecifier = quoted.some((form) => message.includes(form));
  const code = (error as { code?: unknown } | null)?.code;
  const notFound =
    code === 'ERR_MODULE_NOT_FOUND' ||
    code === 'MODULE_NOT_FOUND' ||
    /cannot find (module|package)|could not resolve|failed to (load url|resolve)|does the file exist/i.test(message);
  return notFound && namesSpecifier;
}

/**
 * Runs `load` (an `import()` of `specifier`), turning failures into {@link BackendUnavailableError}s.
 * `purpose` says what the package is for when its name does not.
 */
async function importOptional<T>(specifier: string, load: () => Promise<T>, purpose = ''): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (isModuleNotFound(error, specifier)) {
      throw new BackendUnavailableError(`${purpose}${specifier} is not installed (npm i ${specifier})`);
    }
    throw new BackendUnavailableError(`${specifier} failed to load: ${messageOf(error)}`);
  }
}

/**
 * Imports a Node-only package. The specifier is a variable (and marked for bundlers to ignore) so that browser
 * bundles neither include nor fail on packages with native code.
 */
async function importNodeOnly(specifier: string, purpose = ''): Promise<unknown> {
  if (!isNode) throw new BackendUnavailableError(`${specifier} runs only in Node.js`);
  return importOptional(specifier, () => import(/* @vite-ignore */ /* webpackIgnore: true */ specifier), purpose);
}

/** A loader for tfjs-node or tfjs-node-gpu, which both register the backend 'tensorflow' when imported. */
function tensorflowLoader(specifier: string, description: string): BackendLoader {
  return {
    tfjsName: 'tensorflow',
    async load() {
      await importNodeOnly(specifier);
      if (tf.findBackendFactory('tensorflow') == null) {
        throw new BackendUnavailableError(
          `${specifier} loaded but did not register the 'tensorflow' backend with this copy of ` +
            `@tensorflow/tfjs-core ${tf.version_core}; install versions that share one tfjs-core`,
        );
      }
    },
    async describe() {
      return `${description} via ${specifier}`;
    },
  };
}

/** The minimal WebGPU surface used here (the DOM lib may not declare WebGPU types). */
interface GpuLike {
  requestAdapter(): Promise<object | null>;
}
interface NavigatorWithGpu {
  gpu?: GpuLike;
}

/** Where navigator.gpu came from: the environment itself, or Dawn (the `webgpu` package) installed by us. */
let webGpuSource: 'navigator.gpu' | 'Dawn (webgpu package)' = 'navigator.gpu';

/**
 * Returns navigator.gpu, creating it with Dawn in Node as the `webgpu` package documents: its `globals`
 * (GPUBufferUsage, ...) go onto globalThis and `create([])` becomes `navigator.gpu`.
 */
async function findWebGpu(): Promise<{ gpu: GpuLike; uninstall: () => void }> {
  const scope = globalThis as { navigator?: NavigatorWithGpu };
  const existing = scope.navigator?.gpu;
  if (existing != null) return { gpu: existing, uninstall: () => {} };
  if (!isNode) throw new BackendUnavailableError('this browser does not support WebGPU (navigator.gpu is undefined)');

  const loaded = (await importNodeOnly('webgpu', 'WebGPU in Node.js needs Dawn: ')) as { create?: unknown; default?: unknown };
  const dawn = (typeof loaded.create === 'function' ? loaded : loaded.default) as
    | { create?: (flags: string[]) => GpuLike; globals?: object }
    | undefined;
  if (typeof dawn?.create !== 'function') {
    throw new BackendUnavailableError('the webgpu package does not export create(); expected Dawn for Node.js');
  }
  Object.assign(globalThis, dawn.globals ?? {});
  const gpu = dawn.create([]);
  const hadNavigator = scope.navigator != null;
  if (hadNavigator) Object.defineProperty(scope.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  webGpuSource = 'Dawn (webgpu package)';
  // While navigator.gpu references Dawn, Node keeps running; drop it when WebGPU turns out to be unusable.
  const uninstall = (): void => {
    if (hadNavigator) delete (scope.navigator as NavigatorWithGpu).gpu;
    else delete scope.navigator;
  };
  return { gpu, uninstall };
}

/** Removes the Dawn navigator.gpu that the last WebGPU load installed, if any. */
let uninstallDawn: () => void = () => {};

const webGpuLoader: BackendLoader = {
  tfjsName: 'webgpu',
  async load() {
    const { gpu, uninstall } = await findWebGpu();
    uninstallDawn = uninstall;
    try {
      const adapter = await gpu.requestAdapter();
      if (adapter == null) {
        throw new BackendUnavailableError('no WebGPU adapter: navigator.gpu.requestAdapter() returned null');
      }
      const webgpu = await importOptional('@tensorflow/tfjs-backend-webgpu', () => import('@tensorflow/tfjs-backend-webgpu'));
      if (tf.findBackendFactory('webgpu') == null) {
        // tfjs-backend-webgpu registers itself only if navigator.gpu existed when it was first imported.
        const withDevice = adapter as { requestDevice(): Promise<unknown> };
        tf.registerBackend('webgpu', async () => new webgpu.WebGPUBackend((await withDevice.requestDevice()) as never), 3);
      }
    } catch (error) {
      uninstall();
      throw error;
    }
  },
  async describe() {
    return `WebGPU through ${webGpuSource}`;
  },
  abandon() {
    uninstallDawn();
    uninstallDawn = () => {};
  },
};

const wasmLoader: BackendLoader = {
  tfjsName: 'wasm',
  async load() {
    registerWasmTrainingKernels();
    await importOptional('@tensorflow/tfjs-backend-wasm', () => import('@tensorflow/tfjs-backend-wasm'));
    registerWasmTrainingKernels(); // again, now that the stock kernels it replaces are registered
  },
  async describe() {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
    const threads = wasm.getThreadsCount();
    return (
      `WebAssembly + XNNPACK (${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'}); ` +
      `training kernels: ${[...WASM_TRAINING_KERNEL_NAMES, ...nativeWasmKernelConfigs.map((c) => c.kernelName), ...nativeWasmReplacementConfigs.map((c) => c.kernelName)].join(', ')}`
    );
  },
};

const cpuLoader: BackendLoader = {
  tfjsName: 'cpu',
  async load() {
    await importOptional('@tensorflow/tfjs-backend-cpu', () => import('@tensorflow/tfjs-backend-cpu'));
  },
  async describe() {
    return 'plain JavaScript kernels (the slowest; works everywhere)';
  },
};

/** Loaders by our backend names. */
export const BACKEND_LOADERS = {
  'node-gpu': tensorflowLoader('@tensorflow/tfjs-node-gpu', 'TensorFlow C library with CUDA'),
  node: tensorflowLoader('@tensorflow/tfjs-node', 'TensorFlow C library (CPU)'),
  webgpu: webGpuLoader,
  wasm: wasmLoader,
  cpu: cpuLoader,
} as const satisfies Record<string, BackendLoader>;

/** Advice for when `tf.setBackend` refuses a backend whose package did load. */
export const INITIALISATION_HINTS: Partial<Record<keyof typeof BACKEND_LOADERS, string>> = {
  wasm: 'in a browser, call setWasmPaths() from @tensorflow/tfjs-backend-wasm to say where its .wasm files are served',
  'node-gpu': 'check that CUDA and cuDNN match what @tensorflow/tfjs-node-gpu was built for',
};
