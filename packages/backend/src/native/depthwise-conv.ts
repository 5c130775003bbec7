/**
 * `DepthwiseConv2dNative` for the WASM backend as compiled WebAssembly SIMD (native/depthwise-conv.c): tfjs-backend-wasm
 * 4.22's kernel runs ConvNeXt's 7x7 depthwise convolutions at 1.6-3 GFLOP/s, and @cnn/backend's depthwise gradients
 * are depthwise convolutions too. Channel multiplier 1, NHWC, any stride, dilation and padding; other cases (and
 * WebAssembly without SIMD) go to the stock kernel.
 */
import { backend_util, DepthwiseConv2dNative } from '@tensorflow/tfjs-core';
import type { DepthwiseConv2dNativeAttrs, DepthwiseConv2dNativeInputs, KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { stockBackedConfig, stockKernel } from '../kernels/stock-kernels.js';
import { nativeKernels, offsetOf } from './native-module.js';
import type { WasmBackendInternals } from './native-module.js';

function depthwiseConv2d(args: { inputs: DepthwiseConv2dNativeInputs; backend: KernelBackend; attrs: DepthwiseConv2dNativeAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  const filter = inputs.filter as TensorInfo;
  const wasm = backend as WasmBackendInternals;
  const native = nativeKernels(wasm);
  const multiplier = filter.shape[3];
  if (native === undefined || multiplier !== 1 || attrs.dataFormat === 'NCHW' || x.dtype !== 'float32' || filter.dtype !== 'float32') {
    return stockKernel(DepthwiseConv2dNative).kernelFunc(args as never) as TensorInfo;
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  const y = wasm.makeOutput(info.outShape, 'float32');
  if (sizeOfShape(info.outShape) === 0) return y;
  native.cnn_depthwise_conv2d(
    offsetOf(wasm, x), offsetOf(wasm, filter), offsetOf(wasm, y), info.batchSize, info.inHeight, info.inWidth,
    info.inChannels, info.outHeight, info.outWidth, info.filterHeight, info.filterWidth, info.strideHeight,
    info.strideWidth, info.dilationHeight, info.dilationWidth, info.padInfo.top, info.padInfo.left,
  );
  return y;
}

function sizeOfShape(shape: number[]): number {
  return shape.reduce((product, n) => product * n, 1);
}

/** Registers `DepthwiseConv2dNative` for the `wasm` backend, replacing tfjs-backend-wasm's (see the file comment). */
export const depthwiseConv2dNativeWasmConfig: KernelConfig = stockBackedConfig(DepthwiseConv2dNative, depthwiseConv2d as unknown as KernelFunc);
