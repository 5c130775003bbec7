/**
 * A TensorFlow.js IO handler that saves models to a directory and loads them back in Node, without tfjs-node.
 * The files are tfjs's own layout, the same tfjs-node's `file://` handler writes: `model.json` (topology, training
 * config and a `weightsManifest` naming the weight files) and `weights.bin` (every weight as raw little-endian
 * float32/int32 data, in manifest order). Models saved here load with tfjs-node's `tf.loadLayersModel('file://...')`
 * and the other way round, and `model.json` + `weights.bin` can be served over HTTP for `tf.loadLayersModel(url)` in
 * a browser.
 *
 * Saving is atomic: the files are written into a fresh temporary directory beside the target, which is then renamed
 * onto it, so a crash never leaves a half-written model behind.
 */
import { mkdir, mkdtemp, readFile, rename, rm, stat, readdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

/** Name of the topology file inside a model directory. */
export const MODEL_JSON = 'model.json';
/** Name of the weights file this handler writes. */
export const WEIGHTS_BIN = 'weights.bin';

/** The URL scheme {@link registerFileSystemRouter} serves: `file://path/to/dir`. */
export const FILE_SCHEME = 'file://';

function toArrayBuffer(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  return tf.io.CompositeArrayBuffer.join(data);
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Files that a previous save may have left and that a new save may replace: model.json and weight shards. */
const isModelFile = (name: string): boolean => name === MODEL_JSON || name.endsWith('.bin');

async function writeModelDirectory(dir: string, artifacts: tf.io.ModelArtifacts): Promise<void> {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new Error(`fileSystem('${dir}'): saving a binary (GraphDef) topology is not supported; save a tfjs-layers model`);
  }
  const target = resolve(dir);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const weights = toArrayBuffer(artifacts.weightData);
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology ?? {},
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
  };
  if (artifacts.trainingConfig != null) modelJson.trainingConfig = artifacts.trainingConfig;
  if (artifacts.signature != null) modelJson.signature = artifacts.signature;
  if (artifacts.userDefinedMetadata != null) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.modelInitializer != null) modelJson.modelInitializer = artifacts.modelInitializer;
  if (artifacts.initializerSignature != null) modelJson.initializerSignature = artifacts.initializerSignature;

  const temp = await mkdtemp(join(parent, `.${basename(target)}.tmp-`));
  try {
    await writeFile(join(temp, WEIGHTS_BIN), new Uint8Array(weights));
    await writeFile(join(temp, MODEL_JSON), JSON.stringify(modelJson));
    if (await isDirectory(target)) {
      const others = (await readdir(target)).filter((name) => !isModelFile(name));
      if (others.length > 0) {
        throw new Error(
          `fileSystem: refusing to replace ${target}: it holds files other than a saved model (${others.join(', ')}); save into an empty or new directory`,
        );
      }
      // Swap the old directory out and the new one in; the old one is deleted only once the new one is in place.
      const old = `${temp}-old`;
      await rename(target, old);
      await rename(temp, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(temp, target);
    }
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

async function readModelDirectory(path: string): Promise<tf.io.ModelArtifacts> {
  const given = resolve(path);
  const modelPath = given.endsWith('.json') && !(await isDirectory(given)) ? given : join(given, MODEL_JSON);
  let text: string;
  try {
    text = await readFile(modelPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`fileSystem: cannot read ${modelPath} (${code ?? String(error)}); is '${path}' a directory saved with saveModel or model.save('file://...')?`);
  }
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(text) as tf.io.ModelJSON;
  } catch (error) {
    throw new Error(`fileSystem: ${modelPath} is not valid JSON: ${(error as Error).message}`);
  }
  if (modelJson === null || typeof modelJson !== 'object' || modelJson.modelTopology == null) {
    throw new Error(`fileSystem: ${modelPath} has no modelTopology; it is not a TensorFlow.js model.json`);
  }
  if (!Array.isArray(modelJson.weightsManifest)) {
    throw new Error(`fileSystem: ${modelPath} has no weightsManifest array; it is not a TensorFlow.js model.json`);
  }
  const base = dirname(modelPath);
  return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const specs = manifest.flatMap((group) => group.weights);
    const buffers: ArrayBuffer[] = [];
    for (const file of manifest.flatMap((group) => group.paths)) {
      const weightPath = join(base, file);
      let bytes: Uint8Array;
      try {
        bytes = await readFile(weightPath);
      } catch (error) {
        throw new Error(`fileSystem: cannot read weights ${weightPath} listed in ${modelPath} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      }
      buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    }
    const data = tf.io.CompositeArrayBuffer.join(buffers);
    // Plain float32 / int32 weights (what tfjs-layers saves) must fill the files exactly.
    if (specs.every((s) => s.quantization === undefined && (s.dtype === 'float32' || s.dtype === 'int32'))) {
      const expected = specs.reduce((n, s) => n + 4 * s.shape.reduce((a, b) => a * b, 1), 0);
      if (data.byteLength !== expected) {
        throw new Error(`fileSystem: the weight files of ${modelPath} hold ${data.byteLength} bytes but its manifest describes ${expected}; they are truncated or do not belong to it`);
      }
    }
    return [specs, data];
  });
}

/**
 * An IO handler that saves a model to directory `dir` (`model.json` + `weights.bin`, created or replaced atomically)
 * and loads it from `dir` (or from the path of a `model.json`). Errors name the path that failed.
 * @example
 * await model.save(fileSystem('checkpoints/lenet'));
 * const again = await tfl.loadLayersModel(fileSystem('checkpoints/lenet'));
 */
export function fileSystem(dir: string): tf.io.IOHandler {
  if (typeof dir !== 'string' || dir.length === 0) throw new Error(`fileSystem: dir must be a non-empty path, got ${JSON.stringify(dir)}`);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      await writeModelDirectory(dir, artifacts);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    load: () => readModelDirectory(dir),
  };
}

/** `file://a/b` → `a/b`, `file:///abs` → `/abs`; null for other URLs. */
function pathOfUrl(url: string | string[]): string | null {
  if (Array.isArray(url)) return url.length === 1 ? pathOfUrl(url[0]!) : null;
  return url.startsWith(FILE_SCHEME) ? url.slice(FILE_SCHEME.length) : null;
}

let registered = false;

/**
 * Lets `model.save('file://dir')` and `tfl.loadLayersModel('file://dir')` use {@link fileSystem}, unless another
 * router (tfjs-node's) already serves `file://`. Called when `@cnn/models/node` is imported; returns whether this
 * handler serves `file://` now.
 */
export function registerFileSystemRouter(): boolean {
  if (registered) return true;
  const probe = `${FILE_SCHEME}${join(dirname(resolve('.')), '.cnn-probe')}`;
  if (tf.io.getSaveHandlers(probe).length > 0 || tf.io.getLoadHandlers(probe).length > 0) return false;
  // A router returns null for URLs it does not serve (tfjs's routers do; its IORouter type omits the null).
  const router = (url: string | string[]): tf.io.IOHandler => {
    const path = pathOfUrl(url);
    return (path === null ? null : fileSystem(path)) as tf.io.IOHandler;
  };
  tf.io.registerSaveRouter(router);
  tf.io.registerLoadRouter(router);
  registered = true;
  return true;
}
