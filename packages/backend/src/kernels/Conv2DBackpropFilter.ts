/**
 * `Conv2DBackpropFilter` for the WASM backend: the gradient of a 2-D convolution with respect to its filter.
 *
 * dW[kh, kw, ci, co] = Σ_{n, oh, ow} xPadded[n, oh·s + kh·d, ow·s + kw·d, ci] · dy[n, oh, ow, co]
 *
 * - NHWC data: the compiled WebAssembly SIMD kernel (native/conv-filter-grad.ts), faster than both composed paths
 *   below on every shape measured (tools/profile/conv-gflops.ts --filter): 1.9-3.1 times on ResNet-18's 3x3 filters,
 *   1.3-5 times on 1x1 ones, 2-3 times on LeNet's 5x5. The composed paths serve NCHW data, and NHWC data while the
 *   compiled module is not ready (browsers compile it asynchronously) or cannot run (no WebAssembly SIMD):
 * - 1x1 filters (most of ResNet's and ConvNeXt's convolutions): one matrix product `xᵀ · dy` of x (every s-th row
 *   and column for strides s) as `[N·OH·OW, Ci]` and dy as `[N·OH·OW, Co]`, on the backend's XNNPACK `BatchMatMul`
 *   (fast only without transposed operands, so x is transposed first; see `transposeRows`).
 * - Larger filters: the sum is itself a convolution, which we hand to the backend's XNNPACK `Conv2D`: the batch
 *   becomes the input-channel axis and the input channels become the batch, i.e. input `x'` = transpose(x)
 *   `[Ci, H, W, N]`, filter `dy'` = transpose(dy) `[OH, OW, N, Co]`, stride = the forward dilation, dilation = the
 *   forward stride, with `x` padded (or cropped) to exactly `(KH-1)·d + (OH-1)·s + 1` rows (and likewise columns).
 *   The result `[Ci, KH, KW, Co]` is transposed to the filter layout `[KH, KW, Ci, Co]`. (Measured against one
 *   matrix product per tap over strided slices of x: that is slower here, because tfjs-backend-wasm's
 *   `StridedSlice` and `Transpose` are slow.)
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2DBackpropFilter } from '@tensorflow/tfjs-core';
import type {
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropFilterInputs,
  KernelBackend,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { nativeConv2DBackpropFilter } from '../native/conv-filter-grad.js';
import { convolutionGradientInfo, cropForPadding, subsample, transposeRows, wrapInput } from './compose.js';

/**
 * tfjs's `Conv2DBackpropFilter` has no `dilations` attribute (tfjs refuses gradients of dilated convolutions);
 * TensorFlow's has one, so we honour it when a caller passes it.
 */
type Attrs = Conv2DBackpropFilterAttrs & { dilations?: number | [number, number] };

/** What tfjs passes a `Conv2DBackpropFilter` kernel function. */
export interface KernelArgs {
  inputs: Conv2DBackpropFilterInputs;
  backend: KernelBackend;
  attrs: Attrs;
}

function conv2DBackpropFilter(args: KernelArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  const info = convolutionGradientInfo(Conv2DBackpropFilter, x.shape as [number, number, number, number], attrs.filterShape, attrs, false);
  if (info.dataFormat === 'channelsLast') {
    const gradient = nativeConv2DBackpropFilter(backend, x, dy, info);
    if (gradient !== undefined) return gradient;
  }
  return composedConv2DBackpropFilter(args);
}

/**
 * The filter gradient composed from the backend's XNNPACK kernels (the matrix product for 1x1 filters, the
 * transposed convolution otherwise; see the file comment), for any data format. Exported for benchmarks.
 */
export function composedConv2DBackpropFilter(args: KernelArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { filterShape } = attrs;
  const x = inputs.x as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  const info = convolutionGradientInfo(Conv2DBackpropFilter, x.shape as [number, number, number, number], filterShape, attrs, false);
  const strideHW: [number, number] = [info.strideHeight, info.strideWidth];
  const dilationHW: [number, number] = [info.dilationHeight, info.dilationWidth];

  return tf.tidy(() => {
    let x4 = wrapInput(x, backend);
    let dy4 = wrapInput(dy, backend);
    if (info.dataFormat === 'channelsFirst') {
      x4 = tf.transpose(x4, [0, 2, 3, 1]);
      dy4 = tf.transpose(dy4, [0, 2, 3, 1]);
    }
    const [, outHeight, outWidth] = dy4.shape;
    // Rows of padded x the filter gradient reads; more padding below (or cropping) makes x exactly that tall.
    const neededHeight = (info.filterHeight - 1) * info.dilationHeight + (outHeight - 1) * info.strideHeight + 1;
    const neededWidth = (info.filterWidth - 1) * info.dilationWidth + (outWidth - 1) * info.strideWidth + 1;
    const { top, left } = info.padInfo;
    const cropped = cropForPadding(x4, [
      top,
      neededHeight - info.inHeight - top,
      left,
      neededWidth - info.inWidth - left,
    ]);
    if (cropped.tensor === null) return tf.zeros(filterShape);

    if (info.filterHeight === 1 && info.filterWidth === 1) {
      // Pad x to a whole number of strides (OH·s rows), keep every s-th row and column, and multiply.
      const [, [padTop, padBottom], [padLeft, padRight]] = cropped.padding;
      const extra: [[0, 0], [number, number], [number, number], [0, 0]] = [
        [0, 0],
        [padTop, padBottom + info.strideHeight - 1],
        [padLeft, padRight + info.strideWidth - 1],
        [0, 0],
      ];
      const padded = extra.flat().some((amount) => amount > 0) ? tf.pad(cropped.tensor, extra) : cropped.tensor;
      const window = subsample(padded, outHeight, outWidth, info.strideHeight, info.strideWidth);
      const rows = window.shape[0] * outHeight * outWidth;
      const product = tf.matMul(transposeRows(tf.reshape(window, [rows, info.inChannels])), tf.reshape(dy4, [rows, info.outChannels]));
      return tf.reshape(product, filterShape);
    }

    const xByChannel = tf.transpose(cropped.tensor, [3, 1, 2, 0]); // [Ci, H', W', N]
    const dyAsFilter = tf.transpose(dy4, [1, 2, 0, 3]); // [OH, OW, N, Co]
    const gradient = tf.conv2d(xByChannel, dyAsFilter, dilationHW, cropped.padding, 'NHWC', strideHW);
    return tf.transpose(gradient, [1, 2, 0, 3]); // [KH, KW, Ci, Co]
  });
}

/** Registers `Conv2DBackpropFilter` for the `wasm` backend (see the file comment for how it is computed). */
export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
