/**
 * Exact GELU, x · Φ(x), as one kernel forward (`CnnGelu`) and one backward (`CnnGeluGrad`) where the active backend
 * has them (@cnn/backend registers compiled WebAssembly SIMD versions for `wasm`), else as tfjs ops. This module
 * registers the gradient of `CnnGelu`.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Kernel name of the exact GELU; the same string as @cnn/backend's `CNN_GELU`. */
export const CNN_GELU = 'CnnGelu';
/** Kernel name of its gradient (inputs `{x, dy}`); the same string as @cnn/backend's `CNN_GELU_GRAD`. */
export const CNN_GELU_GRAD = 'CnnGeluGrad';

if (tf.getGradient(CNN_GELU) == null) {
  tf.registerGradient({
    kernelName: CNN_GELU,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => ({ x: () => tf.engine().runKernel(CNN_GELU_GRAD, { x: saved[0]!, dy: dy as tf.Tensor }) as tf.Tensor }),
  });
}

/** x/2 · (1 + erf(x/√2)): one kernel each way where the backend has `CnnGelu` and x is float32, else tfjs ops. */
export function geluExact(x: tf.Tensor): tf.Tensor {
  if (x.dtype === 'float32' && tf.getKernel(CNN_GELU, tf.getBackend()) != null) {
    return tf.engine().runKernel(CNN_GELU, { x }) as tf.Tensor;
  }
  return tf.tidy(() => tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.div(x, Math.SQRT2)))));
}
