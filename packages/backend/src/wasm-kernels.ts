/**
 * Training kernels that the stock WASM backend (tfjs-backend-wasm 4.22) lacks, without which convolutional
 * networks cannot be trained on it. Importing this module registers them (idempotently); `selectBackend` also
 * registers them whenever it loads the WASM backend.
 */
import { getKernel, registerKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterConfig } from './kernels/Conv2DBackpropFilter.js';
import { depthwiseConv2dNativeBackpropFilterConfig } from './kernels/DepthwiseConv2dNativeBackpropFilter.js';
import { depthwiseConv2dNativeBackpropInputConfig } from './kernels/DepthwiseConv2dNativeBackpropInput.js';

/** The kernels this package adds to the `wasm` backend, in the tfjs `KernelConfig` shape. */
export const wasmTrainingKernelConfigs: readonly KernelConfig[] = Object.freeze([
  conv2DBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
]);

/** Names of the kernels this package adds to the `wasm` backend. */
export const WASM_TRAINING_KERNEL_NAMES: readonly string[] = Object.freeze(
  wasmTrainingKernelConfigs.map((config) => config.kernelName),
);

/**
 * Registers {@link wasmTrainingKernelConfigs} with tfjs-core for the `wasm` backend. Idempotent: a kernel that is
 * already registered for `wasm` (by an earlier call, or by a tfjs-backend-wasm version that ships it) is left
 * alone. It does not need the WASM backend to be loaded or active.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of wasmTrainingKernelConfigs) {
    if (getKernel(config.kernelName, config.backendName) == null) registerKernel(config);
  }
}

registerWasmTrainingKernels();
