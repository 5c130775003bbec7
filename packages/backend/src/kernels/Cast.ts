/**
 * `Cast` for the WASM backend: a cast to the dtype the tensor already has shares its data (as `Identity` does,
 * through {@link shareData}) instead of copying it, as the CPU backend's `Cast` does. tfjs-core casts float32 inputs
 * to float32 in `avgPool` and in the losses, and in training the copy was kept for the gradient too. Casts that change
 * the dtype go to the stock kernel.
 */
import { Cast } from '@tensorflow/tfjs-core';
import type { CastAttrs, CastInputs, KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { shareData } from './Identity.js';
import { stockBackedConfig, stockKernel } from './stock-kernels.js';

function cast(args: { inputs: CastInputs; backend: KernelBackend; attrs: CastAttrs }): TensorInfo {
  const x = args.inputs.x as TensorInfo;
  if (x.dtype !== args.attrs.dtype) return stockKernel(Cast).kernelFunc(args as never) as TensorInfo;
  return shareData(x, args.backend);
}

/** Registers `Cast` for the `wasm` backend, replacing tfjs-backend-wasm's (see the file comment). */
export const castConfig: KernelConfig = stockBackedConfig(Cast, cast as unknown as KernelFunc);
