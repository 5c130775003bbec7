/**
 * Loads the compiled WASM SIMD kernels (packages/backend/native/*.c, embedded by native/build.sh) into the memory of
 * the running tfjs-backend-wasm instance, so that they read and write tensors where the backend keeps them.
 *
 * The module imports that memory, so it is instantiated once per backend instance (memory), lazily. Node compiles it
 * synchronously on first use; browsers refuse synchronous compilation of modules over 4 KB on the main thread, so there
 * the first use starts an asynchronous compilation and callers fall back to composed ops until
 * {@link prepareNativeKernels} has resolved.
 */
import type { backend_util, KernelBackend, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { KERNELS_WASM_BASE64 } from './kernels-wasm.generated.js';

/** The functions the compiled module exports; pointers are byte offsets in the backend's memory. */
export interface NativeKernels {
  cnn_gelu(x: number, y: number, size: number): void;
  cnn_sigmoid_grad(y: number, dy: number, dx: number, size: number): void;
  cnn_relu_grad(x: number, dy: number, dx: number, size: number): void;
  cnn_gelu_grad(x: number, dy: number, dx: number, size: number): void;
  cnn_depthwise_conv2d(
    x: number, w: number, y: number, batch: number, height: number, width: number, channels: number,
    outHeight: number, outWidth: number, filterHeight: number, filterWidth: number, strideHeight: number,
    strideWidth: number, dilationHeight: number, dilationWidth: number, padTop: number, padLeft: number,
  ): void;
  cnn_avg_pool_grad(
    dy: number, dx: number, rowScratch: number, batch: number, height: number, width: number, channels: number,
    outHeight: number, outWidth: number, filterHeight: number, filterWidth: number, strideHeight: number,
    strideWidth: number, padTop: number, padLeft: number,
  ): void;
  cnn_conv2d_filter_grad_scratch_floats(...geometry: ConvFilterGradGeometry): number;
  cnn_conv2d_filter_grad(x: number, dy: number, dw: number, scratch: number, ...geometry: ConvFilterGradGeometry): void;
  cnn_conv2d_input_grad_scratch_floats(...geometry: ConvFilterGradGeometry): number;
  cnn_conv2d_input_grad(dy: number, filter: number, dx: number, scratch: number, ...geometry: ConvFilterGradGeometry): void;
  cnn_conv2d_scratch_floats(...geometry: ConvFilterGradGeometry): number;
  cnn_conv2d(x: number, filter: number, bias: number, y: number, scratch: number, relu: number, ...geometry: ConvFilterGradGeometry): void;
  cnn_sum_leading(x: number, out: number, rows: number, cols: number): void;
  cnn_sgd_step(
    param: number, grad: number, buffer: number, paramOut: number, bufferOut: number, n: number, lr: number,
    momentum: number, keep: number, weightDecay: number, flags: number,
  ): void;
  cnn_bn_scratch_bytes(channels: number): number;
  cnn_bn_forward(
    x: number, gamma: number, beta: number, y: number, mean: number, variance: number,
    rows: number, channels: number, epsilon: number, scratch: number,
  ): void;
  cnn_bn_backward(
    x: number, dy: number, gamma: number, mean: number, variance: number, dmean: number, dvariance: number,
    dx: number, dgamma: number, dbeta: number, rows: number, channels: number, epsilon: number, scratch: number,
  ): void;
}

/**
 * Geometry arguments of the compiled convolutions (filter and input gradients, forward): batch, height, width,
 * inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight,
 * dilationWidth, padTop, padLeft.
 */
export type ConvFilterGradGeometry = [
  batch: number, height: number, width: number, inChannels: number, outHeight: number, outWidth: number,
  outChannels: number, filterHeight: number, filterWidth: number, strideHeight: number, strideWidth: number,
  dilationHeight: number, dilationWidth: number, padTop: number, padLeft: number,
];

/** The parts of tfjs-backend-wasm's `BackendWasm` (4.22) that the native kernels use. */
export interface WasmBackendInternals extends KernelBackend {
  wasm: {
    _malloc(bytes: number): number;
    _free(pointer: number): void;
    asm?: { memory?: WebAssembly.Memory };
    wasmMemory?: WebAssembly.Memory;
  };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

let compiled: WebAssembly.Module | undefined;
let compiling: Promise<WebAssembly.Module> | undefined;
let unsupported = false;
const instances = new WeakMap<WebAssembly.Memory, NativeKernels>();
const unusable = new WeakSet<WebAssembly.Memory>();

function wasmBytes(): Uint8Array<ArrayBuffer> {
  const binary = atob(KERNELS_WASM_BASE64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function compileAsync(): Promise<WebAssembly.Module> {
  compiling ??= WebAssembly.compile(wasmBytes()).then((module) => (compiled = module));
  return compiling;
}

/**
 * Compiles the native kernels module if that has not happened yet. Awaiting it is only needed in browsers, where
 * the kernels use composed ops until the asynchronous compilation finishes; in Node the first kernel call compiles it.
 */
export async function prepareNativeKernels(): Promise<void> {
  if (compiled === undefined) await compileAsync();
}

/** The WebAssembly memory of a tfjs-backend-wasm instance, or `undefined` where it is not exposed as in 4.22. */
export function backendMemory(backend: WasmBackendInternals): WebAssembly.Memory | undefined {
  const memory = backend.wasm.asm?.memory ?? backend.wasm.wasmMemory;
  return memory instanceof WebAssembly.Memory ? memory : undefined;
}

/**
 * The native kernels bound to `backend`'s memory, or `undefined` while the module is still compiling (browsers).
 * Returns `undefined` too where WebAssembly SIMD is unavailable, and for the multi-threaded WASM build (shared
 * memory, browsers with cross-origin isolation): the callers then use composed ops or the stock kernel.
 */
export function nativeKernels(backend: WasmBackendInternals): NativeKernels | undefined {
  const memory = backendMemory(backend);
  if (memory === undefined) return undefined; // another tfjs-backend-wasm layout: composed ops or the stock kernel
  const bound = instances.get(memory);
  if (bound !== undefined) return bound;
  if (unusable.has(memory)) return undefined;
  if (compiled === undefined) {
    if (unsupported) return undefined;
    try {
      compiled = new WebAssembly.Module(wasmBytes());
    } catch (error) {
      if (error instanceof RangeError) {
        void compileAsync();
        return undefined;
      }
      if (error instanceof WebAssembly.CompileError) {
        unsupported = true; // no WebAssembly SIMD: composed ops instead
        return undefined;
      }
      throw error;
    }
  }
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(compiled, { env: { memory } });
  } catch (error) {
    // The multi-threaded build's memory is shared, which this module (built for unshared memory) cannot import.
    if (error instanceof WebAssembly.LinkError) {
      unusable.add(memory);
      return undefined;
    }
    throw error;
  }
  const kernels = instance.exports as unknown as NativeKernels;
  instances.set(memory, kernels);
  return kernels;
}

/** Byte offset of a tensor's data in the backend's memory. */
export function offsetOf(backend: WasmBackendInternals, info: TensorInfo): number {
  const data = backend.dataIdMap.get(info.dataId);
  if (data === undefined) throw new Error('@cnn/backend: tensor data not found in the wasm backend (disposed?)');
  return data.memoryOffset;
}

/**
 * The compiled convolutions' geometry arguments for `info`, or `undefined` where they do not apply (negative padding,
 * which tfjs allows for explicit pads, or an empty tensor).
 */
export function convGeometry(info: backend_util.Conv2DInfo): ConvFilterGradGeometry | undefined {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { top, left } = info.padInfo;
  if (top < 0 || left < 0 || batchSize * inHeight * inWidth * inChannels * outHeight * outWidth * outChannels === 0) return undefined;
  return [
    batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, info.filterHeight, info.filterWidth,
    info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, top, left,
  ];
}

/** Input `name` of a kernel call, which must be present and float32; throws naming `kernel` and the input otherwise. */
export function float32Input(inputs: NamedTensorInfoMap, name: string, kernel: string): TensorInfo {
  const info = inputs[name];
  if (info === undefined) throw new Error(`${kernel}: missing input '${name}'`);
  if (info.dtype !== 'float32') throw new Error(`${kernel}: input '${name}' must be float32, got ${info.dtype}`);
  return info;
}

/** Throws, naming `kernel` and the input, when `tensor`'s shape is not `expected`. */
export function checkShape(kernel: string, name: string, tensor: TensorInfo, expected: readonly number[]): void {
  if (tensor.shape.join() !== expected.join()) {
    throw new Error(`${kernel} (wasm): ${name} has shape [${tensor.shape.join(', ')}], expected [${expected.join(', ')}]`);
  }
}

/**
 * Runs `body` with `floats` float32 values of scratch memory taken from the backend's heap, freed afterwards (also
 * when `body` throws); `undefined` without calling it when the allocation fails.
 */
export function withScratch<T>(backend: WasmBackendInternals, floats: number, body: (scratch: number) => T): T | undefined {
  const scratch = backend.wasm._malloc(floats * 4);
  if (scratch === 0) return undefined;
  try {
    return body(scratch);
  } finally {
    backend.wasm._free(scratch);
  }
}
