/**
 * `DepthwiseConv2dNativeBackpropInput` for the WASM backend: the gradient of a depthwise convolution with
 * respect to its input `[N, H, W, C]`, given dy `[N, OH, OW, C·M]` and the filter `[KH, KW, C, M]`.
 *
 * dx[n, h, w, c] = Σ_m Σ_{kh, kw} dyz[n, h + top - kh·d, w + left - kw·d, c·M + m] · f[kh, kw, c, m]
 *
 * where dyz is dy with `s - 1` zeros inserted between its rows and columns. With the filter flipped in both
 * spatial axes this is a stride-1 depthwise convolution of dyz (dilation d) padded by `(K-1)·d - pad` before (a
 * negative amount crops), which we hand to the backend's XNNPACK `DepthwiseConv2dNative` with the flipped filter
 * reshaped to `[KH, KW, C·M, 1]`. The result `[N, H, W, C·M]` is reshaped to `[N, H, W, C, M]` and summed over M.
 */
import * as tf from '@tensorflow/tfjs-core';
import { backend_util, DepthwiseConv2dNativeBackpropInput } from '@tensorflow/tfjs-core';
import type {
  DepthwiseConv2dNativeBackpropInputAttrs,
  DepthwiseConv2dNativeBackpropInputInputs,
  KernelBackend,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { cropForPadding, insertZeros, wrapInput } from './compose.js';

function depthwiseConv2dNativeBackpropInput(args: {
  inputs: DepthwiseConv2dNativeBackpropInputInputs;
  backend: KernelBackend;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs;
  const dy = inputs.dy as TensorInfo;
  const filter = inputs.filter as TensorInfo;
  const filterShape = filter.shape as [number, number, number, number];
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filterShape,
    strides,
    dilations ?? 1,
    pad,
    dimRoundingMode,
    true,
  );
  const [filterHeight, filterWidth, channels, multiplier] = filterShape;
  const [batch, height, width] = inputShape;

  return tf.tidy(() => {
    const dy4 = wrapInput(dy, backend);
    const filter4 = wrapInput(filter, backend);
    const [, outHeight, outWidth] = dy4.shape;
    // dyz keeps s-1 trailing zero rows/columns, so it is outHeight*s tall; the padding below accounts for that.
    const dilatedDy = insertZeros(dy4, info.strideHeight, info.strideWidth);
    const top = (filterHeight - 1) * info.dilationHeight - info.padInfo.top;
    const left = (filterWidth - 1) * info.dilationWidth - info.padInfo.left;
    // A stride-1 'valid' convolution returns (padded length) - (K-1)*d rows; we need exactly `height`.
    const bottom = height + (filterHeight - 1) * info.dilationHeight - top - outHeight * info.strideHeight;
    const right = width + (filterWidth - 1) * info.dilationWidth - left - outWidth * info.strideWidth;
    const cropped = cropForPadding(dilatedDy, [top, bottom, left, right]);
    if (cropped.tensor === null) return tf.zeros(inputShape);

    const flipped = tf.reshape<tf.Rank.R4>(tf.reverse(filter4, [0, 1]), [filterHeight, filterWidth, channels * multiplier, 1]);
    const dilation: [number, number] = [info.dilationHeight, info.dilationWidth];
    const perOutput = tf.depthwiseConv2d(cropped.tensor, flipped, 1, cropped.padding, 'NHWC', dilation);
    if (multiplier === 1) return perOutput;
    return tf.sum(tf.reshape(perOutput, [batch, height, width, channels, multiplier]), 4);
  });
}

/** Registers `DepthwiseConv2dNativeBackpropInput` for the `wasm` backend (see the file comment for how). */
export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInput as unknown as KernelFunc,
};
