/**
 * The gradients of `Sigmoid` and `Relu` as one kernel each for the `wasm` backend, `CnnSigmoidGrad` (inputs `{y, dy}`,
 * y the sigmoid's output; dx = dy · y · (1 − y)) and `CnnReluGrad` (inputs `{x, dy}`; dx = dy · step(x)), compiled
 * WebAssembly SIMD (native/activation-grad.c). tfjs-core composes each from three kernels (Sub, Mul, Mul; Step, Cast,
 * Mul), each its own dispatch and pass over the activation; the compiled ones give the same bits in one pass.
 *
 * {@link registerActivationGradients} puts gradients for `Sigmoid` and `Relu` in tfjs-core's registry that run these
 * kernels where the active backend has them (float32) and otherwise exactly tfjs-core's composition, so nothing
 * changes on other backends.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Relu, Sigmoid } from '@tensorflow/tfjs-core';
import type { GradConfig, KernelBackend, KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { wrapTensor } from '../kernels/compose.js';
import { checkShape, float32Input, nativeKernels, offsetOf } from './native-module.js';
import type { NativeKernels, WasmBackendInternals } from './native-module.js';

/** Kernel name of the sigmoid's gradient from its output: inputs `{y, dy}`, output dx. */
export const CNN_SIGMOID_GRAD = 'CnnSigmoidGrad';
/** Kernel name of ReLU's gradient: inputs `{x, dy}`, output dx. */
export const CNN_RELU_GRAD = 'CnnReluGrad';

/** tfjs-core's composition of the sigmoid's gradient (gradients/Sigmoid_grad). */
function composedSigmoidGrad(y: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  return tf.mul(dy, tf.mul(y, tf.sub(tf.scalar(1), y)));
}

/** tfjs-core's composition of ReLU's gradient (gradients/Relu_grad). */
function composedReluGrad(x: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  return tf.mul(dy, tf.cast(tf.step(x), 'float32'));
}

/** A kernel over `{<first>, dy}` running `compiled` in one pass, or `composed` until the module is available. */
function elementwiseGrad(
  kernel: string, first: string, compiled: (native: NativeKernels) => (a: number, dy: number, dx: number, n: number) => void,
  composed: (a: tf.Tensor, dy: tf.Tensor) => tf.Tensor,
): KernelFunc {
  const run = ({ inputs, backend }: { inputs: NamedTensorInfoMap; backend: KernelBackend }): TensorInfo => {
    const a = float32Input(inputs, first, kernel);
    const dy = float32Input(inputs, 'dy', kernel);
    checkShape(kernel, 'dy', dy, a.shape);
    const wasm = backend as WasmBackendInternals;
    const native = nativeKernels(wasm);
    if (native === undefined) return tf.tidy(() => composed(wrapTensor(a, backend), wrapTensor(dy, backend)));
    const dx = wasm.makeOutput(a.shape, 'float32');
    compiled(native)(offsetOf(wasm, a), offsetOf(wasm, dy), offsetOf(wasm, dx), tf.util.sizeFromShape(a.shape));
    return dx;
  };
  return run as unknown as KernelFunc;
}

/** `CnnSigmoidGrad` for the `wasm` backend. */
export const sigmoidGradWasmConfig: KernelConfig = {
  kernelName: CNN_SIGMOID_GRAD,
  backendName: 'wasm',
  kernelFunc: elementwiseGrad(CNN_SIGMOID_GRAD, 'y', (native) => native.cnn_sigmoid_grad, composedSigmoidGrad),
};

/** `CnnReluGrad` for the `wasm` backend. */
export const reluGradWasmConfig: KernelConfig = {
  kernelName: CNN_RELU_GRAD,
  backendName: 'wasm',
  kernelFunc: elementwiseGrad(CNN_RELU_GRAD, 'x', (native) => native.cnn_relu_grad, composedReluGrad),
};

/** Whether the active backend has `kernel` and the gradient's tensors are float32. */
function fused(kernel: string, ...tensors: tf.Tensor[]): boolean {
  return tf.getKernel(kernel, tf.getBackend()) != null && tensors.every((t) => t.dtype === 'float32');
}

/** The gradient of `Sigmoid`: the fused kernel where available, else tfjs-core's composition. */
export const sigmoidGradient: GradConfig = {
  kernelName: Sigmoid,
  outputsToSave: [true],
  gradFunc: (dy, saved) => {
    const [y] = saved as [tf.Tensor];
    const gradient = dy as tf.Tensor;
    return {
      x: () => (fused(CNN_SIGMOID_GRAD, y, gradient) ? (tf.engine().runKernel(CNN_SIGMOID_GRAD, { y, dy: gradient }) as tf.Tensor) : composedSigmoidGrad(y, gradient)),
    };
  },
};

/** The gradient of `Relu`: the fused kernel where available, else tfjs-core's composition. */
export const reluGradient: GradConfig = {
  kernelName: Relu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as [tf.Tensor];
    const gradient = dy as tf.Tensor;
    return {
      x: () => (fused(CNN_RELU_GRAD, x, gradient) ? (tf.engine().runKernel(CNN_RELU_GRAD, { x, dy: gradient }) as tf.Tensor) : composedReluGrad(x, gradient)),
    };
  },
};

/**
 * Registers {@link sigmoidGradient} and {@link reluGradient} in tfjs-core's gradient registry, replacing tfjs-core's
 * own (which they reproduce exactly where the fused kernels are missing). Idempotent.
 */
export function registerActivationGradients(): void {
  for (const config of [sigmoidGradient, reluGradient]) {
    if (tf.getGradient(config.kernelName) !== config) tf.registerGradient(config);
  }
}
