/**
 * `CnnSgdStep`: one step of SGD with momentum (PyTorch's `torch.optim.SGD` rule) over many parameters in one kernel,
 * for the `wasm` backend (compiled WebAssembly SIMD, native/sgd.c). `@cnn/train`'s `SGD` runs it where it would
 * otherwise run four to six element-wise kernels per parameter, each its own dispatch through tfjs and its own pass
 * over memory.
 *
 * Contract (shared with `@cnn/train`, which falls back to tfjs ops on backends without the kernel):
 * - inputs `param<i>`, `grad<i>` and, with momentum, `buffer<i>` for i < `count`: float32, each triple one shape;
 * - attrs `{count, lr, momentum, dampening, weightDecay, nesterov}`;
 * - outputs, per parameter in order, the new parameter and (with momentum) the new buffer:
 *   g = grad + param·weightDecay; b = buffer·momentum + g·(1 − dampening); step = g + b·momentum (Nesterov) or b
 *   (momentum) or g (momentum 0); param − step·lr. Each operation rounds to float32 in that order, so the results are
 *   bit-identical to the same rule in tfjs ops; a term whose factor is 0 (weight decay, dampening) is left out, as
 *   the tfjs-op rule leaves it out.
 *
 * Until the compiled module is available (browsers compile it in the background) the same rule runs as a JavaScript
 * loop over the backend's memory, rounding each operation with `Math.fround` (exact: the float64 result of a float32
 * add or multiply rounds to the float32 one).
 */
import type { KernelBackend, KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { util } from '@tensorflow/tfjs-core';
import { backendMemory, checkShape, float32Input, nativeKernels, offsetOf } from './native-module.js';
import type { WasmBackendInternals } from './native-module.js';

/** Kernel name of the multi-parameter SGD step (see the file comment for its contract). */
export const CNN_SGD_STEP = 'CnnSgdStep';

const FLAG_MOMENTUM = 1;
const FLAG_NESTEROV = 2;
const FLAG_WEIGHT_DECAY = 4;
const FLAG_DAMPENING = 8;

/** The attributes of one call, checked. */
interface SgdAttrs {
  count: number;
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
}

function attrsOf(attrs: NamedAttrMap | undefined): SgdAttrs {
  const number = (name: string): number => {
    const value = attrs?.[name];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${CNN_SGD_STEP}: attr ${name} must be a finite number, got ${String(value)}`);
    return value;
  };
  const count = number('count');
  if (!Number.isInteger(count) || count < 0) throw new Error(`${CNN_SGD_STEP}: attr count must be a non-negative integer, got ${count}`);
  return { count, lr: number('lr'), momentum: number('momentum'), dampening: number('dampening'), weightDecay: number('weightDecay'), nesterov: attrs?.['nesterov'] === true };
}

/** The rule in JavaScript over the backend's memory (see the file comment); float32 arguments already rounded. Exported for tests. */
export function sgdStepInJs(
  heap: Float32Array, p: number, g: number, b: number, pOut: number, bOut: number, n: number,
  lr: number, momentum: number, keep: number, weightDecay: number, flags: number,
): void {
  const f = Math.fround;
  for (let i = 0; i < n; i++) {
    const param = heap[p + i]!;
    let grad = heap[g + i]!;
    if (flags & FLAG_WEIGHT_DECAY) grad = f(grad + f(param * weightDecay));
    let step = grad;
    if (flags & FLAG_MOMENTUM) {
      const scaled = flags & FLAG_DAMPENING ? f(grad * keep) : grad;
      const buffer = f(f(heap[b + i]! * momentum) + scaled);
      heap[bOut + i] = buffer;
      step = flags & FLAG_NESTEROV ? f(grad + f(buffer * momentum)) : buffer;
    }
    heap[pOut + i] = f(param - f(step * lr));
  }
}

function sgdStep({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs?: NamedAttrMap }): TensorInfo[] {
  const wasm = backend as WasmBackendInternals;
  const a = attrsOf(attrs);
  const withMomentum = a.momentum !== 0;
  const flags =
    (withMomentum ? FLAG_MOMENTUM : 0) | (a.nesterov ? FLAG_NESTEROV : 0) | (a.weightDecay !== 0 ? FLAG_WEIGHT_DECAY : 0) | (a.dampening !== 0 ? FLAG_DAMPENING : 0);
  const f = Math.fround;
  // float32 scalars, as the tfjs-op rule's scalar tensors hold them (1 - dampening computed in float64 first, as there)
  const [lr, momentum, keep, weightDecay] = [f(a.lr), f(a.momentum), f(1 - a.dampening), f(a.weightDecay)];
  const native = nativeKernels(wasm);
  const outputs: TensorInfo[] = [];
  for (let i = 0; i < a.count; i++) {
    const param = float32Input(inputs, `param${i}`, CNN_SGD_STEP);
    const grad = float32Input(inputs, `grad${i}`, CNN_SGD_STEP);
    checkShape(CNN_SGD_STEP, `grad${i}`, grad, param.shape);
    const buffer = withMomentum ? float32Input(inputs, `buffer${i}`, CNN_SGD_STEP) : undefined;
    if (buffer !== undefined) checkShape(CNN_SGD_STEP, `buffer${i}`, buffer, param.shape);
    const paramOut = wasm.makeOutput(param.shape, 'float32');
    const bufferOut = buffer === undefined ? undefined : wasm.makeOutput(param.shape, 'float32');
    outputs.push(paramOut, ...(bufferOut === undefined ? [] : [bufferOut]));
    const n = util.sizeFromShape(param.shape);
    if (n === 0) continue;
    // offsets after every makeOutput of this parameter: an allocation may grow (and move) the memory's buffer
    const at = (info: TensorInfo | undefined) => (info === undefined ? 0 : offsetOf(wasm, info));
    if (native !== undefined) {
      native.cnn_sgd_step(at(param), at(grad), at(buffer), at(paramOut), at(bufferOut), n, lr, momentum, keep, weightDecay, flags);
    } else {
      const heap = new Float32Array(backendMemory(wasm)!.buffer);
      sgdStepInJs(heap, at(param) / 4, at(grad) / 4, at(buffer) / 4, at(paramOut) / 4, at(bufferOut) / 4, n, lr, momentum, keep, weightDecay, flags);
    }
  }
  return outputs;
}

/** `CnnSgdStep` for the `wasm` backend. */
export const sgdStepWasmConfig: KernelConfig = {
  kernelName: CNN_SGD_STEP,
  backendName: 'wasm',
  kernelFunc: sgdStep as unknown as KernelFunc,
};
