/*
 * The gradients of Sigmoid and ReLU element-wise in WebAssembly SIMD, for tfjs-backend-wasm's memory (see
 * batch-norm.c for the memory rules). tfjs-core composes each from three kernels, each a pass over the activation:
 * sigmoid's dy · (y · (1 − y)) from Sub, Mul, Mul, and ReLU's dy · step(x) from Step, Cast and Mul.
 *
 * Each computes what the composed kernels compute, operation for operation in float32, so the results are
 * bit-identical: sigmoid t = 1 − y, u = y · t, dx = dy · u; ReLU s = 1 where x > 0, NaN where x is NaN, else 0, and
 * dx = dy · s (a real multiplication, so a negative dy times 0 gives −0 and an infinite dy NaN, as there).
 */
#include <wasm_simd128.h>

typedef unsigned int u32;

/* dx[i] = dy[i] · (y[i] · (1 − y[i])), y the sigmoid's output. */
__attribute__((export_name("cnn_sigmoid_grad"))) void cnn_sigmoid_grad(const float *y, const float *dy, float *dx,
                                                                       u32 n) {
  const v128_t one = wasm_f32x4_splat(1.0f);
  u32 i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t v = wasm_v128_load(y + i);
    v128_t u = wasm_f32x4_mul(v, wasm_f32x4_sub(one, v));
    wasm_v128_store(dx + i, wasm_f32x4_mul(wasm_v128_load(dy + i), u));
  }
  for (; i < n; ++i) dx[i] = dy[i] * (y[i] * (1.0f - y[i]));
}

/* dx[i] = dy[i] · step(x[i]): step is 1 for x > 0, NaN for NaN, 0 otherwise. */
__attribute__((export_name("cnn_relu_grad"))) void cnn_relu_grad(const float *x, const float *dy, float *dx, u32 n) {
  const v128_t one = wasm_f32x4_splat(1.0f), zero = wasm_f32x4_splat(0.0f);
  u32 i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t v = wasm_v128_load(x + i);
    v128_t s = wasm_v128_bitselect(one, zero, wasm_f32x4_gt(v, zero));
    s = wasm_v128_bitselect(v, s, wasm_f32x4_ne(v, v)); /* NaN stays NaN */
    wasm_v128_store(dx + i, wasm_f32x4_mul(wasm_v128_load(dy + i), s));
  }
  for (; i < n; ++i) {
    float v = x[i];
    float s = v > 0.0f ? 1.0f : (v != v ? v : 0.0f);
    dx[i] = dy[i] * s;
  }
}
