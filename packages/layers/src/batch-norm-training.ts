/**
 * `batchNormTraining`: training-mode batch normalisation over every axis but the last (NHWC: over N, H, W per
 * channel) as ONE kernel forward and ONE kernel backward, instead of tfjs's `moments` + element-wise chain whose
 * gradient is a dozen small ops (Tile, Sum, Mul, ...).
 *
 * Kernels `CnnBatchNormTraining` / `CnnBatchNormTrainingGrad` (contract in @cnn/backend's native/batch-norm.ts):
 * @cnn/backend registers compiled WebAssembly SIMD versions for `wasm`; this module registers versions composed of
 * tfjs ops for `cpu`, `webgl`, `webgpu` and `tensorflow` (tfjs-node), and the gradient. On any other backend, or on
 * `wasm` without @cnn/backend, the op runs the same computation as plain tfjs ops (autodiff gradient).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

/** Kernel name of the fused forward pass; the same string as @cnn/backend's `CNN_BATCH_NORM_TRAINING`. */
export const CNN_BATCH_NORM_TRAINING = 'CnnBatchNormTraining';
/** Kernel name of its gradient; the same string as @cnn/backend's `CNN_BATCH_NORM_TRAINING_GRAD`. */
export const CNN_BATCH_NORM_TRAINING_GRAD = 'CnnBatchNormTrainingGrad';

/**
 * Kernel name of the moving-statistics update: inputs `moving<i>`, `value<i>` (float32, pairwise one shape) for
 * i < `count`, attrs `{count, momentum}`, outputs `moving<i> − (moving<i> − value<i>) · (1 − momentum)` in order, each
 * operation rounded to float32 as the tfjs ops round it. One kernel call for a layer's mean and variance instead of
 * three ops each, none of which the gradient tape needs to save inputs for. @cnn/backend registers a `wasm` version.
 */
export const CNN_MOVING_AVERAGE = 'CnnMovingAverage';

/** Backends for which this module registers the composed kernels. */
export const COMPOSED_BATCH_NORM_BACKENDS: readonly string[] = Object.freeze(['cpu', 'webgl', 'webgpu', 'tensorflow']);

/** What {@link batchNormTraining} returns. */
export interface BatchNormTrainingResult {
  /** `(x - mean) / sqrt(variance + epsilon) * gamma + beta`, x's shape. */
  y: tf.Tensor;
  /** Mean over every axis but the last, [C]. */
  mean: tf.Tensor1D;
  /** Biased variance (divided by the count) over every axis but the last, [C], as tfjs's `moments`. */
  variance: tf.Tensor1D;
}

function reductionAxes(x: tf.Tensor): number[] {
  return x.shape.slice(0, -1).map((_, axis) => axis);
}

function composedForward(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor[] {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, reductionAxes(x));
    const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, epsilon)));
    return [tf.add(tf.mul(x, scale), tf.sub(beta, tf.mul(mean, scale))), mean, variance];
  });
}

function composedBackward(
  x: tf.Tensor, dy: tf.Tensor, gamma: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, dmean: tf.Tensor,
  dvariance: tf.Tensor, epsilon: number,
): tf.Tensor[] {
  return tf.tidy(() => {
    const axes = reductionAxes(x);
    const rows = x.size / (x.shape[x.shape.length - 1] ?? 1);
    const invStd = tf.rsqrt(tf.add(variance, epsilon));
    const centred = tf.sub(x, mean);
    const sumDy = tf.sum(dy, axes);
    const sumDyCentred = tf.sum(tf.mul(dy, centred), axes);
    const a = tf.mul(gamma, invStd);
    // dx = a·dy + b·(x - mean) + k: the usual batch-norm gradient plus the mean and variance outputs' gradients.
    const b = tf.add(tf.mul(tf.mul(tf.neg(a), tf.square(invStd)), tf.div(sumDyCentred, rows)), tf.mul(dvariance, 2 / rows));
    const k = tf.add(tf.mul(tf.neg(a), tf.div(sumDy, rows)), tf.div(dmean, rows));
    const dx = tf.add(tf.add(tf.mul(dy, a), tf.mul(centred, b)), k);
    return [dx, tf.mul(sumDyCentred, invStd), sumDy];
  });
}

function wrap(info: TensorInfo, backend: KernelBackend): tf.Tensor {
  backend.incRef(info.dataId); // given back when tidy disposes the wrapper
  return tf.engine().makeTensorFromTensorInfo(info, backend);
}

function epsilonOf(attrs: NamedAttrMap | undefined): number {
  const epsilon = attrs?.['epsilon'];
  if (typeof epsilon !== 'number') throw new Error(`${CNN_BATCH_NORM_TRAINING}: attr epsilon must be a number, got ${String(epsilon)}`);
  return epsilon;
}

function inputsOf(inputs: NamedTensorInfoMap, names: readonly string[], backend: KernelBackend): tf.Tensor[] {
  return names.map((name) => {
    const info = inputs[name];
    if (info === undefined) throw new Error(`${CNN_BATCH_NORM_TRAINING}: missing input '${name}'`);
    return wrap(info, backend);
  });
}

const forwardKernel = ({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs?: NamedAttrMap }) =>
  tf.tidy(() => {
    const [x, gamma, beta] = inputsOf(inputs, ['x', 'gamma', 'beta'], backend) as [tf.Tensor, tf.Tensor, tf.Tensor];
    return composedForward(x, gamma, beta, epsilonOf(attrs));
  });

const backwardKernel = ({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs?: NamedAttrMap }) =>
  tf.tidy(() => {
    const t = inputsOf(inputs, ['x', 'dy', 'gamma', 'mean', 'variance', 'dmean', 'dvariance'], backend);
    return composedBackward(t[0]!, t[1]!, t[2]!, t[3]!, t[4]!, t[5]!, t[6]!, epsilonOf(attrs));
  });

/** `moving − (moving − value) · (1 − momentum)` in tfjs ops, as tfjs-layers updates a moving statistic. */
function composedMovingAverage(moving: tf.Tensor, value: tf.Tensor, momentum: number): tf.Tensor {
  return tf.sub(moving, tf.mul(tf.sub(moving, value), 1 - momentum));
}

function momentumOf(attrs: NamedAttrMap | undefined): { count: number; momentum: number } {
  const { count, momentum } = attrs ?? {};
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw new Error(`${CNN_MOVING_AVERAGE}: attr count must be a non-negative integer, got ${String(count)}`);
  if (typeof momentum !== 'number' || !Number.isFinite(momentum)) throw new Error(`${CNN_MOVING_AVERAGE}: attr momentum must be a finite number, got ${String(momentum)}`);
  return { count, momentum };
}

const movingAverageKernel = ({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs?: NamedAttrMap }) =>
  tf.tidy(() => {
    const { count, momentum } = momentumOf(attrs);
    return Array.from({ length: count }, (_, i) => {
      const [moving, value] = inputsOf(inputs, [`moving${i}`, `value${i}`], backend) as [tf.Tensor, tf.Tensor];
      return composedMovingAverage(moving, value, momentum);
    });
  });

/**
 * The moving statistics after one training step: for each `[moving, value]` pair, `moving − (moving − value) ·
 * (1 − momentum)`, exactly as tfjs-layers' `BatchNormalization` computes it. One {@link CNN_MOVING_AVERAGE} kernel
 * call where the active backend has it, else the same tfjs ops.
 */
export function movingAverages(pairs: readonly (readonly [tf.Tensor, tf.Tensor])[], momentum: number): tf.Tensor[] {
  const fused = tf.getKernel(CNN_MOVING_AVERAGE, tf.getBackend()) != null && pairs.every(([m, v]) => m.dtype === 'float32' && v.dtype === 'float32');
  if (!fused) return pairs.map(([moving, value]) => composedMovingAverage(moving, value, momentum));
  const inputs: tf.NamedTensorMap = {};
  pairs.forEach(([moving, value], i) => {
    inputs[`moving${i}`] = moving;
    inputs[`value${i}`] = value;
  });
  return tf.engine().runKernel(CNN_MOVING_AVERAGE, inputs, { count: pairs.length, momentum }) as tf.Tensor[];
}

/**
 * Registers the composed kernels for {@link COMPOSED_BATCH_NORM_BACKENDS} and the gradient of
 * `CnnBatchNormTraining`, each unless already registered (importing this module does it).
 */
export function registerBatchNormTrainingKernels(): void {
  for (const backendName of COMPOSED_BATCH_NORM_BACKENDS) {
    if (tf.getKernel(CNN_BATCH_NORM_TRAINING, backendName) == null) {
      tf.registerKernel({ kernelName: CNN_BATCH_NORM_TRAINING, backendName, kernelFunc: forwardKernel as unknown as KernelFunc });
    }
    if (tf.getKernel(CNN_BATCH_NORM_TRAINING_GRAD, backendName) == null) {
      tf.registerKernel({ kernelName: CNN_BATCH_NORM_TRAINING_GRAD, backendName, kernelFunc: backwardKernel as unknown as KernelFunc });
    }
    if (tf.getKernel(CNN_MOVING_AVERAGE, backendName) == null) {
      tf.registerKernel({ kernelName: CNN_MOVING_AVERAGE, backendName, kernelFunc: movingAverageKernel as unknown as KernelFunc });
    }
  }
  if (tf.getGradient(CNN_BATCH_NORM_TRAINING) == null) {
    tf.registerGradient({
      kernelName: CNN_BATCH_NORM_TRAINING,
      inputsToSave: ['x', 'gamma'],
      outputsToSave: [false, true, true],
      gradFunc: (dys, saved, attrs) => {
        const [dy, dmean, dvariance] = dys as tf.Tensor[];
        const [x, gamma, mean, variance] = saved;
        const [dx, dgamma, dbeta] = tf.engine().runKernel(
          CNN_BATCH_NORM_TRAINING_GRAD,
          { x: x!, dy: dy!, gamma: gamma!, mean: mean!, variance: variance!, dmean: dmean!, dvariance: dvariance! },
          attrs,
        ) as tf.Tensor[];
        return { x: () => dx!, gamma: () => dgamma!, beta: () => dbeta! };
      },
    });
  }
}

/**
 * Training-mode batch normalisation of `x` (float32, any rank ≥ 2, channels last) with per-channel `gamma` and `beta`
 * ([C]): one fused kernel where the active backend has one, else the same computation in tfjs ops. Differentiable
 * with respect to x, gamma and beta (and through mean and variance).
 */
export function batchNormTraining(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): BatchNormTrainingResult {
  const channels = x.shape[x.shape.length - 1];
  if (x.rank < 2 || channels === undefined) throw new Error(`batchNormTraining: x must have rank ≥ 2 (channels last), got shape [${x.shape.join(', ')}]`);
  for (const [name, t] of [['gamma', gamma], ['beta', beta]] as const) {
    if (t.rank !== 1 || t.shape[0] !== channels) {
      throw new Error(`batchNormTraining: ${name} must have shape [${channels}] (x's last axis), got [${t.shape.join(', ')}]`);
    }
  }
  if (!(epsilon >= 0)) throw new Error(`batchNormTraining: epsilon must be ≥ 0, got ${epsilon}`);
  const fused = tf.getKernel(CNN_BATCH_NORM_TRAINING, tf.getBackend()) != null && x.dtype === 'float32';
  const [y, mean, variance] = fused
    ? (tf.engine().runKernel(CNN_BATCH_NORM_TRAINING, { x, gamma, beta }, { epsilon }) as tf.Tensor[])
    : composedForward(x, gamma, beta, epsilon);
  return { y: y!, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

registerBatchNormTrainingKernels();
