/**
 * Exact GELU as two kernels for the `wasm` backend, `CnnGelu` (inputs `{x}`, output y = x · Φ(x)) and `CnnGeluGrad`
 * (inputs `{x, dy}`, output dx = dy · (Φ(x) + x · φ(x))), each one pass of compiled WebAssembly SIMD (native/gelu.c)
 * instead of tfjs's chain of Mul, Add, Erf (and Exp, Square, ... for the gradient). @cnn/layers' `gelu` runs them
 * where registered and registers the gradient; float32 only (other dtypes go to that op's tfjs-ops path).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { wrapTensor } from '../kernels/compose.js';
import { float32Input, nativeKernels, offsetOf } from './native-module.js';
import type { WasmBackendInternals } from './native-module.js';

/** Kernel name of the exact GELU; the same string as @cnn/layers' `CNN_GELU`. */
export const CNN_GELU = 'CnnGelu';
/** Kernel name of its gradient; the same string as @cnn/layers' `CNN_GELU_GRAD`. */
export const CNN_GELU_GRAD = 'CnnGeluGrad';

/** x · Φ(x) in tfjs ops, the fallback while the compiled module is unavailable. */
function composedGelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
}

/** dy · (Φ(x) + x · φ(x)) in tfjs ops. */
function composedGeluGrad(x: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
  const pdf = tf.mul(1 / Math.sqrt(2 * Math.PI), tf.exp(tf.mul(-0.5, tf.square(x))));
  return tf.mul(dy, tf.add(cdf, tf.mul(x, pdf)));
}

function geluWasm({ inputs, backend }: { inputs: NamedTensorInfoMap; backend: KernelBackend }): TensorInfo {
  const x = float32Input(inputs, 'x', CNN_GELU);
  const wasm = backend as WasmBackendInternals;
  const native = nativeKernels(wasm);
  if (native === undefined) return tf.tidy(() => composedGelu(wrapTensor(x, backend)));
  const y = wasm.makeOutput(x.shape, 'float32');
  native.cnn_gelu(offsetOf(wasm, x), offsetOf(wasm, y), tf.util.sizeFromShape(x.shape));
  return y;
}

function geluGradWasm({ inputs, backend }: { inputs: NamedTensorInfoMap; backend: KernelBackend }): TensorInfo {
  const x = float32Input(inputs, 'x', CNN_GELU_GRAD);
  const dy = float32Input(inputs, 'dy', CNN_GELU_GRAD);
  if (!tf.util.arraysEqual(x.shape, dy.shape)) {
    throw new Error(`${CNN_GELU_GRAD}: dy must have x's shape [${x.shape.join(', ')}], got [${dy.shape.join(', ')}]`);
  }
  const wasm = backend as WasmBackendInternals;
  const native = nativeKernels(wasm);
  if (native === undefined) return tf.tidy(() => composedGeluGrad(wrapTensor(x, backend), wrapTensor(dy, backend)));
  const dx = wasm.makeOutput(x.shape, 'float32');
  native.cnn_gelu_grad(offsetOf(wasm, x), offsetOf(wasm, dy), offsetOf(wasm, dx), tf.util.sizeFromShape(x.shape));
  return dx;
}

/** `CnnGelu` for the `wasm` backend. */
export const geluWasmConfig: KernelConfig = { kernelName: CNN_GELU, backendName: 'wasm', kernelFunc: geluWasm as unknown as KernelFunc };
/** `CnnGeluGrad` for the `wasm` backend. */
export const geluGradWasmConfig: KernelConfig = { kernelName: CNN_GELU_GRAD, backendName: 'wasm', kernelFunc: geluGradWasm as unknown as KernelFunc };
