/**
 * The filter gradient of a 2-D convolution as compiled WebAssembly SIMD (native/conv-filter-grad.c), for
 * @cnn/backend's `Conv2DBackpropFilter` on the `wasm` backend: a direct, register- and cache-blocked computation in
 * NHWC that runs ResNet-18's 3x3 filter gradients at 55-60 GFLOP/s, where the transposes and dilated XNNPACK
 * convolution it replaces reach 17-32 (tools/profile/conv-gflops.ts --filter, Node 20 on a Zen 5 core).
 */
import type { backend_util, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import { checkShape, convGeometry, nativeKernels, offsetOf, withScratch } from './native-module.js';
import type { WasmBackendInternals } from './native-module.js';

/**
 * dW `[KH, KW, Ci, Co]` of `x` `[N, H, W, Ci]` and `dy` `[N, OH, OW, Co]` (both float32, NHWC) for the convolution
 * `info` describes (any stride, dilation and non-negative padding), computed by the compiled kernel in the backend's
 * memory. Returns `undefined` where the compiled module is unavailable (still compiling in a browser, no WebAssembly
 * SIMD, or the multi-threaded build) or its scratch memory cannot be had, for the caller to compute it another way.
 */
export function nativeConv2DBackpropFilter(
  backend: KernelBackend,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo | undefined {
  const wasm = backend as WasmBackendInternals;
  const native = nativeKernels(wasm);
  if (native === undefined || x.dtype !== 'float32' || dy.dtype !== 'float32') return undefined;
  checkShape('Conv2DBackpropFilter', 'dy', dy, [info.batchSize, info.outHeight, info.outWidth, info.outChannels]);
  const geometry = convGeometry(info);
  if (geometry === undefined) return undefined;
  // Scratch: dy re-laid out (and x padded) for the kernel, about the size of dy (plus x).
  return withScratch(wasm, native.cnn_conv2d_filter_grad_scratch_floats(...geometry), (scratch) => {
    const dw = wasm.makeOutput([info.filterHeight, info.filterWidth, info.inChannels, info.outChannels], 'float32');
    native.cnn_conv2d_filter_grad(offsetOf(wasm, x), offsetOf(wasm, dy), offsetOf(wasm, dw), scratch, ...geometry);
    return dw;
  });
}
