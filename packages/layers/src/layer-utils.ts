/**
 * Small helpers shared by this package's tfjs-layers custom layers: tfjs-layers passes `Tensor | Tensor[]` and
 * `Shape | Shape[]` to every layer; these layers take exactly one input.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Shape } from '@tensorflow/tfjs-layers/dist/keras_format/common.js';

export type { Shape };
export type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
export type { Kwargs } from '@tensorflow/tfjs-layers/dist/types.js';

/** The single input tensor of a layer call. */
export function oneTensor(inputs: tf.Tensor | tf.Tensor[], where: string): tf.Tensor {
  if (!Array.isArray(inputs)) return inputs;
  if (inputs.length !== 1) throw new Error(`${where}: expected exactly one input tensor, got ${inputs.length}`);
  return inputs[0]!;
}

/** The single input shape given to `build` / `computeOutputShape`. */
export function oneShape(shape: Shape | Shape[], where: string): Shape {
  if (shape.length === 0 || !Array.isArray(shape[0])) return shape as Shape;
  if (shape.length !== 1) throw new Error(`${where}: expected exactly one input shape, got ${shape.length}`);
  return shape[0] as Shape;
}

/** `value` if it is a positive integer, else an error naming `what` and the value. */
export function positiveInteger(value: unknown, what: string, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${where}: ${what} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** The known channel count (last axis) of an input shape, or an error saying which layer needs it. */
export function channelsOf(shape: Shape, where: string): number {
  const channels = shape[shape.length - 1];
  if (channels === null || channels === undefined) {
    throw new Error(`${where}: the channel (last) axis of the input must be known, got shape [${shape.join(', ')}]`);
  }
  return channels;
}

/**
 * `fromConfig` for subclasses of tfjs-layers' classes: builds `cls` from a copy of `config`, because tfjs-layers'
 * constructors deserialise initializers in place and would otherwise modify the caller's config.
 */
export function fromConfigCopy<T extends tf.serialization.Serializable>(
  cls: tf.serialization.SerializableConstructor<T>,
  config: tf.serialization.ConfigDict,
): T {
  return new cls(structuredClone(config));
}
