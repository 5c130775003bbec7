/*
 * One step of SGD with momentum (PyTorch's torch.optim.SGD rule) over a parameter, its gradient and its momentum
 * buffer, for tfjs-backend-wasm's memory (see batch-norm.c for the memory rules). @cnn/train's SGD runs it once per
 * parameter where it would otherwise run four to six element-wise kernels, each a separate pass over memory and a
 * separate dispatch through tfjs (about 1 ms of a 12 ms LeNet-BN step was the update).
 *
 * Every operation is the float32 operation the composed tfjs ops perform, in their order, so results are bit-identical
 * to them (WebAssembly has no fused multiply-add to contract into):
 *
 *   g  = grad + param * weight_decay          (if FLAG_WEIGHT_DECAY)
 *   g' = g * keep                             (keep = 1 - dampening, if FLAG_DAMPENING)
 *   b  = buffer * momentum + g'               (if FLAG_MOMENTUM; else no buffer)
 *   s  = g + b * momentum  (FLAG_NESTEROV)  or  b  (momentum)  or  g  (plain SGD)
 *   param_out = param - s * lr,  buffer_out = b
 */
#include <wasm_simd128.h>

typedef unsigned int u32;

#define FLAG_MOMENTUM 1u
#define FLAG_NESTEROV 2u
#define FLAG_WEIGHT_DECAY 4u
#define FLAG_DAMPENING 8u

/* The rule on one vector of 4 values; buffer and buffer_out are unused without FLAG_MOMENTUM. */
static inline __attribute__((always_inline)) void step4(const float *p, const float *g, const float *b, float *p_out,
                                                        float *b_out, v128_t lr, v128_t momentum, v128_t keep,
                                                        v128_t weight_decay, u32 flags) {
  v128_t param = wasm_v128_load(p);
  v128_t grad = wasm_v128_load(g);
  if (flags & FLAG_WEIGHT_DECAY) grad = wasm_f32x4_add(grad, wasm_f32x4_mul(param, weight_decay));
  v128_t s = grad;
  if (flags & FLAG_MOMENTUM) {
    v128_t scaled = (flags & FLAG_DAMPENING) ? wasm_f32x4_mul(grad, keep) : grad;
    v128_t buffer = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(b), momentum), scaled);
    wasm_v128_store(b_out, buffer);
    s = (flags & FLAG_NESTEROV) ? wasm_f32x4_add(grad, wasm_f32x4_mul(buffer, momentum)) : buffer;
  }
  wasm_v128_store(p_out, wasm_f32x4_sub(param, wasm_f32x4_mul(s, lr)));
}

/* The same rule on one value. */
static inline __attribute__((always_inline)) void step1(const float *p, const float *g, const float *b, float *p_out,
                                                        float *b_out, float lr, float momentum, float keep,
                                                        float weight_decay, u32 flags) {
  float param = *p;
  float grad = *g;
  if (flags & FLAG_WEIGHT_DECAY) grad = grad + param * weight_decay;
  float s = grad;
  if (flags & FLAG_MOMENTUM) {
    float scaled = (flags & FLAG_DAMPENING) ? grad * keep : grad;
    float buffer = *b * momentum + scaled;
    *b_out = buffer;
    s = (flags & FLAG_NESTEROV) ? grad + buffer * momentum : buffer;
  }
  *p_out = param - s * lr;
}

/*
 * param_out, buffer_out [n] from param, grad, buffer [n] (buffer pointers may be 0 without FLAG_MOMENTUM). Outputs
 * may not overlap inputs other than element for element.
 */
__attribute__((export_name("cnn_sgd_step"))) void cnn_sgd_step(const float *param, const float *grad,
                                                               const float *buffer, float *param_out,
                                                               float *buffer_out, u32 n, float lr, float momentum,
                                                               float keep, float weight_decay, u32 flags) {
  const v128_t lr4 = wasm_f32x4_splat(lr), momentum4 = wasm_f32x4_splat(momentum);
  const v128_t keep4 = wasm_f32x4_splat(keep), weight_decay4 = wasm_f32x4_splat(weight_decay);
  u32 i = 0;
  for (; i + 4 <= n; i += 4)
    step4(param + i, grad + i, buffer + i, param_out + i, buffer_out + i, lr4, momentum4, keep4, weight_decay4, flags);
  for (; i < n; ++i) step1(param + i, grad + i, buffer + i, param_out + i, buffer_out + i, lr, momentum, keep, weight_decay, flags);
}
