/**
 * `MaxPoolGrad` for the WASM backend, replacing tfjs-backend-wasm 4.22's, which returns wrong gradients for several
 * common poolings (a 1x1 window with stride 2, 'same' padding, several channels: measured against the CPU backend).
 *
 * Each output's gradient goes to the first position of its window, in row-major order, that holds the window's
 * maximum (padding counts as −∞), exactly as the CPU backend routes it, so ties resolve the same way on both. The
 * loop runs in JavaScript over the input once per window tap, channels innermost (contiguous); pooling gradients are
 * a small share of a training step next to convolutions.
 */
import * as tf from '@tensorflow/tfjs-core';
import { backend_util, MaxPoolGrad } from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, KernelFunc, MaxPoolGradAttrs, MaxPoolGradInputs, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * The gradient of a max-pool with respect to its input `x` `[N, H, W, C]`, given the output gradient `dy`
 * `[N, OH, OW, C]` and the pooling's geometry.
 */
export function maxPoolInputGradient(x: Float32Array, dy: Float32Array, info: backend_util.Conv2DInfo): Float32Array {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { effectiveFilterHeight: filterHeight, effectiveFilterWidth: filterWidth, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  const dx = new Float32Array(x.length);
  const best = new Float32Array(channels);
  const bestAt = new Int32Array(channels);
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        best.fill(Number.NEGATIVE_INFINITY);
        bestAt.fill(-1);
        for (let kh = 0; kh < filterHeight; kh += dilationHeight) {
          const h = oh * strideHeight - top + kh;
          if (h < 0 || h >= inHeight) continue;
          for (let kw = 0; kw < filterWidth; kw += dilationWidth) {
            const w = ow * strideWidth - left + kw;
            if (w < 0 || w >= inWidth) continue;
            const base = ((n * inHeight + h) * inWidth + w) * channels;
            for (let c = 0; c < channels; c++) {
              const value = x[base + c]!;
              if (value > best[c]!) {
                best[c] = value;
                bestAt[c] = base + c;
              }
            }
          }
        }
        const out = ((n * outHeight + oh) * outWidth + ow) * channels;
        for (let c = 0; c < channels; c++) {
          const at = bestAt[c]!;
          if (at >= 0) dx[at] = dx[at]! + dy[out + c]!;
        }
      }
    }
  }
  return dx;
}

function maxPoolGrad(args: { inputs: MaxPoolGradInputs; backend: KernelBackend; attrs: MaxPoolGradAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const input = inputs.input as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const x = backend.readSync(input.dataId) as Float32Array;
  const gradient = backend.readSync(dy.dataId) as Float32Array;
  return tf.tensor4d(maxPoolInputGradient(x, gradient, info), input.shape as [number, number, number, number], 'float32');
}

/** Registers `MaxPoolGrad` for the `wasm` backend, replacing tfjs-backend-wasm's (see the file comment). */
export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as KernelFunc,
};
