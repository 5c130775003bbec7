/**
 * `@cnn/models/node`: saving and loading models to and from directories in Node without tfjs-node. Importing this
 * module registers the `file://` URL scheme for `model.save` and `tf.loadLayersModel` (unless tfjs-node already
 * serves it) and the custom layers of @cnn/layers, so saved models that use them load again.
 */
import '@cnn/layers';
import type * as tfl from '@tensorflow/tfjs-layers';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { fileSystem, registerFileSystemRouter } from './file-system.js';

export { FILE_SCHEME, fileSystem, MODEL_JSON, registerFileSystemRouter, WEIGHTS_BIN } from './file-system.js';

registerFileSystemRouter();

/**
 * Saves `model` (topology and weights, not the optimiser state) to directory `dir` as `model.json` + `weights.bin`,
 * atomically. The directory is created, or replaced when it holds a previously saved model.
 * @example await saveModel(createModel('lenet_bn'), 'checkpoints/lenet_bn');
 */
export async function saveModel(model: tfl.LayersModel, dir: string): Promise<void> {
  await model.save(fileSystem(dir));
}

/**
 * Loads a model saved by {@link saveModel}, by tfjs-node or by `model.save('file://...')` from directory `dir` (or
 * the path of its `model.json`). Errors name the missing or corrupt file.
 * @example const model = await loadModel('checkpoints/lenet_bn');
 */
export async function loadModel(dir: string): Promise<tfl.LayersModel> {
  return loadLayersModel(fileSystem(dir));
}
