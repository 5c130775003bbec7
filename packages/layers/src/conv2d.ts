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
 * produced (and that is not a trainable variable) runs tfjs-core's `FusedConv2D` kernel directly, with the gradient
 * this module registers for that kernel name ({@link FUSED_CONV2D_GRADIENT}): tfjs evaluates each of its three parts
 * only for inputs on the path to the trained variables. (tfjs-core itself never records `FusedConv2D` on a tape: its
 * fused op records the `customGrad` around it, so this registration changes nothing else.) Every other call, inference
 * included, runs tfjs-layers' own code. Both paths compute the same values with the same kernel.
 *
 * Registered for deserialisation under the class name `Conv2D` (importing @cnn/layers makes saved models with tfjs's
 * `Conv2D` load as this class; without it they load as tfjs's own, with the same results).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Conv2D as TfjsConv2D } from '@tensorflow/tfjs-layers/dist/layers/convolutional.js';
import type { LayerVariable } from '@tensorflow/tfjs-layers/dist/variables.js';
import { fromConfigCopy, type Kwargs } from './layer-utils.js';

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

/**
 * The gradient of tfjs-core's `FusedConv2D` kernel run directly (see the file comment): NHWC, dilation 1, linear
 * activation, with or without a bias; each input's part is computed only when tfjs asks for it.
 */
export const FUSED_CONV2D_GRADIENT: tf.GradConfig = {
  kernelName: tf.FusedConv2D,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const { strides, pad, dataFormat, dilations, dimRoundingMode, activation } = attrs as unknown as tf.FusedConv2DAttrs;
    const dilated = typeof dilations === 'number' ? dilations !== 1 : dilations.some((d) => d !== 1);
    if (activation !== 'linear' || dataFormat !== 'NHWC' || dilated) {
      throw new Error(
        `FusedConv2D gradient: only NHWC, dilation 1 and a linear activation are supported, got ${dataFormat}, dilations ${String(dilations)}, activation ${activation}`,
      );
    }
    const convAttrs = { strides, pad, dataFormat, dimRoundingMode };
    const gradient = dy as tf.Tensor4D;
    return {
      x: () => tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: gradient, filter }, { ...convAttrs, inputShape: x.shape } as never) as tf.Tensor,
      filter: () => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy: gradient }, { ...convAttrs, filterShape: filter.shape } as never) as tf.Tensor,
      bias: () => tf.sum(gradient, [0, 1, 2]),
    };
  },
};
if (tf.getGradient(tf.FusedConv2D) === undefined) tf.registerGradient(FUSED_CONV2D_GRADIENT);

/** tfjs-layers' `Conv2D` that lets tfjs skip the unused input gradient while training (see the file comment). */
export class Conv2D extends TfjsConv2DClass {
  /** @nocollapse */
  static override className = 'Conv2D';

  constructor(args: Conv2DArgs) {
    super(args);
  }

  /** As tfjs-layers', on a copy of `config` ({@link fromConfigCopy}). */
  static override fromConfig = fromConfigCopy;

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
      fields.dilationRate.some((d) => d !== 1) ||
      !constantOfActiveTape(input)
    ) {
      return super.call(inputs, kwargs);
    }
    const inputsMap: tf.NamedTensorMap = { x: input, filter: fields.kernel.read() };
    if (fields.bias != null) inputsMap['bias'] = fields.bias.read();
    const attrs = { strides: fields.strides, pad: fields.padding, dataFormat: 'NHWC', dilations: [1, 1], activation: 'linear' };
    return tf.engine().runKernel(tf.FusedConv2D, inputsMap, attrs as never) as tf.Tensor;
  }
}

tf.serialization.registerClass(Conv2D, 'cnn');
