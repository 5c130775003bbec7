/**
 * Training checkpoints on the file system (Node). A checkpoint is a directory:
 * - `model.json` + `weights.bin`: the model's topology and weights, written by tfjs's own `model.save` through the
 *   small IO handler below (the layout of `tf.io.fileSystem`, so `tf.loadLayersModel` of `@tensorflow/tfjs-node` and
 *   `@cnn/models/node`'s `loadModel` read it too);
 * - `optimizer.bin`: the optimiser's `getWeights()` tensors (iteration count, moments), in order;
 * - `state.json`: the training position, learning rates, scheduler and callback states, random state, the optimiser's
 *   weight specs, and the model's architecture signature checked on resume.
 * It is written into a temporary sibling directory and then renamed into place, so a crash leaves the previous
 * checkpoint (or, between the two renames, `<dir>.old-*`) intact, never a half-written one.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Where training stood when a checkpoint was written. */
export interface TrainingPosition {
  /** Epoch, 0-based. */
  epoch: number;
  /** Optimiser steps done in the run. */
  step: number;
  /** Batches of `epoch` done. */
  batchInEpoch: number;
  /** Whether `epoch`'s end (evaluation, schedule, `onEpochEnd`) was done too; resuming then starts the next epoch. */
  epochComplete: boolean;
  /** Sum of the training losses of `epoch`'s done batches (for the epoch's mean). */
  epochLossSum: number;
  /** Training images processed in the run. */
  images: number;
  /** Step of the last evaluation, −1 when none ran. */
  evaluatedAtStep: number;
}

/** Everything in a checkpoint besides the model's and the optimiser's tensors. */
export interface CheckpointState {
  /** Format tag and version. */
  format: 'cnn-train-checkpoint/1';
  /**
   * The model's name, architecture signature (layer class and weight shapes per layer) and its weights' tfjs variable
   * names, in `model.weights` order (used to rename optimiser state keyed by variable name on resume).
   */
  model: { name: string; architecture: string[]; variableNames: string[] };
  /** The optimiser's class and its weights' names, shapes and dtypes, in `getWeights()` order. */
  optimizer: { className: string; weights: { name: string; shape: number[]; dtype: string }[] };
  /** Learning rate of each parameter group, when the optimiser exposes them. */
  learningRates?: number[];
  /** The learning-rate scheduler's `getState()`. */
  scheduler?: Record<string, unknown>;
  /** Each callback's class name and `getState()`, in callback order. */
  callbacks: { className: string; state: unknown }[];
  /** The seeded `Math.random` state ({@link SeededRandom.getState}), when one was installed. */
  random?: number[];
  /** Where training stood. */
  position: TrainingPosition;
}

/** The architecture signature of a model: one entry per layer, its class and its weights' shapes. */
export function architectureSignature(model: tfl.LayersModel): string[] {
  return model.layers.map((layer) => `${layer.getClassName()}(${layer.weights.map((w) => `[${w.shape.join(',')}]`).join(' ')})`);
}

/** The optimiser's tfjs class name, or its constructor's name when it registers none. */
function optimizerClassName(optimizer: tf.Optimizer): string {
  return (optimizer.getClassName() as string | undefined) ?? optimizer.constructor.name;
}

function variableNames(model: tfl.LayersModel): string[] {
  return model.weights.map((w) => (w.read() as tf.Variable).name);
}

/**
 * Optimiser state names of the form `<variable>/<slot>` (tfjs's `…/m`, `…/v`; TorchOptimizer's `…/momentum_buffer`)
 * renamed from the checkpoint's variable names to this model's, matched by position: the same architecture built
 * again in one process gets new unique variable names (`dense_Dense3/kernel` for `dense_Dense1/kernel`).
 */
function renameOptimizerWeights(names: readonly string[], saved: readonly string[], current: readonly string[]): string[] {
  const renamed = new Map(saved.map((name, i) => [name, current[i] ?? name]));
  return names.map((name) => {
    const slash = name.lastIndexOf('/');
    const variable = slash > 0 ? renamed.get(name.slice(0, slash)) : undefined;
    return variable === undefined ? name : `${variable}${name.slice(slash)}`;
  });
}

function toArrayBuffer(data: ArrayBuffer | ArrayBuffer[]): ArrayBuffer {
  return Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
}

/** A tfjs IO handler that writes `model.json` and `weights.bin` into `dir` (which must exist). */
export function directorySaveHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts) => {
      const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : toArrayBuffer(artifacts.weightData as ArrayBuffer | ArrayBuffer[]);
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFile(join(dir, 'model.json'), JSON.stringify(modelJson));
      await writeFile(join(dir, 'weights.bin'), new Uint8Array(weightData));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** Decodes tensors laid out one after another in `buffer` as `specs` describe, in order. */
function decodeInOrder(buffer: Uint8Array, specs: readonly { name: string; shape: number[]; dtype: string }[], what: string): tf.Tensor[] {
  const tensors: tf.Tensor[] = [];
  let offset = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const bytes = BYTES[spec.dtype];
    if (bytes === undefined) throw new Error(`${what}: weight '${spec.name}' has unsupported dtype ${spec.dtype}`);
    const slice = new Uint8Array(buffer.subarray(offset, offset + size * bytes)); // a copy: Node's Buffers share a pool
    if (slice.byteLength !== size * bytes) throw new Error(`${what}: the file ends before weight '${spec.name}'; the checkpoint is damaged`);
    const values = spec.dtype === 'float32' ? new Float32Array(slice.buffer) : spec.dtype === 'int32' ? new Int32Array(slice.buffer) : new Uint8Array(slice.buffer);
    tensors.push(tf.tensor(values, spec.shape, spec.dtype as tf.DataType));
    offset += size * bytes;
  }
  return tensors;
}

/** What {@link writeCheckpoint} saves. */
export interface CheckpointContents {
  model: tfl.LayersModel;
  optimizer: tf.Optimizer;
  state: Omit<CheckpointState, 'format' | 'model' | 'optimizer'>;
}

/** Writes a checkpoint directory atomically: into a temporary sibling, then renamed over `dir`. */
export async function writeCheckpoint(dir: string, contents: CheckpointContents): Promise<void> {
  const suffix = `${process.pid}-${Date.now()}-${Math.floor(performance.now() * 1000) % 1e6}`;
  const temporary = join(dirname(dir), `.${basename(dir)}.tmp-${suffix}`);
  await mkdir(temporary, { recursive: true });
  try {
    await contents.model.save(directorySaveHandler(temporary));
    const optimizerWeights = await contents.optimizer.getWeights();
    const encoded = await tf.io.encodeWeights(optimizerWeights);
    tf.dispose(optimizerWeights.map((w) => w.tensor).filter((t) => !(t instanceof tf.Variable))); // the iteration count is a fresh scalar
    await writeFile(join(temporary, 'optimizer.bin'), new Uint8Array(toArrayBuffer(encoded.data as ArrayBuffer | ArrayBuffer[])));
    const state: CheckpointState = {
      format: 'cnn-train-checkpoint/1',
      model: { name: contents.model.name, architecture: architectureSignature(contents.model), variableNames: variableNames(contents.model) },
      optimizer: {
        className: optimizerClassName(contents.optimizer),
        weights: encoded.specs.map((s) => ({ name: s.name, shape: [...s.shape], dtype: s.dtype })),
      },
      ...contents.state,
    };
    await writeFile(join(temporary, 'state.json'), `${JSON.stringify(state, null, 1)}\n`);
    const old = join(dirname(dir), `.${basename(dir)}.old-${suffix}`);
    const exists = await stat(dir).then(() => true, () => false);
    if (exists) await rename(dir, old);
    await rename(temporary, dir);
    if (exists) await rm(old, { recursive: true, force: true });
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
}

/** Reads a checkpoint's `state.json` (no tensors). */
export async function readCheckpointState(dir: string): Promise<CheckpointState> {
  let text: string;
  try {
    text = await readFile(join(dir, 'state.json'), 'utf8');
  } catch (error) {
    throw new Error(`No checkpoint at ${dir}: ${(error as Error).message}; pass the directory ModelCheckpoint wrote (e.g. <dir>/last)`, { cause: error });
  }
  const state = JSON.parse(text) as CheckpointState;
  if (state.format !== 'cnn-train-checkpoint/1') throw new Error(`${dir}/state.json is not a @cnn/train checkpoint (format ${String(state.format)})`);
  return state;
}

/**
 * Loads a checkpoint's model weights into `model` and its optimiser state into `optimizer`, after checking that the
 * model has the checkpoint's architecture and the optimiser its class; returns the rest of the state.
 */
export async function restoreCheckpoint(dir: string, model: tfl.LayersModel, optimizer: tf.Optimizer): Promise<CheckpointState> {
  const state = await readCheckpointState(dir);
  const here = architectureSignature(model);
  const saved = state.model.architecture;
  if (here.join('|') !== saved.join('|')) {
    const i = here.findIndex((entry, k) => entry !== saved[k]);
    const at = i === -1 ? saved.length : i;
    throw new Error(
      `Checkpoint ${dir} was saved from model '${state.model.name}' (${saved.length} layers) but fit was given model '${model.name}' ` +
        `(${here.length} layers); first difference at layer ${at}: checkpoint ${saved[at] ?? '(none)'}, model ${here[at] ?? '(none)'}. ` +
        'Resume with the architecture that wrote the checkpoint.',
    );
  }
  if (state.optimizer.className !== optimizerClassName(optimizer)) {
    throw new Error(`Checkpoint ${dir} was saved with optimizer ${state.optimizer.className} but fit was given ${optimizerClassName(optimizer)}; resume with the same optimizer`);
  }
  const manifest = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as { weightsManifest: { weights: { name: string; shape: number[]; dtype: string }[] }[] };
  const weights = decodeInOrder(await readFile(join(dir, 'weights.bin')), manifest.weightsManifest.flatMap((g) => g.weights), `${dir}/weights.bin`);
  try {
    if (weights.length !== model.weights.length) throw new Error(`${dir}: ${weights.length} saved weights for a model with ${model.weights.length}`);
    model.setWeights(weights);
  } finally {
    tf.dispose(weights);
  }
  const optimizerTensors = decodeInOrder(await readFile(join(dir, 'optimizer.bin')), state.optimizer.weights, `${dir}/optimizer.bin`);
  try {
    // tfjs optimisers copy what they keep into new variables (sharing the data), so the decoded tensors are disposed
    const names = renameOptimizerWeights(state.optimizer.weights.map((w) => w.name), state.model.variableNames ?? [], variableNames(model));
    await optimizer.setWeights(names.map((name, i) => ({ name, tensor: optimizerTensors[i]! })));
  } finally {
    tf.dispose(optimizerTensors);
  }
  return state;
}
