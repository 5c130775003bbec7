/**
 * Training-mode batch normalisation as two kernels, `CnnBatchNormTraining` and `CnnBatchNormTrainingGrad`, for the
 * `wasm` backend, each one pass of compiled WebAssembly SIMD over the data (native/batch-norm.c) instead of the chain of
 * `moments`, broadcasts and element-wise ops (and their gradients: Tile, Sum, Mul, ...) that tfjs composes.
 *
 * Contract (shared with @cnn/layers' `batchNormTraining`, which registers the gradient and composed kernels for the
 * other backends under the same names):
 * - `CnnBatchNormTraining`: inputs `{x, gamma, beta}`, x float32 of any rank ≥ 1 with channels last, gamma and beta
 *   [C]; attrs `{epsilon}`; outputs `[y, mean, variance]`, mean and (biased) variance [C] over all axes but the last,
 *   `y = (x - mean) / sqrt(variance + epsilon) * gamma + beta`.
 * - `CnnBatchNormTrainingGrad`: inputs `{x, dy, gamma, mean, variance, dmean, dvariance}` (the last two: gradients of
 *   the mean and variance outputs, zeros when unused); attrs `{epsilon}`; outputs `[dx, dgamma, dbeta]`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { wrapTensor } from '../kernels/compose.js';
import { rememberStockKernel } from '../kernels/stock-kernels.js';
import { registerActivationGradients, reluGradWasmConfig, sigmoidGradWasmConfig } from './activation-grad.js';
import { avgPoolGradWasmConfig } from './avg-pool-grad.js';
import { conv2DWasmConfig, fusedConv2DWasmConfig } from './conv2d.js';
import { depthwiseConv2dNativeWasmConfig } from './depthwise-conv.js';
import { movingAverageWasmConfig } from './moving-average.js';
import { sgdStepWasmConfig } from './sgd.js';
import { sumWasmConfig } from './sum.js';
import { geluGradWasmConfig, geluWasmConfig } from './gelu.js';
import { float32Input, nativeKernels, offsetOf } from './native-module.js';
import type { WasmBackendInternals } from './native-module.js';

/** Kernel name of the fused training-mode batch normalisation (see the file comment for its contract). */
export const CNN_BATCH_NORM_TRAINING = 'CnnBatchNormTraining';
/** Kernel name of its gradient. */
export const CNN_BATCH_NORM_TRAINING_GRAD = 'CnnBatchNormTrainingGrad';

interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: KernelBackend;
  attrs?: NamedAttrMap;
}

function epsilonOf(attrs: NamedAttrMap | undefined, kernel: string): number {
  const epsilon = attrs?.['epsilon'];
  if (typeof epsilon !== 'number' || !(epsilon >= 0)) throw new Error(`${kernel}: attr epsilon must be a number ≥ 0, got ${String(epsilon)}`);
  return epsilon;
}

/** Rows and channels of x, checking that each per-channel input has [channels] elements. */
function rowsAndChannels(x: TensorInfo, perChannel: TensorInfo[], kernel: string): [number, number] {
  const channels = x.shape[x.shape.length - 1];
  if (channels === undefined || channels === 0) throw new Error(`${kernel}: x must have a non-empty last (channel) axis, got shape [${x.shape.join(', ')}]`);
  for (const info of perChannel) {
    if (tf.util.sizeFromShape(info.shape) !== channels) {
      throw new Error(`${kernel}: per-channel inputs must have ${channels} elements (x's last axis), got shape [${info.shape.join(', ')}]`);
    }
  }
  return [tf.util.sizeFromShape(x.shape) / channels, channels];
}

/** The forward computation in tfjs ops, for any backend: `[y, mean, variance]`. */
export function composedBatchNormTraining(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor[] {
  return tf.tidy(() => {
    const axes = x.shape.slice(0, -1).map((_, axis) => axis);
    const { mean, variance } = tf.moments(x, axes);
    const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, epsilon)));
    const y = tf.add(tf.mul(x, scale), tf.sub(beta, tf.mul(mean, scale)));
    return [y, mean, variance];
  });
}

/** The backward computation in tfjs ops, for any backend: `[dx, dgamma, dbeta]` (see the file comment). */
export function composedBatchNormTrainingGrad(
  x: tf.Tensor, dy: tf.Tensor, gamma: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, dmean: tf.Tensor,
  dvariance: tf.Tensor, epsilon: number,
): tf.Tensor[] {
  return tf.tidy(() => {
    const axes = x.shape.slice(0, -1).map((_, axis) => axis);
    const rows = x.size / (x.shape[x.shape.length - 1] ?? 1);
    const invStd = tf.rsqrt(tf.add(variance, epsilon));
    const centred = tf.sub(x, mean);
    const sumDy = tf.sum(dy, axes);
    const sumDyCentred = tf.sum(tf.mul(dy, centred), axes);
    const a = tf.mul(gamma, invStd);
    const b = tf.add(tf.mul(tf.mul(tf.neg(a), tf.square(invStd)), tf.div(sumDyCentred, rows)), tf.mul(dvariance, 2 / rows));
    const k = tf.add(tf.mul(tf.neg(a), tf.div(sumDy, rows)), tf.div(dmean, rows));
    const dx = tf.add(tf.add(tf.mul(dy, a), tf.mul(centred, b)), k);
    return [dx, tf.mul(sumDyCentred, invStd), sumDy];
  });
}

/** Runs a composed computation on kernel inputs and hands its outputs back as the kernel's. */
function composed(backend: KernelBackend, infos: TensorInfo[], run: (tensors: tf.Tensor[]) => tf.Tensor[]): TensorInfo[] {
  return tf.tidy(() => run(infos.map((info) => wrapTensor(info, backend))));
}

function forwardWasm({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const kernel = CNN_BATCH_NORM_TRAINING;
  const x = float32Input(inputs, 'x', kernel);
  const gamma = float32Input(inputs, 'gamma', kernel);
  const beta = float32Input(inputs, 'beta', kernel);
  const epsilon = epsilonOf(attrs, kernel);
  const [rows, channels] = rowsAndChannels(x, [gamma, beta], kernel);
  const wasm = backend as WasmBackendInternals;
  const native = nativeKernels(wasm);
  if (native === undefined || rows === 0) {
    return composed(backend, [x, gamma, beta], ([xs, g, b]) => composedBatchNormTraining(xs!, g!, b!, epsilon));
  }
  const y = wasm.makeOutput(x.shape, 'float32');
  const mean = wasm.makeOutput([channels], 'float32');
  const variance = wasm.makeOutput([channels], 'float32');
  const scratch = wasm.wasm._malloc(native.cnn_bn_scratch_bytes(channels));
  try {
    native.cnn_bn_forward(
      offsetOf(wasm, x), offsetOf(wasm, gamma), offsetOf(wasm, beta), offsetOf(wasm, y), offsetOf(wasm, mean),
      offsetOf(wasm, variance), rows, channels, epsilon, scratch,
    );
  } finally {
    wasm.wasm._free(scratch);
  }
  return [y, mean, variance];
}

function backwardWasm({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const kernel = CNN_BATCH_NORM_TRAINING_GRAD;
  const names = ['x', 'dy', 'gamma', 'mean', 'variance', 'dmean', 'dvariance'] as const;
  const infos = names.map((name) => float32Input(inputs, name, kernel));
  const [x, dy, gamma, mean, variance, dmean, dvariance] = infos as [TensorInfo, TensorInfo, TensorInfo, TensorInfo, TensorInfo, TensorInfo, TensorInfo];
  const epsilon = epsilonOf(attrs, kernel);
  const [rows, channels] = rowsAndChannels(x, [gamma, mean, variance, dmean, dvariance], kernel);
  if (!tf.util.arraysEqual(dy.shape, x.shape)) {
    throw new Error(`${kernel}: dy must have x's shape [${x.shape.join(', ')}], got [${dy.shape.join(', ')}]`);
  }
  const wasm = backend as WasmBackendInternals;
  const native = nativeKernels(wasm);
  if (native === undefined || rows === 0) {
    return composed(backend, infos, (t) => composedBatchNormTrainingGrad(t[0]!, t[1]!, t[2]!, t[3]!, t[4]!, t[5]!, t[6]!, epsilon));
  }
  const dx = wasm.makeOutput(x.shape, 'float32');
  const dgamma = wasm.makeOutput([channels], 'float32');
  const dbeta = wasm.makeOutput([channels], 'float32');
  const scratch = wasm.wasm._malloc(native.cnn_bn_scratch_bytes(channels));
  try {
    native.cnn_bn_backward(
      offsetOf(wasm, x), offsetOf(wasm, dy), offsetOf(wasm, gamma), offsetOf(wasm, mean), offsetOf(wasm, variance),
      offsetOf(wasm, dmean), offsetOf(wasm, dvariance), offsetOf(wasm, dx), offsetOf(wasm, dgamma), offsetOf(wasm, dbeta),
      rows, channels, epsilon, scratch,
    );
  } finally {
    wasm.wasm._free(scratch);
  }
  return [dx, dgamma, dbeta];
}

/** `CnnBatchNormTraining` for the `wasm` backend (compiled SIMD; composed ops while the module is unavailable). */
export const batchNormTrainingWasmConfig: KernelConfig = {
  kernelName: CNN_BATCH_NORM_TRAINING,
  backendName: 'wasm',
  kernelFunc: forwardWasm as unknown as KernelFunc,
};

/** `CnnBatchNormTrainingGrad` for the `wasm` backend. */
export const batchNormTrainingGradWasmConfig: KernelConfig = {
  kernelName: CNN_BATCH_NORM_TRAINING_GRAD,
  backendName: 'wasm',
  kernelFunc: backwardWasm as unknown as KernelFunc,
};

/** The compiled WASM kernels of this package under names of their own, in the tfjs `KernelConfig` shape. */
export const nativeWasmKernelConfigs: readonly KernelConfig[] = Object.freeze([
  batchNormTrainingWasmConfig,
  batchNormTrainingGradWasmConfig,
  geluWasmConfig,
  geluGradWasmConfig,
  movingAverageWasmConfig,
  sgdStepWasmConfig,
  sigmoidGradWasmConfig,
  reluGradWasmConfig,
]);

/** Stock tfjs-backend-wasm kernels that compiled kernels of this package replace. */
export const nativeWasmReplacementConfigs: readonly KernelConfig[] = Object.freeze([
  depthwiseConv2dNativeWasmConfig,
  avgPoolGradWasmConfig,
  conv2DWasmConfig,
  fusedConv2DWasmConfig,
  sumWasmConfig,
]);

/**
 * Registers {@link nativeWasmKernelConfigs} for the `wasm` backend (each unless a kernel of its name is registered)
 * and {@link nativeWasmReplacementConfigs} in place of the stock kernels, once those are registered (call it again
 * after importing tfjs-backend-wasm, as `registerWasmTrainingKernels` does), and the `Sigmoid` and `Relu` gradients that
 * use `CnnSigmoidGrad` / `CnnReluGrad` ({@link registerActivationGradients}). Idempotent.
 */
export function registerNativeKernels(): void {
  for (const config of nativeWasmKernelConfigs) {
    if (getKernel(config.kernelName, config.backendName) == null) registerKernel(config);
  }
  for (const config of nativeWasmReplacementConfigs) {
    const registered = getKernel(config.kernelName, config.backendName);
    if (registered == null || registered === config) continue;
    rememberStockKernel(registered);
    unregisterKernel(config.kernelName, config.backendName);
    registerKernel(config);
  }
  registerActivationGradients(); // Sigmoid and Relu gradients that run CnnSigmoidGrad / CnnReluGrad where registered
}
