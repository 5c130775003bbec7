/*
 * Depthwise 2-D convolution (channel multiplier 1), NHWC, for tfjs-backend-wasm's memory (see batch-norm.c for the
 * memory rules). XNNPACK's depthwise path in tfjs-backend-wasm 4.22 runs ConvNeXt's 7x7 at about 1.6-3 GFLOP/s; this
 * loops over output pixels and 16-channel blocks with the taps innermost, 4 SIMD accumulators per block.
 */
#include <wasm_simd128.h>

typedef unsigned int u32;
typedef int i32;

/**
 * y[n, oy, ox, c] = sum over ky, kx of x[n, oy*sh + ky*dh - pt, ox*sw + kx*dw - pl, c] * w[ky, kx, c] (zero outside x).
 * x [n, h, wd, c], w [kh, kw, c], y [n, oh, ow, c].
 */
__attribute__((export_name("cnn_depthwise_conv2d"))) void cnn_depthwise_conv2d(
    const float *x, const float *w, float *y, u32 n, i32 h, i32 wd, u32 c, i32 oh, i32 ow, i32 kh, i32 kw, i32 sh,
    i32 sw, i32 dh, i32 dw, i32 pt, i32 pl) {
  u32 c16 = c & ~15u, c4 = c & ~3u;
  for (u32 b = 0; b < n; ++b) {
    const float *xb = x + (unsigned long)b * h * wd * c;
    for (i32 oy = 0; oy < oh; ++oy) {
      /* Rows of the filter that land inside x. */
      i32 y0 = oy * sh - pt;
      i32 ky0 = 0, ky1 = kh;
      while (ky0 < kh && y0 + ky0 * dh < 0) ++ky0;
      while (ky1 > ky0 && y0 + (ky1 - 1) * dh >= h) --ky1;
      for (i32 ox = 0; ox < ow; ++ox) {
        i32 x0 = ox * sw - pl;
        i32 kx0 = 0, kx1 = kw;
        while (kx0 < kw && x0 + kx0 * dw < 0) ++kx0;
        while (kx1 > kx0 && x0 + (kx1 - 1) * dw >= wd) --kx1;
        float *out = y + (((unsigned long)b * oh + oy) * ow + ox) * c;
        u32 ch = 0;
        for (; ch < c16; ch += 16) {
          v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
          for (i32 ky = ky0; ky < ky1; ++ky) {
            const float *xr = xb + ((unsigned long)(y0 + ky * dh) * wd) * c + ch;
            const float *wr = w + (unsigned long)ky * kw * c + ch;
            for (i32 kx = kx0; kx < kx1; ++kx) {
              const float *xp = xr + (unsigned long)(x0 + kx * dw) * c;
              const float *wp = wr + (unsigned long)kx * c;
              a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(xp), wasm_v128_load(wp)));
              a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load(xp + 4), wasm_v128_load(wp + 4)));
              a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(wasm_v128_load(xp + 8), wasm_v128_load(wp + 8)));
              a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(wasm_v128_load(xp + 12), wasm_v128_load(wp + 12)));
            }
          }
          wasm_v128_store(out + ch, a0);
          wasm_v128_store(out + ch + 4, a1);
          wasm_v128_store(out + ch + 8, a2);
          wasm_v128_store(out + ch + 12, a3);
        }
        for (; ch < c4; ch += 4) {
          v128_t a0 = wasm_f32x4_splat(0.0f);
          for (i32 ky = ky0; ky < ky1; ++ky) {
            const float *xr = xb + ((unsigned long)(y0 + ky * dh) * wd) * c + ch;
            const float *wr = w + (unsigned long)ky * kw * c + ch;
            for (i32 kx = kx0; kx < kx1; ++kx) {
              a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(xr + (unsigned long)(x0 + kx * dw) * c),
                                                     wasm_v128_load(wr + (unsigned long)kx * c)));
            }
          }
          wasm_v128_store(out + ch, a0);
        }
        for (; ch < c; ++ch) {
          float a = 0.0f;
          for (i32 ky = ky0; ky < ky1; ++ky) {
            for (i32 kx = kx0; kx < kx1; ++kx) {
              a += xb[((unsigned long)(y0 + ky * dh) * wd + (x0 + kx * dw)) * c + ch] * w[((unsigned long)ky * kw + kx) * c + ch];
            }
          }
          out[ch] = a;
        }
      }
    }
  }
}
