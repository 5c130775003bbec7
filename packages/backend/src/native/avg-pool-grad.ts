/**
 * `AvgPoolGrad` for the WASM backend as compiled WebAssembly SIMD (native/avg-pool-grad.c): tfjs-backend-wasm 4.22's
 * kernel took 13% of a LeNet training step. NHWC, any window, stride and padding ('same', 'valid', a number or
 * explicit), with tfjs-backend-cpu's semantics: each window's gradient is divided by the whole window's size, padding
 * included. Other dtypes (and WebAssembly without SIMD) go to the stock kernel.
 */
import { AvgPoolGrad, backend_util } from '@tensorflow/tfjs-core';
import type { AvgPoolGradAttrs, AvgPoolGradInputs, KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { stockBackedConfig, stockKernel } from '../kernels/stock-kernels.js';
import { nativeKernels, offsetOf } from './native-module.js';
import type { WasmBackendInternals } from './native-module.js';

function avgPoolGrad(args: { inputs: AvgPoolGradInputs; backend: KernelBackend; attrs: AvgPoolGradAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const dy = inputs.dy as TensorInfo;
  const input = inputs.input as TensorInfo;
  const wasm = backend as WasmBackendInternals;
  const native = nativeKernels(wasm);
  if (native === undefined || dy.dtype !== 'float32' || input.dtype !== 'float32' || input.shape.length !== 4) {
    return stockKernel(AvgPoolGrad).kernelFunc(args as never) as TensorInfo;
  }
  // Like the CPU backend (and tfjs-core's avgPoolGrad op, which passes no rounding mode), without dimRoundingMode.
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad);
  if (dy.shape.join() !== info.outShape.join()) {
    throw new Error(`AvgPoolGrad (wasm): dy has shape [${dy.shape.join(', ')}], but pooling an input of shape [${input.shape.join(', ')}] gives [${info.outShape.join(', ')}]`);
  }
  const rowScratch = wasm.wasm._malloc(Math.max(1, info.outWidth * info.inChannels) * 4);
  if (rowScratch === 0) return stockKernel(AvgPoolGrad).kernelFunc(args as never) as TensorInfo; // malloc failed
  const dx = wasm.makeOutput(input.shape, 'float32');
  try {
    native.cnn_avg_pool_grad(
      offsetOf(wasm, dy), offsetOf(wasm, dx), rowScratch, info.batchSize, info.inHeight, info.inWidth, info.inChannels,
      info.outHeight, info.outWidth, info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth,
      info.padInfo.top, info.padInfo.left,
    );
  } finally {
    wasm.wasm._free(rowScratch);
  }
  return dx;
}

/** Registers `AvgPoolGrad` for the `wasm` backend, replacing tfjs-backend-wasm's (see the file comment). */
export const avgPoolGradWasmConfig: KernelConfig = stockBackedConfig(AvgPoolGrad, avgPoolGrad as unknown as KernelFunc);
