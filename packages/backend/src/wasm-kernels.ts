/**
 * Training kernels for the WASM backend: those the stock backend (tfjs-backend-wasm 4.22) lacks, without which
 * convolutional networks cannot be trained on it, and faster replacements of stock kernels that training spends
 * most of its time in. Importing this module registers them (idempotently); `selectBackend` also registers them
 * whenever it loads the WASM backend, after importing it, so that the replacements win over the stock kernels.
 */
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { batchMatMulConfig } from './kernels/BatchMatMul.js';
import { conv2DBackpropFilterConfig } from './kernels/Conv2DBackpropFilter.js';
import { conv2DBackpropInputConfig } from './kernels/Conv2DBackpropInput.js';
import { castConfig } from './kernels/Cast.js';
import { identityConfig } from './kernels/Identity.js';
import { maxPoolGradConfig } from './kernels/MaxPoolGrad.js';
import { sliceConfig } from './kernels/Slice.js';
import { depthwiseConv2dNativeBackpropFilterConfig } from './kernels/DepthwiseConv2dNativeBackpropFilter.js';
import { depthwiseConv2dNativeBackpropInputConfig } from './kernels/DepthwiseConv2dNativeBackpropInput.js';
import { rememberStockKernel } from './kernels/stock-kernels.js';
import { registerNativeKernels } from './native/batch-norm.js';

/**
 * Kernels that replace tfjs-backend-wasm's own, in the tfjs `KernelConfig` shape: `Conv2DBackpropInput` (the stock one
 * is correct but about ten times slower), `MaxPoolGrad` (the stock one returns wrong gradients for some poolings),
 * `BatchMatMul` (the stock one is slow with transposed operands; the replacement calls it without), `Slice` (the
 * stock one allocates per innermost row), `Identity` (the stock one copies; this one shares the data) and `Cast` (the
 * same, for a cast to the dtype a tensor already has).
 */
const replacementConfigs: readonly KernelConfig[] = [conv2DBackpropInputConfig, maxPoolGradConfig, batchMatMulConfig, sliceConfig, identityConfig, castConfig];

/** The kernels this package adds to the `wasm` backend or replaces in it, in the tfjs `KernelConfig` shape. */
export const wasmTrainingKernelConfigs: readonly KernelConfig[] = Object.freeze([
  conv2DBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  ...replacementConfigs,
]);

/** Names of the kernels this package adds to the `wasm` backend or replaces in it. */
export const WASM_TRAINING_KERNEL_NAMES: readonly string[] = Object.freeze(
  wasmTrainingKernelConfigs.map((config) => config.kernelName),
);

/**
 * Registers {@link wasmTrainingKernelConfigs} with tfjs-core for the `wasm` backend. Idempotent. An added kernel
 * that is already registered for `wasm` (by an earlier call, or by a tfjs-backend-wasm version that ships it) is left
 * alone; a replacement takes the place of whatever is registered under its name. It does not need the WASM backend
 * to be loaded or active, but importing `@tensorflow/tfjs-backend-wasm` registers the stock kernels again, so call it
 * after that import (as `selectBackend` does); the replacements are left out while the stock kernel they replace is
 * not registered yet, so that the later import does not warn about a kernel registered twice.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of wasmTrainingKernelConfigs) {
    const registered = getKernel(config.kernelName, config.backendName);
    if (registered === config) continue;
    if (!replacementConfigs.includes(config)) {
      if (registered == null) registerKernel(config);
    } else if (registered != null) {
      if (!wasmTrainingKernelConfigs.includes(registered)) rememberStockKernel(registered);
      unregisterKernel(config.kernelName, config.backendName);
      registerKernel(config);
    }
  }
  registerNativeKernels(); // compiled WASM SIMD kernels (native/): added ones and replacements of stock ones
}

registerWasmTrainingKernels();
