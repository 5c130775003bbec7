/**
 * Model summaries in the spirit of `torchinfo.summary` and Keras's `model.summary()`: one row per layer with its
 * class, output shape(s), parameter counts and multiply-accumulate count, and the model's totals.
 *
 * What is counted:
 * - **Parameters**: the layer's trainable and non-trainable weights. BatchNorm's moving mean and variance are
 *   non-trainable (in PyTorch they are buffers, not in `parameters()`), so `trainableParams` equals PyTorch's
 *   `sum(p.numel() for p in model.parameters())` for the networks of this package. Other non-trainable weights, for
 *   example `DropBlock2D`'s step counter, count as non-trainable too.
 * - **MACs** (multiply-accumulates) per sample, as torchinfo's "mult-adds" and thop count them for convolutions and
 *   linear layers: a convolution costs `out_h · out_w · k_h · k_w · in / groups · out`; a dense layer `in · out` for
 *   every position it is applied at; depthwise and separable convolutions the same formula per kernel;
 *   `GroupedConv2D` (dilation does not change the count) and the two dense layers inside `SqueezeExcitation` from
 *   @cnn/layers are counted as well. Bias additions, BatchNorm, normalisation, pooling, activations and elementwise
 *   layers (add, concatenate, multiply, `LayerScaler`) count 0, as in torchinfo. Nested models add their own MACs.
 */
import type * as tfl from '@tensorflow/tfjs-layers';

/** Shape of one output, batch first (`null` for the batch dimension). */
export type OutputShape = Array<number | null>;

/** One layer of a {@link ModelSummary}. */
export interface LayerSummary {
  /** The layer's name, unique within the model. */
  name: string;
  /** tfjs class name, e.g. `Conv2D`, `BatchNormalization`, `GroupedConv2D`. */
  className: string;
  /** Output shape of each output of the layer, batch dimension `null`. */
  outputShapes: OutputShape[];
  /** Names of the layers whose outputs feed this one, in input order (empty for an `InputLayer`). */
  inbound: string[];
  /** Number of trainable weights (scalars). */
  trainableParams: number;
  /** Number of non-trainable weights (scalars), e.g. BatchNorm's moving mean and variance. */
  nonTrainableParams: number;
  /** Multiply-accumulates per sample (see the module's documentation for what is counted). */
  macs: number;
}

/** The result of {@link summarizeModel}. */
export interface ModelSummary {
  /** The model's name. */
  name: string;
  /** Every layer, inputs included, in the model's (topological) order. */
  layers: LayerSummary[];
  /** Trainable scalars of the whole model, each shared weight counted once. */
  trainableParams: number;
  /** Non-trainable scalars of the whole model, each shared weight counted once. */
  nonTrainableParams: number;
  /** `trainableParams + nonTrainableParams`. */
  totalParams: number;
  /** Multiply-accumulates per sample, the sum over the layers. */
  macs: number;
}

function product(dims: ReadonlyArray<number | null>): number {
  return dims.reduce<number>((a, b) => a * (b ?? 1), 1);
}

function countWeights(weights: ReadonlyArray<{ shape: ReadonlyArray<number | null> }>): number {
  return weights.reduce((n, w) => n + product(w.shape), 0);
}

function weightSize(layer: tfl.layers.Layer, suffix: string): number {
  const weight = layer.weights.find((w) => w.originalName.endsWith(`/${suffix}`) || w.originalName === suffix);
  return weight === undefined ? 0 : product(weight.shape);
}

/** The inbound nodes of `layer` that belong to `model` (a layer reused in several models has one node per use). */
function nodesOf(model: tfl.LayersModel, layer: tfl.layers.Layer): tfl.layers.Layer['inboundNodes'] {
  const own = (model as unknown as { containerNodes?: Set<string> }).containerNodes;
  if (own === undefined || layer.inboundNodes.length <= 1) return layer.inboundNodes;
  return layer.inboundNodes.filter((_, i) => own.has(`${layer.name}_ib-${i}`));
}

/** tfjs types a node's shapes as one shape or a list of them; they are a list of shapes at run time. */
function shapeList(shapes: unknown): OutputShape[] {
  if (!Array.isArray(shapes)) return [];
  return shapes.every((s) => Array.isArray(s)) && shapes.length > 0 ? (shapes as OutputShape[]).map((s) => [...s]) : [[...(shapes as OutputShape)]];
}

function outputShapesOf(model: tfl.LayersModel, layer: tfl.layers.Layer): OutputShape[] {
  const node = nodesOf(model, layer)[0];
  return node === undefined ? [] : shapeList(node.outputShapes);
}

function spatial(shape: OutputShape | undefined, layer: tfl.layers.Layer): number {
  if (shape === undefined) return 0;
  const inner = shape.slice(1, -1);
  if (inner.some((d) => d === null)) {
    throw new Error(
      `summarizeModel: layer '${layer.name}' has an output shape ${formatShapes([shape])} with unknown sizes; build the model with a fixed inputShape to count its multiply-accumulates`,
    );
  }
  return product(inner);
}

const isModel = (layer: tfl.layers.Layer): layer is tfl.LayersModel =>
  Array.isArray((layer as Partial<tfl.LayersModel>).layers) && typeof (layer as Partial<tfl.LayersModel>).predict === 'function';

/** Multiply-accumulates per sample of one layer (see the module's documentation). */
function layerMacs(model: tfl.LayersModel, layer: tfl.layers.Layer): number {
  if (isModel(layer)) return summarizeModel(layer).macs;
  const node = nodesOf(model, layer)[0];
  const out = shapeList(node?.outputShapes)[0];
  const kernel = weightSize(layer, 'kernel');
  switch (layer.getClassName()) {
    case 'Conv1D':
    case 'Conv2D':
    case 'Conv3D':
    case 'GroupedConv2D':
    case 'Dense':
      // Each output position costs one pass over the kernel: k_h·k_w·in/groups·out for a convolution, in·out for a dense layer.
      return spatial(out, layer) * kernel;
    case 'DepthwiseConv2D':
      return spatial(out, layer) * weightSize(layer, 'depthwise_kernel');
    case 'SeparableConv1D':
    case 'SeparableConv2D':
      return spatial(out, layer) * (weightSize(layer, 'depthwise_kernel') + weightSize(layer, 'pointwise_kernel'));
    case 'Conv2DTranspose':
    case 'Conv3DTranspose':
      // Every input position is multiplied by the whole kernel.
      return spatial(shapeList(node?.inputShapes)[0], layer) * kernel;
    case 'SqueezeExcitation':
      // Two dense layers on the pooled [C] vector: C·hidden + hidden·C.
      return weightSize(layer, 'squeeze_kernel') + weightSize(layer, 'excite_kernel');
    default:
      return 0;
  }
}

/**
 * Summarises a tfjs-layers model: per layer its class, output shapes, trainable and non-trainable parameter counts and
 * multiply-accumulates per sample, and the totals. MACs cover convolutions and dense layers, as torchinfo and thop
 * count them; normalisation, pooling, activations and elementwise layers count 0.
 * @example
 * const summary = summarizeModel(createModel('lenet'));
 * summary.trainableParams; // 61706
 * console.log(formatSummary(summary));
 */
export function summarizeModel(model: tfl.LayersModel): ModelSummary {
  const layers = model.layers.map((layer): LayerSummary => {
    const node = nodesOf(model, layer)[0];
    return {
      name: layer.name,
      className: layer.getClassName(),
      outputShapes: outputShapesOf(model, layer),
      inbound: node === undefined ? [] : node.inboundLayers.map((l) => l.name),
      trainableParams: countWeights(layer.trainableWeights),
      nonTrainableParams: countWeights(layer.nonTrainableWeights),
      macs: layerMacs(model, layer),
    };
  });
  const trainableParams = countWeights(model.trainableWeights);
  const nonTrainableParams = countWeights(model.nonTrainableWeights);
  return {
    name: model.name,
    layers,
    trainableParams,
    nonTrainableParams,
    totalParams: trainableParams + nonTrainableParams,
    macs: layers.reduce((n, l) => n + l.macs, 0),
  };
}

const thousands = (n: number): string => n.toLocaleString('en-US');

/** `[null, 28, 28, 6]` as `[-1, 28, 28, 6]`, several outputs separated by spaces. */
export function formatShapes(shapes: ReadonlyArray<OutputShape>): string {
  return shapes.map((s) => `[${s.map((d) => (d === null ? -1 : d)).join(', ')}]`).join(' ');
}

/**
 * A summary as a plain-text table, like torchinfo's: layer (class), output shape, parameters (non-trainable ones in
 * parentheses when there are any), MACs, then the totals.
 */
export function formatSummary(summary: ModelSummary): string {
  const header = ['Layer (type)', 'Output shape', 'Params', 'MACs'];
  const rows = summary.layers.map((l) => [
    `${l.name} (${l.className})`,
    formatShapes(l.outputShapes),
    thousands(l.trainableParams + l.nonTrainableParams) + (l.nonTrainableParams > 0 ? ` (${thousands(l.nonTrainableParams)} fixed)` : ''),
    thousands(l.macs),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const rule = (char: string): string => char.repeat(widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1));
  return [
    `Model: ${summary.name}`,
    rule('='),
    line(header),
    rule('='),
    ...rows.map(line),
    rule('='),
    `Trainable params: ${thousands(summary.trainableParams)}`,
    `Non-trainable params: ${thousands(summary.nonTrainableParams)}`,
    `Total params: ${thousands(summary.totalParams)}`,
    `Multiply-accumulates per sample: ${thousands(summary.macs)} (${(summary.macs / 1e6).toFixed(2)} M)`,
    rule('='),
  ].join('\n');
}
