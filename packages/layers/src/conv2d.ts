/**
 * `Conv2D`: tfjs-layers' `Conv2D` whose training step does not compute an input gradient nobody asked for. Strategy: a
 * subclass that keeps the class name, weights, config and inference path of tfjs-layers' class, and replaces only the
 * call on a constant input while gradients are being recorded (linear activation, channels-last).
 *
 * Why: tfjs-layers runs every 2-D convolution through `tf.fused.conv2d`, which keeps the convolution, bias and a
 * linear activation fused even while a gradient tape records. Its gradient is a `customGrad` that computes the input
 * gradient and the filter gradient together, whether or not the input needs one. For the first convolution of a
 * network the input is the image batch: its gradient is a full transposed convolution thrown away every step (16% of a
 * LeNet-BN training step on the WASM backend). So while a tape records, a convolution whose input no recorded operation
 * produced (and that is not a trainable variable) runs as tfjs-core's separate `conv2d` and `add`, whose registered
 * gradients tfjs evaluates only for inputs on the path to the trained variables. Every other call, inference included,
 * runs the fused kernel as tfjs-layers does (there the input gradient is needed, and fusing the bias saves a pass).
 * Both paths compute the same values.
 *
 * Registered for deserialisation under the class name `Conv2D` (importing @cnn/layers makes saved models with tfjs's
 * `Conv2D` load as this class; without it they load as tfjs's own, with the same results).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Conv2D as TfjsConv2D } from '@tensorflow/tfjs-layers/dist/layers/convolutional.js';
import type { LayerVariable } from '@tensorflow/tfjs-layers/dist/variables.js';
import type { Kwargs } from './layer-utils.js';

/** Options of {@link Conv2D}: those of `tf.layers.conv2d`. */
export type Conv2DArgs = Parameters<typeof tfl.layers.conv2d>[0];

/** tfjs-layers' class (its package exports only the factory). */
const TfjsConv2DClass = tfl.layers.conv2d({ filters: 1, kernelSize: 1 }).constructor as typeof TfjsConv2D;

/** The fields of tfjs-layers' class that the unfused path reads (protected there). */
interface Conv2DFields {
  kernel: LayerVariable;
  bias: LayerVariable | null;
  strides: [number, number];
  padding: 'valid' | 'same' | 'causal';
  dataFormat: 'channelsFirst' | 'channelsLast';
  dilationRate: [number, number];
  activation: { getClassName(): string };
}

/**
 * Whether `x` is a constant of the gradient tape recording now: a tape records, no operation on it produced `x`, and
 * `x` is not a trainable variable. No gradient with respect to the trained variables flows through such a tensor.
 */
function constantOfActiveTape(x: tf.Tensor): boolean {
  const state = tf.engine().state;
  if (state.gradientDepth === 0 || (x instanceof tf.Variable && x.trainable)) return false;
  return !state.activeTape.some((node) => node.outputs.some((output) => output.id === x.id));
}

/** tfjs-layers' `Conv2D` that lets tfjs skip the unused input gradient while training (see the file comment). */
export class Conv2D extends TfjsConv2DClass {
  /** @nocollapse */
  static override className = 'Conv2D';

  constructor(args: Conv2DArgs) {
    super(args);
  }

  /** As tfjs-layers', on a copy of `config`: deserialising the initializers would otherwise modify the caller's. */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(structuredClone(config));
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    const fields = this as unknown as Conv2DFields;
    if (
      input === undefined ||
      Array.isArray(inputs) && inputs.length !== 1 ||
      input.rank !== 4 ||
      fields.dataFormat !== 'channelsLast' ||
      fields.padding === 'causal' ||
      fields.activation.getClassName() !== 'linear' ||
      !constantOfActiveTape(input)
    ) {
      return super.call(inputs, kwargs);
    }
    return tf.tidy(() => {
      const y = tf.conv2d(input as tf.Tensor4D, fields.kernel.read() as tf.Tensor4D, fields.strides, fields.padding as 'valid' | 'same', 'NHWC', fields.dilationRate);
      return fields.bias == null ? y : tf.add(y, fields.bias.read());
    });
  }
}

tf.serialization.registerClass(Conv2D, 'cnn');
