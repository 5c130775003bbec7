/**
 * The output of a named layer for an input, e.g. the feature maps of a convolution (seed 001's
 * feature-map visualisation), read through a sub-model that shares the model's weights.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * Runs `input` through `model` in inference mode (dropout off, BatchNorm on its running
 * statistics) and returns the output of the top-level layer named `layerName`, e.g. a
 * `[batch, height, width, channels]` tensor for a convolution. The caller owns (and disposes) the
 * result; `input` is not disposed. The sub-model used shares the model's weights and holds no tensors of its own.
 *
 * @param model A built model (Sequential or functional) with one input.
 * @param layerName The name of one of `model.layers` (see `model.summary()`); layers nested inside a sub-model are not reachable.
 * @param input A batch shaped like the model's input, e.g. `[1, 28, 28, 1]` for one LeNet image.
 *
 * @throws If no layer has that name (the message lists the names), the layer has several
 *   outputs or is used more than once in the model, or the model has several inputs.
 */
export function layerActivations(model: tfl.LayersModel, layerName: string, input: Tensor): Tensor {
  if (model.inputs.length !== 1) {
    throw new Error(`layerActivations: model '${model.name}' has ${model.inputs.length} inputs; it supports models with one input.`);
  }
  const layer = model.layers.find((candidate) => candidate.name === layerName);
  if (layer === undefined) {
    throw new Error(
      `layerActivations: model '${model.name}' has no layer '${layerName}'; its layers are: ${model.layers.map((l) => l.name).join(', ')}.`,
    );
  }
  let output: tfl.SymbolicTensor | tfl.SymbolicTensor[];
  try {
    output = layer.output;
  } catch (error) {
    throw new Error(
      `layerActivations: layer '${layerName}' is used more than once in model '${model.name}', so its output is ambiguous (${(error as Error).message}).`,
    );
  }
  if (Array.isArray(output)) {
    throw new Error(`layerActivations: layer '${layerName}' has ${output.length} outputs; choose a layer with one output.`);
  }
  const subModel = tfl.model({ inputs: model.inputs, outputs: output, name: `${model.name}_to_${layerName}` });
  // `predict` runs with training false and returns a new tensor; the sub-model is not disposed,
  // since disposing it would dispose the weights it shares with `model`.
  return subModel.predict(input) as Tensor;
}
