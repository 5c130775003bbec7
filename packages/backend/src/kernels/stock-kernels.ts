/**
 * The tfjs-backend-wasm kernels that `registerWasmTrainingKernels` replaced, kept so that a replacement can hand the
 * cases the stock kernel does well back to it.
 */
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';

const stock = new Map<string, KernelConfig>();

/**
 * Remembers `config` as the stock `wasm` kernel of its name (called before a replacement unregisters it); the first
 * one remembered stays, so that a wrapper registered later (a profiler's) is never taken for the stock kernel.
 */
export function rememberStockKernel(config: KernelConfig): void {
  if (!stock.has(config.kernelName)) stock.set(config.kernelName, config);
}

/** The stock `wasm` kernel `kernelName` that a replacement took the place of; throws when there is none. */
export function stockKernel(kernelName: string): KernelConfig {
  const config = stock.get(kernelName);
  if (config === undefined) {
    throw new Error(`@cnn/backend: no stock wasm kernel '${kernelName}' was registered before its replacement; import @tensorflow/tfjs-backend-wasm before calling registerWasmTrainingKernels()`);
  }
  return config;
}

/**
 * The `wasm` KernelConfig of a replacement for the stock kernel `kernelName` that hands some cases back to it: its
 * setup runs the stock kernel's, which binds the stock WebAssembly function (tfjs runs setups for registered kernels
 * only, and the stock kernel is no longer registered).
 */
export function stockBackedConfig(kernelName: string, kernelFunc: KernelFunc): KernelConfig {
  return { kernelName, backendName: 'wasm', kernelFunc, setupFunc: (backend) => stockKernel(kernelName).setupFunc?.(backend) };
}
