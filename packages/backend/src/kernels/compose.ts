/**
 * Helpers for kernels that are composed from other kernels of the same backend.
 *
 * A kernel function receives its inputs as `TensorInfo`s owned by the caller. To run tfjs-core ops on them
 * we wrap each one in a `tf.Tensor` that shares the caller's data. The engine's `makeTensorFromTensorInfo`
 * does not raise the backend's reference count, yet disposing the wrapper lowers it, so we raise it first:
 * the wrapper can then be disposed (by `tf.tidy`) without freeing the caller's data.
 */
import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';

/** Padding of the spatial axes of an NHWC tensor, in pixels: `[top, bottom, left, right]`. */
export type SpatialPadding = [top: number, bottom: number, left: number, right: number];

/**
 * Wraps a kernel input as a rank-4 tensor that shares the caller's data. Call it inside `tf.tidy`, which
 * disposes the wrapper and so gives back the reference taken here.
 */
export function wrapInput(info: TensorInfo, backend: KernelBackend): tf.Tensor4D {
  if (info.shape.length !== 4) {
    throw new Error(`Expected a rank-4 tensor, got shape [${info.shape.join(', ')}]`);
  }
  backend.incRef(info.dataId);
  return tf.engine().makeTensorFromTensorInfo(info, backend) as tf.Tensor4D;
}

/** Like {@link wrapInput}, for a kernel input of any rank. */
export function wrapTensor(info: TensorInfo, backend: KernelBackend): tf.Tensor {
  backend.incRef(info.dataId);
  return tf.engine().makeTensorFromTensorInfo(info, backend);
}

/** The outcome of {@link cropForPadding}: the cropped tensor and the (non-negative) padding still to add. */
export interface CroppedInput {
  /** The input with every negative padding amount cropped off; `null` when nothing of it is left. */
  tensor: tf.Tensor4D | null;
  /** What remains to pad, all amounts ≥ 0, as explicit padding for a convolution op. */
  padding: [[0, 0], [number, number], [number, number], [0, 0]];
}

/**
 * Applies `[top, bottom, left, right]` padding to the spatial axes of an NHWC tensor, where a negative amount
 * means "crop that many rows or columns". Cropping happens here (a slice); the positive amounts are returned as
 * explicit convolution padding so that the convolution pads for free instead of copying the tensor.
 */
export function cropForPadding(x: tf.Tensor4D, [top, bottom, left, right]: SpatialPadding): CroppedInput {
  const [batch, height, width, channels] = x.shape;
  const cropTop = Math.max(0, -top);
  const cropLeft = Math.max(0, -left);
  const keptHeight = height - cropTop - Math.max(0, -bottom);
  const keptWidth = width - cropLeft - Math.max(0, -right);
  const padding: CroppedInput['padding'] = [
    [0, 0],
    [Math.max(0, top), Math.max(0, bottom)],
    [Math.max(0, left), Math.max(0, right)],
    [0, 0],
  ];
  if (keptHeight <= 0 || keptWidth <= 0) return { tensor: null, padding };
  const cropped =
    keptHeight === height && keptWidth === width
      ? x
      : tf.slice(x, [0, cropTop, cropLeft, 0], [batch, keptHeight, keptWidth, channels]);
  return { tensor: cropped, padding };
}

/**
 * Inserts `strideHeight - 1` zero rows after every row and `strideWidth - 1` zero columns after every column of
 * an NHWC tensor (the "dilated" output gradient of a strided convolution). The result keeps the trailing zeros:
 * its height is `height * strideHeight`, of which the last `strideHeight - 1` rows are zero.
 */
export function insertZeros(x: tf.Tensor4D, strideHeight: number, strideWidth: number): tf.Tensor4D {
  let [batch, height, width, channels] = x.shape;
  let out = x;
  if (strideHeight > 1) {
    // [N, H, 1, W*C] padded to [N, H, s, W*C] puts s-1 zero rows after each row.
    const rows = tf.reshape(out, [batch, height, 1, width * channels]);
    const padded = tf.pad(rows, [[0, 0], [0, 0], [0, strideHeight - 1], [0, 0]]);
    height *= strideHeight;
    out = tf.reshape(padded, [batch, height, width, channels]);
  }
  if (strideWidth > 1) {
    // [N*H, W, 1, C] padded to [N*H, W, s, C] puts s-1 zero columns after each column.
    const columns = tf.reshape(out, [batch * height, width, 1, channels]);
    const padded = tf.pad(columns, [[0, 0], [0, 0], [0, strideWidth - 1], [0, 0]]);
    width *= strideWidth;
    out = tf.reshape(padded, [batch, height, width, channels]);
  }
  return out;
}

/**
 * Transposes a `[rows, columns]` matrix. tfjs-backend-wasm's `Transpose` writes a matrix with few columns and many
 * rows (activations as `[N·H·W, C]`) at a few hundred MB/s; going through `[rows / b, b, columns]` → `[rows / b,
 * columns, b]` → `[columns, rows / b, b]` keeps both passes on its fast path (2-3 times faster overall).
 */
export function transposeRows(matrix: tf.Tensor): tf.Tensor2D {
  const [rows, columns] = matrix.shape as [number, number];
  const block = [8, 4, 2].find((b) => rows % b === 0 && rows > b) ?? 1;
  if (block === 1 || columns === 1) return tf.transpose(tf.reshape(matrix, [rows, columns]));
  const tiles = tf.transpose(tf.reshape(matrix, [rows / block, block, columns]), [0, 2, 1]);
  return tf.reshape(tf.transpose(tiles, [1, 0, 2]), [columns, rows]);
}

/**
 * Every `strideHeight`-th row and `strideWidth`-th column of an NHWC tensor, starting with the first: the `[N, rows,
 * columns, C]` result, for an input at least `(rows − 1)·strideHeight + 1` tall (and likewise wide). Done as a
 * reshape and a slice, which tfjs-backend-wasm copies row by row, instead of its slower `StridedSlice`.
 */
export function subsample(x: tf.Tensor4D, rows: number, columns: number, strideHeight: number, strideWidth: number): tf.Tensor4D {
  if (strideHeight === 1 && strideWidth === 1 && x.shape[1] === rows && x.shape[2] === columns) return x;
  const [batch, , , channels] = x.shape;
  // Crop (or keep) exactly rows·s by columns·s pixels, then view each stride block as its own axes.
  const fitted = tf.slice(x, [0, 0, 0, 0], [batch, rows * strideHeight, columns * strideWidth, channels]);
  const blocks = tf.reshape(fitted, [batch * rows, strideHeight, columns, strideWidth * channels]);
  return tf.reshape(tf.slice(blocks, [0, 0, 0, 0], [batch * rows, 1, columns, channels]), [batch, rows, columns, channels]);
}

/**
 * Throws the error tfjs-core gives for a convolution whose strides and dilations both exceed 1; the kernels here
 * turn one into the other, and the convolution ops they use (like tfjs's own) refuse the combination.
 */
export function assertStridesOrDilationsAreOne(
  kernelName: string,
  strides: [number, number],
  dilations: [number, number],
): void {
  const stridesAreOne = strides[0] === 1 && strides[1] === 1;
  const dilationsAreOne = dilations[0] === 1 && dilations[1] === 1;
  if (!stridesAreOne && !dilationsAreOne) {
    throw new Error(
      `${kernelName} (wasm): strides [${strides.join(', ')}] and dilations [${dilations.join(', ')}] are both ` +
        'greater than 1; tfjs supports one or the other. Use strides of 1 or dilations of 1.',
    );
  }
}

/** The attributes every convolution-gradient kernel passes to tfjs's `computeConv2DInfo`. */
export interface ConvolutionGradientAttrs {
  strides: [number, number] | number;
  dilations?: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dataFormat?: 'NHWC' | 'NCHW';
}

/**
 * `computeConv2DInfo` for a convolution-gradient kernel, refusing strides and dilations both greater than 1
 * ({@link assertStridesOrDilationsAreOne}).
 */
export function convolutionGradientInfo(
  kernelName: string,
  inShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  attrs: ConvolutionGradientAttrs,
  depthwise: boolean,
): backend_util.Conv2DInfo {
  const format = backend_util.convertConv2DDataFormat(attrs.dataFormat ?? 'NHWC');
  const info = backend_util.computeConv2DInfo(inShape, filterShape, attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, depthwise, format);
  assertStridesOrDilationsAreOne(kernelName, [info.strideHeight, info.strideWidth], [info.dilationHeight, info.dilationWidth]);
  return info;
}
