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
