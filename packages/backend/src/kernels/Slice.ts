/**
 * `Slice` for the WASM backend, float32: tfjs-backend-wasm 4.22's copies a 4-D slice one innermost row at a time, each
 * through a new `subarray` (65,536 of them for the gradient of ResNet's padding, [64, 34, 34, 64] → [64, 32, 32, 64]),
 * and took 20-85 ms of a ResNet-18 training step (batch 64), varying with the garbage collector. This one merges the
 * trailing axes the slice keeps whole into one contiguous run and moves each run with `copyWithin` inside the
 * backend's memory: no allocation per run (2,048 runs of 2,048 floats there). Other dtypes go to the stock kernel.
 */
import { Slice, slice_util, util } from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, KernelFunc, SliceAttrs, SliceInputs, TensorInfo } from '@tensorflow/tfjs-core';
import { backendMemory, offsetOf } from '../native/native-module.js';
import type { WasmBackendInternals } from '../native/native-module.js';
import { stockKernel } from './stock-kernels.js';

function slice(args: { inputs: SliceInputs; backend: KernelBackend; attrs: SliceAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  const wasm = backend as WasmBackendInternals;
  if (x.dtype !== 'float32' || backendMemory(wasm) === undefined) return stockKernel(Slice).kernelFunc(args as never) as TensorInfo;
  const [begin, size] = slice_util.parseSliceParams(x as never, attrs.begin, attrs.size) as [number[], number[]];
  slice_util.assertParamsValid(x as never, begin, size);
  const out = wasm.makeOutput(size, 'float32');
  const total = util.sizeFromShape(size);
  if (total === 0) return out;
  const shape = x.shape;
  const rank = shape.length;
  // The run: axes from `first` on, where every axis after `first` is kept whole, so the run is contiguous in x.
  let first = rank - 1;
  while (first > 0 && begin[first] === 0 && size[first] === shape[first]) first--;
  let run = 1;
  for (let axis = first; axis < rank; axis++) run *= size[axis]!;
  const strides = util.computeStrides(shape);
  const stride = (axis: number) => (axis < rank - 1 ? strides[axis]! : 1);
  let start = 0;
  for (let axis = 0; axis < rank; axis++) start += begin[axis]! * stride(axis);
  // Read the memory after makeOutput, whose allocation may have grown it.
  const heap = new Float32Array(backendMemory(wasm)!.buffer);
  const source = offsetOf(wasm, x) / 4 + start;
  let target = offsetOf(wasm, out) / 4;
  // Walk the outer axes [0, first) in row-major order with an odometer over their indices.
  const index = new Array<number>(first).fill(0);
  let offset = 0; // of the current run from `source`
  for (let copied = 0; copied < total; copied += run) {
    heap.copyWithin(target, source + offset, source + offset + run);
    target += run;
    for (let axis = first - 1; axis >= 0; axis--) {
      offset += stride(axis);
      if (++index[axis]! < size[axis]!) break;
      offset -= size[axis]! * stride(axis);
      index[axis] = 0;
    }
  }
  return out;
}

/** Registers `Slice` for the `wasm` backend, replacing tfjs-backend-wasm's (see the file comment). */
export const sliceConfig: KernelConfig = {
  kernelName: Slice,
  backendName: 'wasm',
  kernelFunc: slice as unknown as KernelFunc,
};
