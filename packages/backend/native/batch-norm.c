/*
 * Training-mode batch normalisation for tfjs-backend-wasm, compiled to WebAssembly SIMD (build.sh).
 *
 * The module imports the WASM backend's own memory, so every pointer below is a byte offset of a tensor (or of scratch
 * memory from the backend's malloc) in that memory: the kernels read and write tensors in place, with no copies.
 * Nothing here uses the stack or static data (build.sh checks), because address 0 onwards belongs to the backend.
 *
 * Layout: x is [m, c] (NHWC flattened: m = N*H*W rows of c channels), reductions run over m per channel. The flat
 * array is walked in chunks of p = lcm(c, 4) floats (whole rows, a whole number of SIMD vectors), so any channel count
 * vectorises: lane j of a chunk always holds channel j % c. Sums are kept in float per block of rows and folded into
 * double per block, so that long reductions (m up to millions) stay accurate.
 */
#include <wasm_simd128.h>

typedef unsigned int u32;
typedef __SIZE_TYPE__ size_t;

#define BLOCK_CHUNKS 64

static u32 chunk_length(u32 c) {
  u32 p = c;
  while (p & 3u) p += c;
  return p;
}

/* acc[0..p) = 0 */
static void zero(float *acc, u32 p) {
  for (u32 j = 0; j < p; j += 4) wasm_v128_store(acc + j, wasm_f32x4_splat(0.0f));
}

/* tot[j % c] += acc[j] for j < p (tot in double). */
static void fold(double *tot, const float *acc, u32 p, u32 c) {
  for (u32 j = 0, ch = 0; j < p; ++j) {
    tot[ch] += (double)acc[j];
    if (++ch == c) ch = 0;
  }
}

/*
 * Sums over rows, per channel, of (a - shift) and of (a - shift) * (b - shift2) where b == 0 means "use a itself".
 * Forward statistics: a = x, b = x, shift = shift2 = x's first row: sums of d and d*d.
 * Backward sums: a = dy (shift 0), b = x (shift2 = mean): sums of dy and dy*(x-mean).
 * sum1, sum2: [c] doubles (zeroed here). shift/shift2: [p] floats, already expanded; acc1/acc2: [p] float scratch.
 */
static void reduce_two(const float *a, const float *b, u32 m, u32 c, const float *shift, const float *shift2,
                       float *acc1, float *acc2, double *sum1, double *sum2) {
  u32 p = chunk_length(c);
  u32 total = m * c;
  u32 chunks = total / p;
  for (u32 ch = 0; ch < c; ++ch) sum1[ch] = sum2[ch] = 0.0;
  u32 done = 0;
  while (done < chunks) {
    u32 block = chunks - done < BLOCK_CHUNKS ? chunks - done : BLOCK_CHUNKS;
    zero(acc1, p);
    zero(acc2, p);
    const float *pa = a + (size_t)done * p;
    const float *pb = b + (size_t)done * p;
    if (p == 4) {
      v128_t s1 = wasm_f32x4_splat(0.0f), s2 = s1;
      v128_t sh = wasm_v128_load(shift), sh2 = wasm_v128_load(shift2);
      for (u32 k = 0; k < block; ++k) {
        v128_t da = wasm_f32x4_sub(wasm_v128_load(pa + 4 * k), sh);
        v128_t db = wasm_f32x4_sub(wasm_v128_load(pb + 4 * k), sh2);
        s1 = wasm_f32x4_add(s1, da);
        s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(da, db));
      }
      wasm_v128_store(acc1, s1);
      wasm_v128_store(acc2, s2);
    } else {
      for (u32 k = 0; k < block; ++k) {
        const float *ra = pa + (size_t)k * p;
        const float *rb = pb + (size_t)k * p;
        for (u32 j = 0; j < p; j += 4) {
          v128_t da = wasm_f32x4_sub(wasm_v128_load(ra + j), wasm_v128_load(shift + j));
          v128_t db = wasm_f32x4_sub(wasm_v128_load(rb + j), wasm_v128_load(shift2 + j));
          wasm_v128_store(acc1 + j, wasm_f32x4_add(wasm_v128_load(acc1 + j), da));
          wasm_v128_store(acc2 + j, wasm_f32x4_add(wasm_v128_load(acc2 + j), wasm_f32x4_mul(da, db)));
        }
      }
    }
    fold(sum1, acc1, p, c);
    fold(sum2, acc2, p, c);
    done += block;
  }
  /* Rows after the last whole chunk (fewer than p / c of them). */
  for (u32 i = chunks * p, ch = 0; i < total; ++i) {
    double da = (double)a[i] - (double)shift[ch];
    double db = (double)b[i] - (double)shift2[ch];
    sum1[ch] += da;
    sum2[ch] += da * db;
    if (++ch == c) ch = 0;
  }
}

/* out[i] = a[i] * u[j] + b[i] * v[j] + w[j] over the flat array, j = i mod p (u, v, w expanded to [p]). b may be 0. */
static void affine(float *out, const float *a, const float *b, u32 m, u32 c, const float *u, const float *v,
                   const float *w) {
  u32 p = chunk_length(c);
  u32 total = m * c;
  u32 chunks = total / p;
  if (b == 0) {
    for (u32 k = 0; k < chunks; ++k) {
      const float *ra = a + (size_t)k * p;
      float *ro = out + (size_t)k * p;
      for (u32 j = 0; j < p; j += 4) {
        v128_t r = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(ra + j), wasm_v128_load(u + j)), wasm_v128_load(w + j));
        wasm_v128_store(ro + j, r);
      }
    }
  } else {
    for (u32 k = 0; k < chunks; ++k) {
      const float *ra = a + (size_t)k * p;
      const float *rb = b + (size_t)k * p;
      float *ro = out + (size_t)k * p;
      for (u32 j = 0; j < p; j += 4) {
        v128_t r = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(ra + j), wasm_v128_load(u + j)), wasm_v128_load(w + j));
        r = wasm_f32x4_add(r, wasm_f32x4_mul(wasm_v128_load(rb + j), wasm_v128_load(v + j)));
        wasm_v128_store(ro + j, r);
      }
    }
  }
  for (u32 i = chunks * p, j = 0; i < total; ++i, ++j) {
    out[i] = a[i] * u[j] + (b == 0 ? 0.0f : b[i] * v[j]) + w[j];
  }
}

/* dst[j] = src[j % c] for j < p. */
static void expand(float *dst, const float *src, u32 c, u32 p) {
  for (u32 j = 0, ch = 0; j < p; ++j) {
    dst[j] = src[ch];
    if (++ch == c) ch = 0;
  }
}

/** Bytes of scratch memory (8-byte aligned) that the kernels below need for c channels. */
__attribute__((export_name("cnn_bn_scratch_bytes"))) u32 cnn_bn_scratch_bytes(u32 c) {
  u32 p = chunk_length(c);
  return 8u * p * 4u + 2u * 8u * c + 16u;
}

/* Scratch layout: six [p] float arrays (f0..f5) then two [c] double arrays. */
#define SCRATCH_SETUP                                                                                                 \
  u32 p = chunk_length(c);                                                                                            \
  float *f0 = (float *)(((size_t)scratch + 15u) & ~(size_t)15u);                                                      \
  float *f1 = f0 + p, *f2 = f1 + p, *f3 = f2 + p, *f4 = f3 + p, *f5 = f4 + p;                                          \
  double *s1 = (double *)(f5 + p), *s2 = s1 + c;

/**
 * Forward: y = (x - mean) / sqrt(var + eps) * gamma + beta, mean and (biased) var over the m rows of x [m, c].
 * Outputs y [m, c], mean [c], var [c].
 */
__attribute__((export_name("cnn_bn_forward"))) void cnn_bn_forward(const float *x, const float *gamma, const float *beta, float *y, float *mean, float *var, u32 m,
                    u32 c, float eps, void *scratch) {
  SCRATCH_SETUP
  expand(f0, x, c, p); /* shift: the first row */
  reduce_two(x, x, m, c, f0, f0, f1, f2, s1, s2);
  for (u32 ch = 0; ch < c; ++ch) {
    double dmean = s1[ch] / m;
    double v = s2[ch] / m - dmean * dmean;
    if (v < 0.0) v = 0.0;
    float mu = (float)((double)x[ch] + dmean);
    mean[ch] = mu;
    var[ch] = (float)v;
    float scale = gamma[ch] / __builtin_sqrtf((float)v + eps);
    f3[ch] = scale;
    f4[ch] = beta[ch] - mu * scale;
  }
  expand(f1, f3, c, p);
  expand(f2, f4, c, p);
  affine(y, x, 0, m, c, f1, 0, f2);
}

/**
 * Backward of cnn_bn_forward with respect to x, gamma and beta, given dy [m, c] and the gradients dmean, dvar [c] of
 * the mean and variance outputs (zeros when those are not used): dx [m, c], dgamma [c], dbeta [c].
 */
__attribute__((export_name("cnn_bn_backward"))) void cnn_bn_backward(const float *x, const float *dy, const float *gamma, const float *mean, const float *var,
                     const float *dmean, const float *dvar, float *dx, float *dgamma, float *dbeta, u32 m, u32 c,
                     float eps, void *scratch) {
  SCRATCH_SETUP
  expand(f0, mean, c, p);
  zero(f5, p);
  reduce_two(dy, x, m, c, f5, f0, f1, f2, s1, s2); /* s1 = sum dy, s2 = sum dy * (x - mean) */
  for (u32 ch = 0; ch < c; ++ch) {
    double invstd = 1.0 / __builtin_sqrt((double)var[ch] + (double)eps);
    double g = gamma[ch];
    double a = g * invstd;
    double b = -g * invstd * invstd * invstd * s2[ch] / m + 2.0 * (double)dvar[ch] / m;
    double k = -a * s1[ch] / m + (double)dmean[ch] / m - b * (double)mean[ch];
    dbeta[ch] = (float)s1[ch];
    dgamma[ch] = (float)(s2[ch] * invstd);
    f3[ch] = (float)a;
    f4[ch] = (float)b;
    f5[ch] = (float)k;
  }
  expand(f0, f3, c, p);
  expand(f1, f4, c, p);
  expand(f2, f5, c, p);
  affine(dx, dy, x, m, c, f0, f1, f2);
}
