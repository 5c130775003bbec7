/**
 * @cnn/backend: picks and prepares the fastest TensorFlow.js backend present (tfjs-node-gpu, tfjs-node, WebGPU,
 * WASM, CPU) and adds the kernels the WASM backend needs to train convolutional networks.
 */
export {
  BACKEND_NAMES,
  formatBackendReport,
  parseBackendName,
  selectBackend,
  type BackendAttempt,
  type BackendChoice,
  type BackendName,
  type SelectBackendOptions,
} from './select.js';
export { registerWasmTrainingKernels, WASM_TRAINING_KERNEL_NAMES, wasmTrainingKernelConfigs } from './wasm-kernels.js';
export {
  CNN_BATCH_NORM_TRAINING,
  CNN_BATCH_NORM_TRAINING_GRAD,
  composedBatchNormTraining,
  composedBatchNormTrainingGrad,
  nativeWasmKernelConfigs,
  nativeWasmReplacementConfigs,
  registerNativeKernels,
} from './native/batch-norm.js';
export { prepareNativeKernels } from './native/native-module.js';
export { CNN_GELU, CNN_GELU_GRAD } from './native/gelu.js';
export { CNN_SGD_STEP } from './native/sgd.js';
export { CNN_MOVING_AVERAGE } from './native/moving-average.js';
export { CNN_RELU_GRAD, CNN_SIGMOID_GRAD, registerActivationGradients } from './native/activation-grad.js';
