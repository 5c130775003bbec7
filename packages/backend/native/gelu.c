/*
 * Exact GELU, x · Φ(x) = x/2 · (1 + erf(x/√2)), and its derivative, element-wise in WebAssembly SIMD for
 * tfjs-backend-wasm's memory (see batch-norm.c for the memory rules). tfjs composes GELU from Mul, Add, Erf and, for the
 * gradient, Exp, Square, Neg and more: a dozen passes over ConvNeXt's largest activations, forward and backward.
 *
 * erf: the rational approximation on [-4, 4] that Eigen and XNNPACK use for float (|error| ≲ 2 ulp; erf(±4) rounds
 * to ±1 in float). exp: Cody-Waite range reduction and a degree-6 polynomial (relative error ≲ 2e-7).
 */
#include <wasm_simd128.h>

typedef unsigned int u32;

static v128_t erf4(v128_t x) {
  x = wasm_f32x4_pmax(wasm_f32x4_splat(-4.0f), wasm_f32x4_pmin(x, wasm_f32x4_splat(4.0f)));
  v128_t x2 = wasm_f32x4_mul(x, x);
  v128_t p = wasm_f32x4_splat(-2.72614225801306e-10f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x2), wasm_f32x4_splat(2.77068142495902e-08f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x2), wasm_f32x4_splat(-2.10102402082508e-06f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x2), wasm_f32x4_splat(-5.69250639462346e-05f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x2), wasm_f32x4_splat(-7.34990630326855e-04f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x2), wasm_f32x4_splat(-2.95459980854025e-03f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x2), wasm_f32x4_splat(-1.60960333262415e-02f));
  p = wasm_f32x4_mul(p, x);
  v128_t q = wasm_f32x4_splat(-1.45660718464996e-05f);
  q = wasm_f32x4_add(wasm_f32x4_mul(q, x2), wasm_f32x4_splat(-2.13374055278905e-04f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, x2), wasm_f32x4_splat(-1.68282697438203e-03f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, x2), wasm_f32x4_splat(-7.37332916720468e-03f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, x2), wasm_f32x4_splat(-1.42647390514189e-02f));
  return wasm_f32x4_div(p, q);
}

/* exp(t) for t <= 0 (underflows to 0 below -87). */
static v128_t exp_neg4(v128_t t) {
  t = wasm_f32x4_pmax(t, wasm_f32x4_splat(-87.0f));
  v128_t n = wasm_f32x4_nearest(wasm_f32x4_mul(t, wasm_f32x4_splat(1.44269504088896341f)));
  v128_t r = wasm_f32x4_sub(t, wasm_f32x4_mul(n, wasm_f32x4_splat(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, wasm_f32x4_splat(-2.12194440e-4f)));
  v128_t p = wasm_f32x4_splat(1.9875691500e-4f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.3981999507e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(8.3334519073e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(4.1665795894e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.6666665459e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(5.0000001201e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(p, r), r), wasm_f32x4_add(r, wasm_f32x4_splat(1.0f)));
  v128_t scale = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
  return wasm_f32x4_mul(p, scale);
}

static v128_t load_partial(const float *p, u32 count) {
  float tmp0 = count > 0 ? p[0] : 0.0f, tmp1 = count > 1 ? p[1] : 0.0f, tmp2 = count > 2 ? p[2] : 0.0f;
  return wasm_f32x4_make(tmp0, tmp1, tmp2, 0.0f);
}

static void store_partial(float *p, v128_t v, u32 count) {
  if (count > 0) p[0] = wasm_f32x4_extract_lane(v, 0);
  if (count > 1) p[1] = wasm_f32x4_extract_lane(v, 1);
  if (count > 2) p[2] = wasm_f32x4_extract_lane(v, 2);
}

static v128_t gelu4(v128_t x) {
  v128_t cdf = wasm_f32x4_add(wasm_f32x4_splat(0.5f),
                              wasm_f32x4_mul(wasm_f32x4_splat(0.5f), erf4(wasm_f32x4_mul(x, wasm_f32x4_splat(0.70710678118654752f)))));
  return wasm_f32x4_mul(x, cdf);
}

/* d/dx of x·Φ(x) = Φ(x) + x·φ(x), times dy. */
static v128_t gelu_grad4(v128_t x, v128_t dy) {
  v128_t cdf = wasm_f32x4_add(wasm_f32x4_splat(0.5f),
                              wasm_f32x4_mul(wasm_f32x4_splat(0.5f), erf4(wasm_f32x4_mul(x, wasm_f32x4_splat(0.70710678118654752f)))));
  v128_t pdf = wasm_f32x4_mul(wasm_f32x4_splat(0.39894228040143268f), exp_neg4(wasm_f32x4_mul(wasm_f32x4_splat(-0.5f), wasm_f32x4_mul(x, x))));
  return wasm_f32x4_mul(dy, wasm_f32x4_add(cdf, wasm_f32x4_mul(x, pdf)));
}

/** y[i] = GELU(x[i]) for i < n (exact form). */
__attribute__((export_name("cnn_gelu"))) void cnn_gelu(const float *x, float *y, u32 n) {
  u32 i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, gelu4(wasm_v128_load(x + i)));
  if (i < n) store_partial(y + i, gelu4(load_partial(x + i, n - i)), n - i);
}

/** dx[i] = dy[i] · GELU'(x[i]) for i < n. */
__attribute__((export_name("cnn_gelu_grad"))) void cnn_gelu_grad(const float *x, const float *dy, float *dx, u32 n) {
  u32 i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dx + i, gelu_grad4(wasm_v128_load(x + i), wasm_v128_load(dy + i)));
  if (i < n) store_partial(dx + i, gelu_grad4(load_partial(x + i, n - i), load_partial(dy + i, n - i)), n - i);
}
