/**
 * `Identity` for the WASM backend that shares its input's memory instead of copying it.
 *
 * tfjs-core runs `Identity` for every `clone`, and while a gradient tape records it clones each tensor a kernel saves
 * for its gradient (`saveTensorsForBackwardMode`): about 100 times per LeNet-BN step, once per saved activation of a
 * ResNet. tfjs-backend-wasm 4.22's kernel copies the data each time, so a training step held every saved activation
 * twice (the original until the step's `tidy` ends, the copy until backprop) and spent a memcpy on each. Tensors are
 * immutable, so the output can be the input's data with one more reference, as the CPU and WebGL backends' `Identity`
 * and the WASM backend's own `Reshape` do; the data is freed when its last tensor is disposed.
 */
import { Identity } from '@tensorflow/tfjs-core';
import type { IdentityInputs, KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

/** A tensor of `x`'s data, shape and dtype: one more reference to the data, no copy. */
export function shareData(x: TensorInfo, backend: KernelBackend): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

function identity(args: { inputs: IdentityInputs; backend: KernelBackend }): TensorInfo {
  return shareData(args.inputs.x as TensorInfo, args.backend);
}

/** Registers `Identity` for the `wasm` backend, replacing tfjs-backend-wasm's copying one (see the file comment). */
export const identityConfig: KernelConfig = {
  kernelName: Identity,
  backendName: 'wasm',
  kernelFunc: identity as unknown as KernelFunc,
};
