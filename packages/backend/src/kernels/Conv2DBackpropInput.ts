/**
 * `Conv2DBackpropInput` for the WASM backend: the gradient of a 2-D convolution with respect to its input.
 *
 * NHWC data goes to the compiled WebAssembly SIMD kernel (native/conv2d.ts), faster than the composed path below on
 * every shape measured (tools/profile/conv-gflops.ts --input, Node 20, one Zen 5 core) but strided ones with 1-3 input
 * channels (see {@link useCompiledInputGradient}): ResNet-18's 3x3 stride-1 input gradients 1.4-1.9 times (64-77
 * GFLOP/s), stride-2 ones 2.4-3.3 times (no polyphase zero taps), 1x1 ones 1.1-1.4 times, LeNet's 5x5 ones about 1.8
 * times. The composed path, one forward `Conv2D` (XNNPACK, or now the compiled one) instead of
 * tfjs-backend-wasm's own kernel (about ten times slower than the forward convolution it mirrors), serves NCHW data
 * and NHWC data while the compiled module is not ready (browsers compile it asynchronously) or cannot run:
 *
 * Per spatial axis, with stride s, dilation d, padding p (before) and K taps, the forward convolution reads
 * x[o·s + k·d − p] for output o, so the input gradient is
 *
 *   dx[h] = Σ_{o, k : o·s + k·d − p = h} dy[o] · f[k].
 *
 * - Stride 1: dx is a stride-1 convolution (dilation d) of dy, padded by (K−1)·d − p before, with the filter flipped
 *   in both spatial axes and its channel axes swapped (`[KH, KW, Co, Ci]`).
 * - Stride s > 1 (tfjs then has d = 1): the rows h = s·i + r of one phase r ∈ [0, s) only meet the taps
 *   k ≡ r + p (mod s), so each phase is a stride-1 convolution of dy with every s-th tap ("polyphase"). All phases
 *   read a common window of T rows of dy, dy[i + S + t] for t ∈ [0, T), with the tap k = r + p − s·(S + t) (zero
 *   where k falls outside the filter). We stack the s_h·s_w phases on the output-channel axis of one combined filter
 *   `[T_h, T_w, Co, s_h·s_w·Ci]`, run one convolution over dy, and interleave the phases back into rows and columns
 *   (the layout of `depthToSpace`). For a 3x3 stride-2 convolution this does 16 multiply-adds per input pixel
 *   where the exact count is 9; inserting zeros between dy's rows and columns instead would do 36.
 * - A 1x1 filter is a matrix product of dy `[N·OH·OW, Co]` and the transposed filter `[Co, Ci]`; with stride s > 1 it
 *   only reaches every s-th row and column, so the product is spread out with zeros (one `Pad`) and shifted by the
 *   padding.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2DBackpropInput } from '@tensorflow/tfjs-core';
import type {
  Conv2DBackpropInputAttrs,
  Conv2DBackpropInputInputs,
  KernelBackend,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import type { backend_util } from '@tensorflow/tfjs-core';
import { nativeConv2DBackpropInput } from '../native/conv2d.js';
import { convolutionGradientInfo, cropForPadding, transposeRows, wrapInput } from './compose.js';

/** tfjs's attributes have no `dilations` (it refuses gradients of dilated convolutions); TensorFlow's do, so we honour them. */
type Attrs = Conv2DBackpropInputAttrs & { dilations?: number | [number, number] };

/** How one spatial axis of a strided input gradient is computed (see the file comment). */
export interface PolyphaseAxis {
  /** Taps of the combined filter along this axis. */
  taps: number;
  /** Offset S of the first dy row read by output block 0; `-S` is the padding before dy (negative: crop). */
  start: number;
  /** Padding after dy (negative: crop) so that the convolution yields exactly `blocks` rows. */
  after: number;
  /** Output blocks ⌈size / stride⌉; the interleaved result has `blocks · stride ≥ size` rows. */
  blocks: number;
  /** The combined filter's row t, phase r holds tap `r + offset + stride·(taps − 1 − t)`: offset = p − s·E. */
  offset: number;
}

/**
 * Plans one spatial axis of a strided input gradient: input `size`, forward output `outSize`, `filterSize` taps,
 * `stride` and `padBefore` (dilation 1).
 */
export function planPolyphaseAxis(size: number, outSize: number, filterSize: number, stride: number, padBefore: number): PolyphaseAxis {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (let phase = 0; phase < stride; phase++) {
    const residue = (((phase + padBefore) % stride) + stride) % stride;
    if (residue >= filterSize) continue; // no tap of this phase: its rows get no gradient
    const phaseTaps = Math.ceil((filterSize - residue) / stride);
    const end = (phase + padBefore - residue) / stride; // dy row of the phase's first tap, relative to block i
    first = Math.min(first, end - phaseTaps + 1);
    last = Math.max(last, end);
  }
  const blocks = Math.ceil(size / stride);
  return { taps: last - first + 1, start: first, after: blocks + last - outSize, blocks, offset: padBefore - stride * last };
}

/** Which filter tap feeds row `t`, phase `r` of a combined polyphase filter along one axis (see the file comment). */
interface FilterAxisMap {
  /** Taps of the combined filter. */
  taps: number;
  /** Phases (the stride; 1 for a plain flip). */
  stride: number;
  /** Tap `r + offset + stride·(taps − 1 − t)`; 0 with stride 1 flips the filter. */
  offset: number;
}

/**
 * Builds the combined polyphase filter `[T_h, T_w, Co, s_h·s_w·Ci]` from the values of a `[KH, KW, Ci, Co]` filter:
 * entry `[t, u, co, (r·s_w + q)·Ci + ci]` is `filter[kh, kw, ci, co]` with `kh = r + offset_h + s_h·(T_h − 1 − t)`
 * (likewise kw), or 0 where that tap is outside the filter. With strides 1 and offsets 0 it is the filter flipped in
 * both spatial axes with its channel axes swapped. Built in JavaScript, in one pass: tfjs-backend-wasm's `Reverse`,
 * `Gather` and `Concat` run at well under 1 GB/s, slower than this loop over the filter.
 */
export function polyphaseFilterValues(
  values: Float32Array,
  [filterHeight, filterWidth, inChannels, outChannels]: readonly [number, number, number, number],
  rows: FilterAxisMap,
  columns: FilterAxisMap,
): Float32Array {
  const phases = rows.stride * columns.stride;
  const rowStride = phases * inChannels; // one output channel's entries
  const out = new Float32Array(rows.taps * columns.taps * outChannels * rowStride);
  const block = 32; // transpose the [Ci, Co] matrix of a tap in 32x32 tiles
  for (let t = 0; t < rows.taps; t++) {
    for (let r = 0; r < rows.stride; r++) {
      const kh = r + rows.offset + rows.stride * (rows.taps - 1 - t);
      if (kh < 0 || kh >= filterHeight) continue;
      for (let u = 0; u < columns.taps; u++) {
        for (let q = 0; q < columns.stride; q++) {
          const kw = q + columns.offset + columns.stride * (columns.taps - 1 - u);
          if (kw < 0 || kw >= filterWidth) continue;
          const source = (kh * filterWidth + kw) * inChannels * outChannels;
          const target = (t * columns.taps + u) * outChannels * rowStride + (r * columns.stride + q) * inChannels;
          for (let ci0 = 0; ci0 < inChannels; ci0 += block) {
            const ci1 = Math.min(inChannels, ci0 + block);
            for (let co0 = 0; co0 < outChannels; co0 += block) {
              const co1 = Math.min(outChannels, co0 + block);
              for (let ci = ci0; ci < ci1; ci++) {
                const from = source + ci * outChannels;
                for (let co = co0; co < co1; co++) out[target + co * rowStride + ci] = values[from + co]!;
              }
            }
          }
        }
      }
    }
  }
  return out;
}

/** What tfjs passes a `Conv2DBackpropInput` kernel function. */
export interface KernelArgs {
  inputs: Conv2DBackpropInputInputs;
  backend: KernelBackend;
  attrs: Attrs;
}

function conv2DBackpropInput(args: KernelArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const dy = inputs.dy as TensorInfo;
  const filter = inputs.filter as TensorInfo;
  const info = convolutionGradientInfo(Conv2DBackpropInput, attrs.inputShape, filter.shape as [number, number, number, number], attrs, false);
  if (info.dataFormat === 'channelsLast' && useCompiledInputGradient(info)) {
    const dx = nativeConv2DBackpropInput(backend, dy, filter, info);
    if (dx !== undefined) return dx;
  }
  return composedConv2DBackpropInput(args);
}

/**
 * Whether the compiled kernel computes this NHWC input gradient: always, except strided convolutions of 1-3 input
 * channels (an RGB stem's, whose gradient training never needs), where its single vector of 4 channels is 25-75% idle
 * and the composed polyphase path, which stacks the phases on the channel axis (and whose convolution is the compiled
 * forward one), was measured faster (7x7 stride 2
 * 3->64: 23.6 against 28.5 ms; 4x4 stride 4 3->96: 2.5 against 3.9 ms). From 4 channels on the compiled kernel wins
 * (3x3 stride 2 4->16: 0.21 against 0.32 ms).
 */
export function useCompiledInputGradient(info: backend_util.Conv2DInfo): boolean {
  return info.strideHeight * info.strideWidth === 1 || info.inChannels >= 4;
}

/**
 * The input gradient composed from the backend's XNNPACK kernels (see the file comment), for any data format. Exported
 * for benchmarks.
 */
export function composedConv2DBackpropInput(args: KernelArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const dy = inputs.dy as TensorInfo;
  const filter = inputs.filter as TensorInfo;
  const filterShape = filter.shape as [number, number, number, number];
  const info = convolutionGradientInfo(Conv2DBackpropInput, attrs.inputShape, filterShape, attrs, false);
  const strideHW: [number, number] = [info.strideHeight, info.strideWidth];
  const dilationHW: [number, number] = [info.dilationHeight, info.dilationWidth];
  const { batchSize, inHeight, inWidth, inChannels, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;

  return tf.tidy(() => {
    let dy4 = wrapInput(dy, backend);
    if (info.dataFormat === 'channelsFirst') dy4 = tf.transpose(dy4, [0, 2, 3, 1]);
    const filterShape = filter.shape as [number, number, number, number];
    const outChannels = filterShape[3];
    const filterValues = () => backend.readSync(filter.dataId) as Float32Array;
    const [, outHeight, outWidth] = dy4.shape;
    const nhwcShape: [number, number, number, number] = [batchSize, inHeight, inWidth, inChannels];
    let dx: tf.Tensor4D;

    const oneByOne = filterHeight === 1 && filterWidth === 1;
    // dy · fᵀ for a 1x1 filter: [N·OH·OW, Co] · [Co, Ci].
    const oneByOneProduct = () =>
      tf.matMul(
        tf.reshape(dy4, [batchSize * outHeight * outWidth, outChannels]),
        transposeRows(tf.reshape(wrapInput(filter, backend), [inChannels, outChannels])),
      );
    if (oneByOne && strideHW[0] === 1 && strideHW[1] === 1 && top === 0 && left === 0 && outHeight === inHeight && outWidth === inWidth) {
      dx = tf.reshape(oneByOneProduct(), nhwcShape);
    } else if (strideHW[0] === 1 && strideHW[1] === 1) {
      const before = [(filterHeight - 1) * info.dilationHeight - top, (filterWidth - 1) * info.dilationWidth - left] as const;
      const cropped = cropForPadding(dy4, [before[0], inHeight - outHeight + top, before[1], inWidth - outWidth + left]);
      if (cropped.tensor === null) return zerosLike(nhwcShape, info.dataFormat);
      const flip = (taps: number): FilterAxisMap => ({ taps, stride: 1, offset: 0 });
      const flipped = tf.tensor4d(polyphaseFilterValues(filterValues(), filterShape, flip(filterHeight), flip(filterWidth)), [
        filterHeight,
        filterWidth,
        outChannels,
        inChannels,
      ]);
      dx = tf.conv2d(cropped.tensor, flipped, 1, cropped.padding, 'NHWC', dilationHW);
    } else if (oneByOne) {
      // Only every s-th row and column of x meets the filter: multiply, then spread the result out with zeros.
      const product = tf.reshape(oneByOneProduct(), [batchSize * outHeight, 1, outWidth, inChannels]);
      const [sh, sw] = strideHW;
      const spread = tf.pad(product, [[0, 0], [0, sh - 1], [0, 0], [0, (sw - 1) * inChannels]]);
      const placed = tf.reshape<tf.Rank.R4>(spread, [batchSize, outHeight * sh, outWidth * sw, inChannels]);
      // Row h of x is row h + top of the spread result.
      const cropped = cropForPadding(placed, [-top, inHeight + top - outHeight * sh, -left, inWidth + left - outWidth * sw]);
      if (cropped.tensor === null) return zerosLike(nhwcShape, info.dataFormat);
      const padded = cropped.padding.flat().some((amount) => amount > 0);
      dx = padded ? tf.pad(cropped.tensor, cropped.padding) : cropped.tensor;
    } else {
      const rows = planPolyphaseAxis(inHeight, outHeight, filterHeight, strideHW[0], top);
      const columns = planPolyphaseAxis(inWidth, outWidth, filterWidth, strideHW[1], left);
      const cropped = cropForPadding(dy4, [-rows.start, rows.after, -columns.start, columns.after]);
      if (cropped.tensor === null) return zerosLike(nhwcShape, info.dataFormat);
      const [sh, sw] = strideHW;
      const combinedValues = polyphaseFilterValues(filterValues(), filterShape, { ...rows, stride: sh }, { ...columns, stride: sw });
      const combined = tf.tensor4d(combinedValues, [rows.taps, columns.taps, outChannels, sh * sw * inChannels]);
      const phases = tf.conv2d(cropped.tensor, combined, 1, cropped.padding); // [N, blocks_h, blocks_w, s_h·s_w·Ci]
      const byRow = tf.reshape(phases, [batchSize * rows.blocks, columns.blocks, sh, sw * inChannels]);
      const interleaved = tf.reshape<tf.Rank.R4>(tf.transpose(byRow, [0, 2, 1, 3]), [batchSize, rows.blocks * sh, columns.blocks * sw, inChannels]);
      const exact = rows.blocks * sh === inHeight && columns.blocks * sw === inWidth;
      dx = exact ? interleaved : tf.slice(interleaved, [0, 0, 0, 0], nhwcShape);
    }
    return info.dataFormat === 'channelsFirst' ? tf.transpose(dx, [0, 3, 1, 2]) : dx;
  });
}

function zerosLike(nhwcShape: [number, number, number, number], dataFormat: 'channelsFirst' | 'channelsLast'): tf.Tensor4D {
  const [n, h, w, c] = nhwcShape;
  return tf.zeros(dataFormat === 'channelsFirst' ? [n, c, h, w] : nhwcShape);
}

/** Registers `Conv2DBackpropInput` for the `wasm` backend, replacing tfjs-backend-wasm's (see the file comment). */
export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
