/**
 * `DepthwiseConv2dNativeBackpropFilter` for the WASM backend: the gradient of a depthwise convolution with
 * respect to its filter `[KH, KW, C, M]` (M = channel multiplier).
 *
 * dW[kh, kw, c, m] = Σ_n Σ_{oh, ow} xPadded[n, oh·s + kh·d, ow·s + kw·d, c] · dy[n, oh, ow, c·M + m]
 *
 * The inner sum is a depthwise convolution per (n, c) pair, which we hand to the backend's XNNPACK
 * `DepthwiseConv2dNative`: input `[1, H, W, N·C]` (x transposed to `[H, W, N, C]`), filter dy transposed to
 * `[OH, OW, N·C, M]`, stride = the forward dilation, dilation = the forward stride, and x padded (or cropped) to
 * exactly `(KH-1)·d + (OH-1)·s + 1` rows (and likewise columns). The result `[1, KH, KW, N·C·M]` is reshaped to
 * `[KH, KW, N, C, M]` and summed over N.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DepthwiseConv2dNativeBackpropFilter } from '@tensorflow/tfjs-core';
import type {
  DepthwiseConv2dNativeBackpropFilterAttrs,
  DepthwiseConv2dNativeBackpropFilterInputs,
  KernelBackend,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { convolutionGradientInfo, cropForPadding, wrapInput } from './compose.js';

function depthwiseConv2dNativeBackpropFilter(args: {
  inputs: DepthwiseConv2dNativeBackpropFilterInputs;
  backend: KernelBackend;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { filterShape } = attrs;
  const x = inputs.x as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  const info = convolutionGradientInfo(DepthwiseConv2dNativeBackpropFilter, x.shape as [number, number, number, number], filterShape, attrs, true);
  const strideHW: [number, number] = [info.strideHeight, info.strideWidth];
  const dilationHW: [number, number] = [info.dilationHeight, info.dilationWidth];
  const [filterHeight, filterWidth, channels, multiplier] = filterShape;

  return tf.tidy(() => {
    const x4 = wrapInput(x, backend);
    const dy4 = wrapInput(dy, backend);
    const [batch, height, width] = x4.shape;
    const [, outHeight, outWidth] = dy4.shape;
    const neededHeight = (filterHeight - 1) * info.dilationHeight + (outHeight - 1) * info.strideHeight + 1;
    const neededWidth = (filterWidth - 1) * info.dilationWidth + (outWidth - 1) * info.strideWidth + 1;

    // One depthwise "image" whose channels are the (n, c) pairs: [1, H, W, N*C].
    const xByPair = tf.reshape<tf.Rank.R4>(batch === 1 ? x4 : tf.transpose(x4, [1, 2, 0, 3]), [1, height, width, batch * channels]);
    const { top, left } = info.padInfo;
    const cropped = cropForPadding(xByPair, [top, neededHeight - height - top, left, neededWidth - width - left]);
    if (cropped.tensor === null) return tf.zeros(filterShape);

    // dy as a depthwise filter over the same (n, c) pairs: [OH, OW, N*C, M].
    const dyByPair = batch === 1 ? dy4 : tf.transpose(dy4, [1, 2, 0, 3]);
    const dyAsFilter = tf.reshape<tf.Rank.R4>(dyByPair, [outHeight, outWidth, batch * channels, multiplier]);
    const perPair = tf.depthwiseConv2d(cropped.tensor, dyAsFilter, dilationHW, cropped.padding, 'NHWC', strideHW);
    const perImage = tf.reshape(perPair, [filterHeight, filterWidth, batch, channels, multiplier]);
    return batch === 1 ? tf.reshape(perImage, filterShape) : tf.sum(perImage, 2);
  });
}

/** Registers `DepthwiseConv2dNativeBackpropFilter` for the `wasm` backend (see the file comment for how). */
export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter as unknown as KernelFunc,
};
