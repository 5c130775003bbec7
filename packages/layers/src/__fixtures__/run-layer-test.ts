/**
 * Keras's `run_layer_test` for tfjs-layers custom layers: every layer of this package goes through it.
 *
 * It builds the layer in a functional model and checks the output shape against `computeOutputShape`, the trainable
 * and non-trainable weight counts, a `getConfig` → `fromConfig` round trip, that training-mode calls reach every
 * trainable weight with a gradient, a save/load round trip of the model through `tf.io.withSaveHandler` /
 * `tf.io.fromMemory` with identical inference outputs, and that `tf.memory().numTensors` does not grow across calls.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect } from 'vitest';

type Layer = InstanceType<typeof tfl.layers.Layer>;
type LayerClass = tf.serialization.SerializableConstructor<Layer> & { className: string };

/** What {@link runLayerTest} checks. */
export interface LayerTestArgs {
  /** Makes a fresh, unbuilt layer. */
  make: () => Layer;
  /** Input shape without the batch dimension. */
  inputShape: number[];
  /** Batch size of the test input. Default 2. */
  batchSize?: number;
  /** Expected number of trainable weights. */
  trainableWeights: number;
  /** Expected number of non-trainable weights. Default 0. */
  nonTrainableWeights?: number;
  /** Expected output shape for the test batch, checked besides `computeOutputShape`. */
  expectedOutputShape?: number[];
}

async function saveAndLoad(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  // JSON.stringify/parse: what reaches a file or localStorage, not the live objects.
  const topology = JSON.parse(JSON.stringify(saved!.modelTopology)) as tf.io.ModelArtifacts['modelTopology'];
  return tfl.loadLayersModel(tf.io.fromMemory({ ...saved!, modelTopology: topology }));
}

/** Runs the shared layer checks; throws (through vitest's `expect`) on the first failure. */
export async function runLayerTest(args: LayerTestArgs): Promise<void> {
  const batchShape = [args.batchSize ?? 2, ...args.inputShape];
  const layer = args.make();
  const input = tfl.input({ shape: args.inputShape });
  const model = tfl.model({ inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor });
  const x = tf.randomNormal(batchShape, 0, 1, 'float32', 42);

  const y = model.predict(x) as tf.Tensor;
  expect(y.shape).toEqual(layer.computeOutputShape(batchShape));
  if (args.expectedOutputShape !== undefined) expect(y.shape).toEqual(args.expectedOutputShape);
  expect(layer.trainableWeights.length).toBe(args.trainableWeights);
  expect(layer.nonTrainableWeights.length).toBe(args.nonTrainableWeights ?? 0);

  const cls = layer.constructor as LayerClass;
  const config = layer.getConfig();
  const clone = cls.fromConfig(cls, config);
  expect(clone.getConfig()).toEqual(config);
  expect(tf.serialization.getRegisteredName(cls)).toBe(`cnn>${cls.className}`);

  if (layer.trainableWeights.length > 0) {
    const variables = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, variables);
    for (const v of variables) {
      const grad = grads[v.name];
      expect(grad, `gradient of ${v.name}`).toBeDefined();
      expect(Number.isFinite(tf.tidy(() => tf.sum(tf.abs(grad!)).dataSync()[0]!))).toBe(true);
    }
    tf.dispose([value, ...Object.values(grads)]);
  }

  const loaded = await saveAndLoad(model);
  const loadedLayer = loaded.layers[loaded.layers.length - 1]!;
  expect(loadedLayer.getClassName()).toBe(cls.className);
  expect(loadedLayer.getConfig()).toEqual(config);
  const z = loaded.predict(x) as tf.Tensor;
  expect(Array.from(z.dataSync())).toEqual(Array.from(y.dataSync()));

  const run = (): void => {
    tf.dispose([model.predict(x) as tf.Tensor, tf.tidy(() => layer.apply(x, { training: true }) as tf.Tensor)]);
  };
  run();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) run();
  expect(tf.memory().numTensors).toBe(before);

  tf.dispose([x, y, z]);
  model.dispose();
  loaded.dispose();
}
