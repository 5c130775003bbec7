/**
 * `BatchMatMul` for the WASM backend: tfjs-backend-wasm's kernel runs XNNPACK's fast matrix product only when neither
 * operand is transposed, and a plain loop (1-3 GFLOP/s, against 25-35) otherwise, which is what the gradients of
 * dense layers ask for (`dy · Bᵀ`, `Aᵀ · dy`). This replacement transposes such an operand explicitly (a copy of one
 * operand, cheap next to the product) and hands the untransposed product to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BatchMatMul } from '@tensorflow/tfjs-core';
import type { BatchMatMulAttrs, BatchMatMulInputs, KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { wrapTensor } from './compose.js';
import { stockBackedConfig, stockKernel } from './stock-kernels.js';

/** Swaps the last two axes. */
function transposeInner(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, axis) => axis);
  perm.push(perm.splice(-2, 1)[0]!);
  return tf.transpose(x, perm);
}

function batchMatMul(args: { inputs: BatchMatMulInputs; backend: KernelBackend; attrs: BatchMatMulAttrs }): TensorInfo | TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const stock = stockKernel(BatchMatMul).kernelFunc;
  if (!attrs.transposeA && !attrs.transposeB) return stock(args as never);
  return tf.tidy(() => {
    let a = wrapTensor(inputs.a as TensorInfo, backend);
    let b = wrapTensor(inputs.b as TensorInfo, backend);
    if (attrs.transposeA) a = transposeInner(a);
    if (attrs.transposeB) b = transposeInner(b);
    const product = stock({ inputs: { a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } } as never) as TensorInfo;
    return tf.engine().makeTensorFromTensorInfo(product, backend);
  });
}

/** Registers `BatchMatMul` for the `wasm` backend, replacing tfjs-backend-wasm's (see the file comment). */
export const batchMatMulConfig: KernelConfig = stockBackedConfig(BatchMatMul, batchMatMul as unknown as KernelFunc);
