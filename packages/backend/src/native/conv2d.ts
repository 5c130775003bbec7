/**
 * Direct 2-D convolutions as compiled WebAssembly SIMD (native/conv2d.c), NHWC, in the WASM backend's memory: the
 * input gradient (for @cnn/backend's `Conv2DBackpropInput`) and the forward convolution with optional bias and ReLU
 * (for `Conv2D` / `FusedConv2D`). Register-blocked tiles of output pixels by 16/8/4 output channels over a filter
 * packed in C; strided input gradients run per phase, so no multiply-add meets a zero tap.
 */
import { backend_util, Conv2D, FusedConv2D } from '@tensorflow/tfjs-core';
import type {
  Conv2DAttrs,
  Conv2DInputs,
  FusedConv2DAttrs,
  FusedConv2DInputs,
  KernelBackend,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { stockBackedConfig, stockKernel } from '../kernels/stock-kernels.js';
import { checkShape, convGeometry, nativeKernels, offsetOf, withScratch } from './native-module.js';
import type { WasmBackendInternals } from './native-module.js';

/**
 * dx `[N, H, W, Ci]` from `dy` `[N, OH, OW, Co]` and `filter` `[KH, KW, Ci, Co]` (float32, NHWC) for the convolution
 * `info` describes (any stride, dilation and non-negative padding), computed by the compiled kernel in the backend's
 * memory. Returns `undefined` where the compiled module is unavailable (still compiling in a browser, no WebAssembly
 * SIMD, the multi-threaded build), for other dtypes, or when its scratch memory cannot be had, for the caller to
 * compute it another way.
 */
export function nativeConv2DBackpropInput(
  backend: KernelBackend,
  dy: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo | undefined {
  const wasm = backend as WasmBackendInternals;
  const native = nativeKernels(wasm);
  if (native === undefined || dy.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  checkShape('Conv2DBackpropInput', 'dy', dy, [info.batchSize, info.outHeight, info.outWidth, info.outChannels]);
  checkShape('Conv2DBackpropInput', 'filter', filter, [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels]);
  const geometry = convGeometry(info);
  if (geometry === undefined) return undefined;
  // Scratch: the packed filter, dy with zero columns, and a chunk of dx rows.
  return withScratch(wasm, native.cnn_conv2d_input_grad_scratch_floats(...geometry), (scratch) => {
    const dx = wasm.makeOutput([info.batchSize, info.inHeight, info.inWidth, info.inChannels], 'float32');
    native.cnn_conv2d_input_grad(offsetOf(wasm, dy), offsetOf(wasm, filter), offsetOf(wasm, dx), scratch, ...geometry);
    return dx;
  });
}

/**
 * y `[N, OH, OW, Co]` = conv(x `[N, H, W, Ci]`, filter `[KH, KW, Ci, Co]`) + bias `[Co]` (optional), then ReLU when
 * `relu`, for the convolution `info` describes (float32, NHWC; any stride, dilation, non-negative padding). Returns
 * `undefined` where the compiled kernel cannot run (as {@link nativeConv2DBackpropInput}).
 */
export function nativeConv2D(
  backend: KernelBackend,
  x: TensorInfo,
  filter: TensorInfo,
  bias: TensorInfo | undefined,
  info: backend_util.Conv2DInfo,
  relu: boolean,
): TensorInfo | undefined {
  const wasm = backend as WasmBackendInternals;
  const native = nativeKernels(wasm);
  if (native === undefined || x.dtype !== 'float32' || filter.dtype !== 'float32' || (bias !== undefined && bias.dtype !== 'float32')) return undefined;
  checkShape('Conv2D', 'x', x, [info.batchSize, info.inHeight, info.inWidth, info.inChannels]);
  checkShape('Conv2D', 'filter', filter, [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels]);
  if (bias !== undefined && bias.shape.reduce((a, b) => a * b, 1) !== info.outChannels) return undefined; // broadcast bias: stock
  const geometry = convGeometry(info);
  if (geometry === undefined) return undefined;
  return withScratch(wasm, native.cnn_conv2d_scratch_floats(...geometry), (scratch) => {
    const y = wasm.makeOutput([info.batchSize, info.outHeight, info.outWidth, info.outChannels], 'float32');
    const biasOffset = bias === undefined ? 0 : offsetOf(wasm, bias);
    native.cnn_conv2d(offsetOf(wasm, x), offsetOf(wasm, filter), biasOffset, offsetOf(wasm, y), scratch, relu ? 1 : 0, ...geometry);
    return y;
  });
}

/** What tfjs passes a `Conv2D` or `FusedConv2D` kernel function. */
interface ConvArgs {
  inputs: Conv2DInputs & Partial<FusedConv2DInputs>;
  backend: KernelBackend;
  attrs: Conv2DAttrs & Partial<Pick<FusedConv2DAttrs, 'activation' | 'leakyreluAlpha'>>;
}

/**
 * Whether the compiled kernel runs this forward convolution: from 64 output pixels (batch · height · width) on.
 * It packs the filter on every call (about as fast as copying it), while XNNPACK keeps its packed filter for as long
 * as the filter tensor lives: training brings new weights every step, so XNNPACK packs too and the compiled kernel
 * was measured faster on every training shape of tools/profile/conv-gflops.ts --forward (ResNet-18's 3x3 and 1x1
 * convolutions at 45-77 GFLOP/s against 41-49, LeNet's 5x5 ones 1.3-1.45 times as fast, ImageNet-sized 7x7 and 4x4
 * stems; a CIFAR stem's 3 input channels tie). But inference with one filter over a few pixels is all packing for it:
 * with a filter XNNPACK had cached, [1, 4, 4, 512] by 3x3 512->512 took 2.4 ms against 1.6, a 1x1 2048->1000 on one
 * pixel 1.0 against 0.13, while from 49 pixels on ([1, 7, 7, 512]: 4.4 against 5.3 ms) the compiled kernel wins.
 */
export function useCompiledForward(info: backend_util.Conv2DInfo): boolean {
  return info.batchSize * info.outHeight * info.outWidth >= 64;
}

/**
 * The compiled forward convolution where it applies (NHWC float32, no activation or ReLU, a bias of one value per
 * output channel or none, no PReLU weights, {@link useCompiledForward}), else `undefined`.
 */
function compiledForward(args: ConvArgs): TensorInfo | undefined {
  const { inputs, backend, attrs } = args;
  const activation = attrs.activation ?? 'linear';
  if (attrs.dataFormat === 'NCHW' || (activation !== 'linear' && activation !== 'relu') || inputs.preluActivationWeights != null) return undefined;
  const x = inputs.x as TensorInfo;
  const filter = inputs.filter as TensorInfo;
  if (x.shape.length !== 4 || filter.shape.length !== 4) return undefined;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filter.shape as [number, number, number, number], attrs.strides,
    attrs.dilations, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
  );
  if (!useCompiledForward(info)) return undefined;
  return nativeConv2D(backend, x, filter, (inputs.bias ?? undefined) as TensorInfo | undefined, info, activation === 'relu');
}

/** `Conv2D` for the `wasm` backend: the compiled convolution, or the stock (XNNPACK) kernel where it does not apply. */
export const conv2DWasmConfig: KernelConfig = stockBackedConfig(
  Conv2D,
  ((args: ConvArgs) => compiledForward(args) ?? stockKernel(Conv2D).kernelFunc(args as never)) as unknown as KernelFunc,
);

/**
 * `FusedConv2D` for the `wasm` backend: the compiled convolution with bias and ReLU, or the stock kernel for other
 * activations, PReLU, NCHW and broadcast biases.
 */
export const fusedConv2DWasmConfig: KernelConfig = stockBackedConfig(
  FusedConv2D,
  ((args: ConvArgs) => compiledForward(args) ?? stockKernel(FusedConv2D).kernelFunc(args as never)) as unknown as KernelFunc,
);
