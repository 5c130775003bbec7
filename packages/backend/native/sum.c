/*
 * Sums over the leading axes, for tfjs-backend-wasm's memory (see batch-norm.c for the memory rules): the bias
 * gradient of a convolution or dense layer, sum(dy, [0, 1, 2]) of dy [n, h, w, c]. tfjs-backend-wasm 4.22's Sum
 * transposes the reduced axes to the end first; on LeNet's [100, 28, 28, 6] that took 0.6 ms of a 12 ms training step.
 *
 *   out[c] = sum over r < rows of x[r * cols + c]
 *
 * Columns are taken in blocks of 16, then 4 (the last block overlapping the one before where cols is not a multiple
 * of 4, which writes the same sums twice); each block runs down every row with two sets of accumulators, even and
 * odd rows, added at the end (two independent chains, and shorter ones for rounding).
 */
#include <wasm_simd128.h>

typedef unsigned int u32;

/* The sums of columns c0 .. c0 + 4V - 1 (V vectors), written to out. */
static inline __attribute__((always_inline)) void column_block(const float *x, float *out, u32 rows, u32 cols, u32 c0,
                                                               const int V) {
  v128_t even[4], odd[4];
  for (int v = 0; v < V; ++v) even[v] = odd[v] = wasm_f32x4_splat(0.0f);
  const float *p = x + c0;
  u32 r = 0;
  for (; r + 1 < rows; r += 2, p += 2 * cols) {
    for (int v = 0; v < V; ++v) {
      even[v] = wasm_f32x4_add(even[v], wasm_v128_load(p + 4 * v));
      odd[v] = wasm_f32x4_add(odd[v], wasm_v128_load(p + cols + 4 * v));
    }
  }
  if (r < rows)
    for (int v = 0; v < V; ++v) even[v] = wasm_f32x4_add(even[v], wasm_v128_load(p + 4 * v));
  for (int v = 0; v < V; ++v) wasm_v128_store(out + c0 + 4 * v, wasm_f32x4_add(even[v], odd[v]));
}

/* out [cols] = the sum of x [rows, cols] over its rows; cols >= 4. */
__attribute__((export_name("cnn_sum_leading"))) void cnn_sum_leading(const float *x, float *out, u32 rows, u32 cols) {
  u32 c = 0;
  for (; c + 16 <= cols; c += 16) column_block(x, out, rows, cols, c, 4);
  for (; c + 4 <= cols; c += 4) column_block(x, out, rows, cols, c, 1);
  if (c < cols) column_block(x, out, rows, cols, cols - 4, 1);
}
