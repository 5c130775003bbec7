/**
 * Picks the fastest TensorFlow.js backend that works here, or the one asked for, activates it, and reports
 * what was tried and why each was or was not used.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_LOADERS, BackendUnavailableError, INITIALISATION_HINTS } from './loaders.js';

/** Our names for the backends, independent of the tfjs registry names (tfjs-node registers 'tensorflow'). */
export type BackendName = 'node-gpu' | 'node' | 'webgpu' | 'wasm' | 'cpu';

/** Every backend, fastest first: the order in which `'auto'` tries them. */
export const BACKEND_NAMES: readonly BackendName[] = Object.freeze(['node-gpu', 'node', 'webgpu', 'wasm', 'cpu']);

/** One backend that {@link selectBackend} tried. */
export interface BackendAttempt {
  /** The backend tried. */
  name: BackendName;
  /** Whether it works here (true only for the chosen one, since the search stops there). */
  ok: boolean;
  /** For the chosen backend, what it is; otherwise why it cannot be used. */
  reason: string;
}

/** The backend {@link selectBackend} activated. */
export interface BackendChoice {
  /** Our name for it. */
  name: BackendName;
  /** Its name in the tfjs registry, as `tf.getBackend()` reports it ('tensorflow' for node and node-gpu). */
  tfjsName: string;
  /** Why it was chosen: requested explicitly, or the first usable one in preference order. */
  reason: string;
  /** Every backend tried, in the order tried, ending with the chosen one. */
  attempts: BackendAttempt[];
}

/** Options for {@link selectBackend}. */
export interface SelectBackendOptions {
  /**
   * The backend to use, or `'auto'` (the default) for the first usable one in {@link BACKEND_NAMES} order.
   * An explicit backend that cannot be used is an error; there is no silent fallback.
   */
  backend?: BackendName | 'auto';
  /**
   * With `'auto'`, consider only these backends (still tried in {@link BACKEND_NAMES} order). Default: all.
   * Ignored when `backend` names one.
   */
  candidates?: readonly BackendName[];
}

function isBackendName(value: string): value is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(value);
}

/**
 * Parses a backend name as given on a command line (`--backend wasm`), case-insensitively.
 * @throws Error naming the bad value and listing the valid names.
 */
export function parseBackendName(value: string): BackendName | 'auto' {
  const name = value.trim().toLowerCase();
  if (name === 'auto' || isBackendName(name)) return name;
  throw new Error(`Unknown backend '${value}': expected one of auto, ${BACKEND_NAMES.join(', ')}`);
}

/** Loads and activates one backend, returning its description; throws BackendUnavailableError if unusable. */
async function activate(name: BackendName): Promise<string> {
  const loader = BACKEND_LOADERS[name];
  try {
    await loader.load();
  } catch (error) {
    if (error instanceof BackendUnavailableError) throw error;
    throw new BackendUnavailableError(`loading failed: ${(error as Error).message ?? String(error)}`);
  }
  let activated: boolean;
  try {
    activated = await tf.setBackend(loader.tfjsName);
  } catch (error) {
    throw new BackendUnavailableError(`tf.setBackend('${loader.tfjsName}') failed: ${(error as Error).message}`);
  }
  if (!activated) {
    loader.abandon?.();
    const hint = INITIALISATION_HINTS[name];
    throw new BackendUnavailableError(
      `the '${loader.tfjsName}' backend failed to initialise (tf.setBackend returned false; tfjs logged the cause)` +
        (hint ? `; ${hint}` : ''),
    );
  }
  await tf.ready();
  return loader.describe();
}

/**
 * Activates a TensorFlow.js backend: the one asked for, or with `'auto'` the first that works of node-gpu
 * (tfjs-node-gpu), node (tfjs-node), webgpu (where a GPU adapter exists: `navigator.gpu` in browsers, Dawn from
 * the `webgpu` package in Node), wasm, cpu. Each backend's package is imported only when it is tried; loading
 * wasm also registers this package's WASM training kernels. Resolves once `tf.ready()` has.
 * @throws Error with the reason when an explicitly requested backend cannot be used, or when none can.
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendChoice> {
  const requested = parseBackendName(options.backend ?? 'auto');
  if (requested !== 'auto') {
    try {
      const description = await activate(requested);
      return {
        name: requested,
        tfjsName: BACKEND_LOADERS[requested].tfjsName,
        reason: 'requested explicitly',
        attempts: [{ name: requested, ok: true, reason: description }],
      };
    } catch (error) {
      throw new Error(`Backend '${requested}' cannot be used: ${(error as Error).message}`, { cause: error });
    }
  }

  const candidates = (options.candidates ?? BACKEND_NAMES).map(parseBackendName);
  const order = BACKEND_NAMES.filter((name) => candidates.includes(name));
  if (order.length === 0) throw new Error('selectBackend: candidates is empty; list at least one backend');
  const attempts: BackendAttempt[] = [];
  for (const name of order) {
    try {
      const description = await activate(name);
      attempts.push({ name, ok: true, reason: description });
      return {
        name,
        tfjsName: BACKEND_LOADERS[name].tfjsName,
        reason: `auto: the first usable backend of ${order.join(', ')}`,
        attempts,
      };
    } catch (error) {
      if (!(error instanceof BackendUnavailableError)) throw error;
      attempts.push({ name, ok: false, reason: error.message });
    }
  }
  const tried = attempts.map((attempt) => `${attempt.name}: ${attempt.reason}`).join('; ');
  throw new Error(`No usable TensorFlow.js backend among ${order.join(', ')} (${tried})`);
}

/**
 * Formats a {@link BackendChoice} for people: a heading naming the chosen backend and why, then one line per
 * backend tried, marked `ok` or `no`, with its reason.
 */
export function formatBackendReport(choice: BackendChoice): string {
  const width = Math.max(...choice.attempts.map((attempt) => attempt.name.length));
  const lines = choice.attempts.map(
    (attempt) => `  ${attempt.ok ? 'ok' : 'no'}  ${attempt.name.padEnd(width)}  ${attempt.reason}`,
  );
  return [`TensorFlow.js backend: ${choice.name} (tfjs '${choice.tfjsName}'), ${choice.reason}`, ...lines].join('\n');
}
