/**
 * Mixed precision. TensorFlow.js 4.22 has no float16 dtype (`DataType` is float32, int32, bool, complex64, string),
 * so weights, activations and gradients cannot be kept in half precision from user code. Of its backends, only WebGPU
 * could use half-precision storage, and `@tensorflow/tfjs-backend-webgpu` 4.22 never requests the `shader-f16`
 * device feature (it asks for `timestamp-query` and `bgra8unorm-storage` only), generates no `f16` WGSL, and has no
 * flag that enables either (its flags: WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE, WEBGPU_CPU_FORWARD,
 * WEBGPU_MATMUL_PROGRAM_TYPE, WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE, WEBGPU_USE_LOW_POWER_GPU,
 * WEBGPU_CPU_HANDOFF_SIZE_THRESHOLD, WEBGPU_USE_PROFILE_TOOL, WEBGPU_IMPORT_EXTERNAL_TEXTURE,
 * WEBGPU_USE_NAIVE_CONV2D_DEBUG, WEBGPU_THRESHOLD_TO_INCREASE_WORKGROUPS_FOR_MATMUL, WEBGPU_CONV_SEPARATE_IM2COL_SHADER,
 * WEBGPU_PRINT_SHADER, WEBGPU_ENGINE_COMPILE_ONLY). So there is nothing to switch on: the option refuses.
 */

/** Why `mixedPrecision: true` is refused, for error messages and documentation. */
export const MIXED_PRECISION_UNSUPPORTED =
  'mixedPrecision is not available: TensorFlow.js 4.22 has no float16 data type, and its WebGPU backend neither ' +
  "requests the 'shader-f16' feature nor has a flag for half-precision storage; train in float32 (remove the option)";

/** Throws {@link MIXED_PRECISION_UNSUPPORTED} when `mixedPrecision` is true; false and undefined pass. */
export function checkMixedPrecision(mixedPrecision: boolean | undefined): void {
  if (mixedPrecision === true) throw new Error(MIXED_PRECISION_UNSUPPORTED);
  if (mixedPrecision !== undefined && mixedPrecision !== false) {
    throw new Error(`fit: mixedPrecision must be true or false, got ${String(mixedPrecision)}`);
  }
}
