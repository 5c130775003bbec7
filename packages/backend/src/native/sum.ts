/**
 * `Sum` for the WASM backend over leading axes as compiled WebAssembly SIMD (native/sum.c): a bias gradient,
 * sum(dy, [0, 1, 2]) of a convolution's dy [n, h, w, c] or sum(dy, 0) of a dense layer's. tfjs-backend-wasm 4.22
 * transposes the reduced axes to the end first (0.6 ms of a 12 ms LeNet-BN step on [100, 28, 28, 6]; the compiled
 * kernel takes under 0.1). Other reductions (trailing or inner axes, all axes, fewer than 4 kept values), other dtypes
 * and the time before the module is compiled go to the stock kernel.
 */
import { Sum, util } from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, KernelFunc, SumAttrs, SumInputs, TensorInfo } from '@tensorflow/tfjs-core';
import { stockBackedConfig, stockKernel } from '../kernels/stock-kernels.js';
import { backendMemory, nativeKernels, offsetOf } from './native-module.js';
import type { WasmBackendInternals } from './native-module.js';

/** How many leading axes `axis` names when it is exactly [0, 1, ..., k - 1] in some order (k >= 1), else 0. */
export function leadingAxes(axis: number | number[], rank: number): number {
  const axes = [...new Set(util.parseAxisParam(axis, Array.from({ length: rank }, () => 1)))].sort((a, b) => a - b);
  return axes.length > 0 && axes.every((a, i) => a === i) ? axes.length : 0;
}

function sum(args: { inputs: SumInputs; backend: KernelBackend; attrs: SumAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  const wasm = backend as WasmBackendInternals;
  const native = nativeKernels(wasm);
  const rank = x.shape.length;
  const k = x.dtype === 'float32' && native !== undefined ? leadingAxes(attrs.axis, rank) : 0;
  const cols = util.sizeFromShape(x.shape.slice(k));
  if (k === 0 || k === rank || cols < 4) return stockKernel(Sum).kernelFunc(args as never) as TensorInfo;
  const kept = x.shape.slice(k);
  const out = wasm.makeOutput(attrs.keepDims ? [...x.shape.slice(0, k).map(() => 1), ...kept] : kept, 'float32');
  const rows = util.sizeFromShape(x.shape.slice(0, k));
  if (rows === 0) {
    new Float32Array(backendMemory(wasm)!.buffer, offsetOf(wasm, out), cols).fill(0); // nothing to sum
    return out;
  }
  native!.cnn_sum_leading(offsetOf(wasm, x), offsetOf(wasm, out), rows, cols);
  return out;
}

/** Registers `Sum` for the `wasm` backend, replacing tfjs-backend-wasm's (see the file comment). */
export const sumWasmConfig: KernelConfig = stockBackedConfig(Sum, sum as unknown as KernelFunc);
