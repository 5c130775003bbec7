/**
 * `CnnMovingAverage` for the `wasm` backend (contract in @cnn/layers' batch-norm-training.ts): for each pair,
 * `moving − (moving − value) · (1 − momentum)`, each operation rounded to float32 as the tfjs ops round it. The vectors
 * are a layer's per-channel statistics (tens to a few thousand values), so a JavaScript loop over the tensors' views of
 * the backend's memory with `Math.fround` (exact: the float64 result of a float32 subtraction or product rounds to the float32 one) costs
 * less than calling into the compiled module would save. One kernel call replaces six tfjs ops per BatchNorm layer
 * and step.
 */
import type { KernelBackend, KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { checkShape, float32Input } from './native-module.js';
import type { WasmBackendInternals } from './native-module.js';

/** Kernel name of the moving-statistics update; the same string as @cnn/layers' `CNN_MOVING_AVERAGE`. */
export const CNN_MOVING_AVERAGE = 'CnnMovingAverage';

function movingAverage({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs?: NamedAttrMap }): TensorInfo[] {
  const { count, momentum } = attrs ?? {};
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw new Error(`${CNN_MOVING_AVERAGE}: attr count must be a non-negative integer, got ${String(count)}`);
  if (typeof momentum !== 'number' || !Number.isFinite(momentum)) throw new Error(`${CNN_MOVING_AVERAGE}: attr momentum must be a finite number, got ${String(momentum)}`);
  const wasm = backend as WasmBackendInternals;
  const f = Math.fround;
  const decay = f(1 - momentum); // the scalar tensor tfjs makes of (1 - momentum)
  const outputs: TensorInfo[] = [];
  for (let i = 0; i < count; i++) {
    const moving = float32Input(inputs, `moving${i}`, CNN_MOVING_AVERAGE);
    const value = float32Input(inputs, `value${i}`, CNN_MOVING_AVERAGE);
    checkShape(CNN_MOVING_AVERAGE, `value${i}`, value, moving.shape);
    const out = wasm.makeOutput(moving.shape, 'float32');
    outputs.push(out);
    // views taken after makeOutput, which may grow (and so replace) the memory's buffer
    const [m, v, o] = [moving, value, out].map((info) => wasm.typedArrayFromHeap(info) as Float32Array) as [Float32Array, Float32Array, Float32Array];
    for (let j = 0; j < o.length; j++) o[j] = f(m[j]! - f(f(m[j]! - v[j]!) * decay));
  }
  return outputs;
}

/** `CnnMovingAverage` for the `wasm` backend. */
export const movingAverageWasmConfig: KernelConfig = {
  kernelName: CNN_MOVING_AVERAGE,
  backendName: 'wasm',
  kernelFunc: movingAverage as unknown as KernelFunc,
};
