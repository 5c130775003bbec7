/*
 * Direct 2-D convolutions in NHWC for tfjs-backend-wasm's memory (see batch-norm.c for the memory rules): the input
 * gradient (cnn_conv2d_input_grad) and the forward convolution with optional bias and ReLU (cnn_conv2d). Both are one
 * "gather" computation:
 *
 *   out[b, y, x, c] = sum over taps t of (row y, column x) and k < K of in[b, row_t, col_t(x), k] * f[tap_t, k, c]
 *
 * - Input gradient: out = dx [n, h, w, ci], in = dy [n, oh, ow, co] (K = co), f[tap, co, ci] = W[kh, kw, ci, co].
 *   Pixel (h, w) meets tap (kh, kw) where oh = (h + pt - kh*dh) / sh and ow = (w + pl - kw*dw) / sw are whole numbers
 *   inside dy. The taps of a row are found per row; the columns are taken per phase (w + pl) mod sw, so that every
 *   pixel of a phase meets the same taps, each at consecutive dy pixels: no multiplication by a zero tap (the
 *   XNNPACK path it replaces does 16 multiply-adds for 9 on 3x3 stride-2 filters).
 * - Forward: out = y [n, oh, ow, co], in = x [n, h, w, ci] (K = ci), f[tap, ci, co] = W[kh, kw, ci, co]. Output row y
 *   meets the filter rows kh with x row y*sh + kh*dh - pt inside x; consecutive output pixels read x pixels sw apart.
 *
 * Register blocking: tiles of R output pixels by V vectors of 4 output channels (2 x 4, 4 x 2 or 6 x 1: 8
 * accumulators, as in conv-filter-grad.c), held in registers over every tap and k; per k, V vectors of the packed
 * filter are loaded once and multiplied with R splatted input values. The filter is packed (here, not in JavaScript)
 * into blocks of 16 output channels, [block][tap][k][16], 64-byte aligned, channels padded to 4 with zeros; the input
 * is copied with zero columns on both sides wherever a tap reaches past it (rows are restricted exactly), so that tiles
 * need no bounds checks; tiles write the output directly, or where the channel count is not a multiple of 4 a buffer
 * of rows (channels padded to 4) that is then copied out.
 * Cache blocking: output rows are taken in chunks whose input rows and output buffer fit CHUNK_BYTES; within a chunk,
 * each block of 16 output channels passes over every row, so that the block's packed filter stays in the L2 cache.
 * With dilation 1 (and, for the input gradient, stride 1) the taps of a filter row read consecutive input pixels, so
 * they run as one tap of kw * k values (the filter rows packed reversed for the input gradient): fewer, longer loops,
 * which matters for few channels (LeNet, a CIFAR stem).
 *
 * Measured (tools/profile/conv-gflops.ts --input / --forward, Node 20, one Zen 5 core, batch 64): ResNet-18 CIFAR's
 * 3x3 convolutions at 63-77 GFLOP/s both ways, 1x1 ones at 45-63; XNNPACK's forward convolution reaches 41-49, and the
 * flipped / polyphase XNNPACK input gradient used before 21-48 (stride 2: 21-27, as it multiplies 16 taps for 9).
 */
#include <wasm_simd128.h>

typedef unsigned int u32;
typedef int i32;
typedef __SIZE_TYPE__ size_t;

/* Bytes of input rows plus output buffer that one chunk of output rows should stay under (L2-sized). */
#define CHUNK_BYTES (256u * 1024u)

/* A convolution's geometry, as both entry points take it (names of the forward convolution). */
typedef struct {
  u32 n;
  i32 h, w;
  u32 ci;
  i32 oh, ow;
  u32 co;
  i32 kh, kw, sh, sw, dh, dw, pt, pl;
} Geometry;

/* The gather computation's state, kept in scratch (the tiles are separate functions, and there is no stack). */
typedef struct {
  const float *in;   /* the padded input: [n][in_rows][in_cols][k] */
  const float *filter; /* the packed filter */
  const float *bias; /* padded to cop, or 0 */
  float *buf;        /* the chunk's output rows [rows][out_w][cop] */
  u32 *tap_in;       /* per tap of the current row and phase: offset of its first input value */
  u32 *tap_f;        /* per tap: offset of its [k][width] filter panel within the block */
  u32 taps;          /* taps of the current row and phase */
  u32 k;             /* channels of in */
  u32 klen;          /* values each tap reads per pixel: k, or kw * k where a filter row's taps are merged */
  u32 step;          /* floats of in between consecutive pixels of a tile */
  u32 ostep;         /* floats of buf between consecutive pixels of a tile */
  u32 relu;
} Gather;

/* Floats of scratch that hold a Gather (64-byte lines). */
#define GATHER_FLOATS ((u32)((sizeof(Gather) + 63u) / 64u * 16u))

static inline __attribute__((always_inline)) void tile(const Gather *p, const float *in, const float *f, float *out,
                                                       const float *bias, const int R, const int V) {
  v128_t acc[6][4];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < V; ++v) acc[r][v] = wasm_f32x4_splat(0.0f);
  const u32 k = p->klen, step = p->step, taps = p->taps;
  for (u32 t = 0; t < taps; ++t) {
    const float *d = in + p->tap_in[t];
    const float *fw = f + p->tap_f[t];
    for (u32 i = 0; i < k; ++i) {
      v128_t w[4];
      for (int v = 0; v < V; ++v) w[v] = wasm_v128_load(fw + 4 * v);
      for (int r = 0; r < R; ++r) {
        v128_t s = wasm_v128_load32_splat(d + (u32)r * step);
        for (int v = 0; v < V; ++v) acc[r][v] = wasm_f32x4_add(acc[r][v], wasm_f32x4_mul(s, w[v]));
      }
      d += 1;
      fw += 4 * V;
    }
  }
  for (int v = 0; v < V && bias; ++v) {
    v128_t b = wasm_v128_load(bias + 4 * v);
    for (int r = 0; r < R; ++r) acc[r][v] = wasm_f32x4_add(acc[r][v], b);
  }
  if (p->relu) {
    for (int r = 0; r < R; ++r)
      for (int v = 0; v < V; ++v) acc[r][v] = wasm_f32x4_max(acc[r][v], wasm_f32x4_splat(0.0f));
  }
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < V; ++v) wasm_v128_store(out + (u32)r * p->ostep + 4 * v, acc[r][v]);
}

/* Pixels per tile for V vectors of output channels: 8 accumulators (see conv-filter-grad.c). */
static inline u32 pixels_for(u32 vectors) { return vectors >= 3 ? 2 : vectors == 2 ? 4 : 6; }

#define TILE_SHAPES(X) \
  X(1, 4) X(2, 4) X(1, 3) X(2, 3) X(1, 2) X(2, 2) X(3, 2) X(4, 2) X(1, 1) X(2, 1) X(3, 1) X(4, 1) X(5, 1) X(6, 1)
#define TILE_FN(R, V)                                                                                              \
  __attribute__((noinline)) static void tile_##R##_##V(const Gather *p, const float *in, const float *f, float *out, \
                                                       const float *bias) {                                         \
    tile(p, in, f, out, bias, R, V);                                                                                \
  }
TILE_SHAPES(TILE_FN)

static void run_tile(const Gather *p, const float *in, const float *f, float *out, const float *bias, u32 pixels,
                     u32 vectors) {
#define TILE_CASE(R, V) \
  case V * 8 + R: tile_##R##_##V(p, in, f, out, bias); break;
  switch (vectors * 8 + pixels) { TILE_SHAPES(TILE_CASE) }
#undef TILE_CASE
}

static inline u32 round16(u32 floats) { return (floats + 15u) & ~15u; }
static inline i32 floor_div(i32 a, i32 b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
static inline i32 imax(i32 a, i32 b) { return a > b ? a : b; }

/* The padded input's layout: in_rows rows of in_cols pixels, `left` zero pixels before each row's first. */
typedef struct {
  i32 in_rows, in_cols, left, src_cols;
  u32 k, cout, out_rows, out_w;
} Layout;

static inline __attribute__((always_inline)) Layout layout(const Geometry *g, int grad) {
  Layout l;
  if (grad) {
    /* Phase q's pixel j, tap kw reads dy column (q + pl - kw*dw) / sw + j: from floor((pl - (kw-1)*dw) / sw) to
     * floor((w - 1 + pl) / sw). */
    l.left = imax(0, -floor_div(g->pl - (g->kw - 1) * g->dw, g->sw));
    l.in_cols = l.left + imax(g->ow, floor_div(g->w - 1 + g->pl, g->sw) + 1);
    l.in_rows = g->oh;
    l.src_cols = g->ow;
    l.k = g->co;
    l.cout = g->ci;
    l.out_rows = g->n * (u32)g->h;
    l.out_w = (u32)g->w;
  } else {
    l.left = imax(0, g->pl);
    l.in_cols = l.left + imax(g->w, (g->ow - 1) * g->sw + (g->kw - 1) * g->dw - g->pl + 1);
    l.in_rows = g->h;
    l.src_cols = g->w;
    l.k = g->ci;
    l.cout = g->co;
    l.out_rows = g->n * (u32)g->oh;
    l.out_w = (u32)g->ow;
  }
  return l;
}

/* Output rows per chunk: their input rows and output rows within CHUNK_BYTES. */
static inline __attribute__((always_inline)) u32 chunk_rows(const Layout *l) {
  u32 cop = (l->cout + 3u) & ~3u;
  u32 row_bytes = 4u * ((u32)l->in_cols * l->k + l->out_w * cop);
  u32 rows = CHUNK_BYTES / (row_bytes ? row_bytes : 1u);
  if (rows < 1) rows = 1;
  return rows < l->out_rows ? rows : l->out_rows;
}

/* Floats of scratch: alignment, the Gather, tap lists, packed filter, bias, padded input, and the row buffer. */
static inline __attribute__((always_inline)) u32 scratch_floats(const Geometry *g, int grad) {
  Layout l = layout(g, grad);
  u32 cop = (l.cout + 3u) & ~3u, taps = (u32)(g->kh * g->kw);
  return 16u + GATHER_FLOATS + round16(2u * taps) + round16(taps * l.k * cop) + round16(cop) +
         round16(g->n * (u32)l.in_rows * (u32)l.in_cols * l.k) + (cop != l.cout ? chunk_rows(&l) * l.out_w * cop : 0u);
}

/*
 * Where filter tap t = kh * kw + kw sits in the packed filter: in place for the forward convolution, with the filter
 * row reversed for the input gradient, so that along a row the taps' dy columns (which fall as kw grows) and the packed
 * panels run the same way.
 */
static inline u32 packed_tap(const Geometry *g, int grad, u32 t) {
  if (!grad) return t;
  u32 fh = t / (u32)g->kw, fw = t - fh * (u32)g->kw;
  return fh * (u32)g->kw + (u32)g->kw - 1u - fw;
}

/*
 * Whether a filter row's taps merge into one tap of kw * k values: with dilation 1 (and, for the input gradient,
 * stride 1), consecutive taps read consecutive pixels of the input, and their packed panels are consecutive too.
 */
static inline int merged_rows(const Geometry *g, int grad) { return g->dw == 1 && (!grad || g->sw == 1); }

/*
 * The shared driver. Packs the filter (grad: W[tap][ci][co] as [block][tap][co][16] of ci; forward: as
 * [block][tap][ci][16] of co), pads the input's columns, and runs the tiles chunk by chunk.
 */
static inline __attribute__((always_inline)) void gather(const Geometry *g, int grad, const float *in,
                                                         const float *filter, const float *bias, float *out,
                                                         float *scratch, u32 relu) {
  Layout l = layout(g, grad);
  u32 cop = (l.cout + 3u) & ~3u, taps = (u32)(g->kh * g->kw), k = l.k, cout = l.cout;
  float *s = (float *)(((size_t)scratch + 63u) & ~(size_t)63u);
  Gather *p = (Gather *)s;
  s += GATHER_FLOATS;
  p->tap_in = (u32 *)s;
  p->tap_f = (u32 *)s + taps;
  s += round16(2u * taps);
  /* The packed filter: block c0 (width = min(16, cop - c0)) at c0 * taps * k; within it [tap][k][width]. */
  float *packed = s;
  s += round16(taps * k * cop);
  for (u32 c0 = 0; c0 < cop; c0 += 16) {
    u32 width = cop - c0 < 16 ? cop - c0 : 16;
    float *block = packed + (size_t)c0 * taps * k;
    for (u32 t = 0; t < taps; ++t) {
      const float *src = filter + (size_t)t * g->ci * g->co;
      float *dst = block + (size_t)packed_tap(g, grad, t) * k * width;
      for (u32 i = 0; i < k; ++i, dst += width) {
        for (u32 c = 0; c < width; ++c) {
          u32 oc = c0 + c;
          /* grad: k = co, output channel = ci: W[t][oc][i]; forward: k = ci: W[t][i][oc]. */
          dst[c] = oc >= cout ? 0.0f : grad ? src[(size_t)oc * g->co + i] : src[(size_t)i * g->co + oc];
        }
      }
    }
  }
  float *bias_p = 0;
  if (bias) {
    bias_p = s;
    for (u32 c = 0; c < cop; ++c) bias_p[c] = c < cout ? bias[c] : 0.0f;
  }
  s += round16(cop);
  /* The input with `left` zero pixels before each row and zeros after it up to in_cols. */
  float *padded = s;
  {
    size_t rows = (size_t)g->n * (u32)l.in_rows, row_in = (size_t)l.src_cols * k, row_out = (size_t)l.in_cols * k;
    size_t a = (size_t)l.left * k, e = a + row_in;
    for (size_t r = 0; r < rows; ++r) {
      const float *src = in + r * row_in;
      float *dst = padded + r * row_out;
      size_t i = 0;
      for (; i < a; ++i) dst[i] = 0.0f;
      for (; i < e; ++i) dst[i] = src[i - a];
      for (; i < row_out; ++i) dst[i] = 0.0f;
    }
  }
  s += round16(g->n * (u32)l.in_rows * (u32)l.in_cols * k);
  p->buf = s;
  p->in = padded;
  p->filter = packed;
  p->k = k;
  int merged = merged_rows(g, grad);
  p->klen = merged ? (u32)g->kw * k : k;
  u32 row_taps = merged ? 1u : (u32)g->kw, pixel_step = grad ? 1u : (u32)g->sw;
  p->relu = relu;
  u32 phases = grad ? (u32)g->sw : 1u;
  p->ostep = phases * cop;
  p->step = grad ? k : (u32)g->sw * k;
  u32 chunk = chunk_rows(&l), out_w = l.out_w, rows_per_image = l.out_rows / g->n;
  size_t in_row = (size_t)l.in_cols * k;
  for (u32 r0 = 0; r0 < l.out_rows; r0 += chunk) {
    u32 r1 = r0 + chunk < l.out_rows ? r0 + chunk : l.out_rows;
    /* Whole vectors of channels go straight to the output; otherwise to the buffer, copied out below. */
    float *rows_out = cop == cout ? out + (size_t)r0 * out_w * cout : p->buf;
    for (u32 c0 = 0; c0 < cop; c0 += 16) {
      u32 width = cop - c0 < 16 ? cop - c0 : 16, vectors = width / 4, most = pixels_for(vectors);
      const float *block = packed + (size_t)c0 * taps * k;
      const float *bias_c = bias_p ? bias_p + c0 : 0;
      for (u32 row = r0; row < r1; ++row) {
        u32 b = row / rows_per_image;
        i32 y = (i32)(row - b * rows_per_image);
        float *orow = rows_out + (size_t)(row - r0) * out_w * cop + c0;
        for (u32 q = 0; q < phases; ++q) {
          if (q >= out_w) break;
          u32 count = (out_w - q + phases - 1) / phases;
          /* The taps of this row and phase. */
          u32 t = 0;
          i32 first_col = 0; /* merged: the input column of pixel 0's first value (the same for every filter row) */
          for (i32 fh = 0; fh < g->kh; ++fh) {
            i32 src_row;
            if (grad) {
              i32 num = y + g->pt - fh * g->dh;
              if (num < 0 || num % g->sh != 0) continue;
              src_row = num / g->sh;
              if (src_row >= g->oh) continue;
            } else {
              src_row = y * g->sh + fh * g->dh - g->pt;
              if (src_row < 0 || src_row >= g->h) continue;
            }
            size_t row_off = ((size_t)b * (u32)l.in_rows + (u32)src_row) * in_row;
            for (i32 fw0 = 0; fw0 < (i32)row_taps; ++fw0) {
              /* Merged: one tap from the tap whose input column is leftmost (grad: the last of the row). */
              i32 fw = merged && grad ? g->kw - 1 : fw0;
              i32 col;
              if (grad) {
                i32 num = (i32)q + g->pl - fw * g->dw;
                if (((num % g->sw) + g->sw) % g->sw != 0) continue;
                col = floor_div(num, g->sw) + l.left;
              } else {
                col = fw * g->dw - g->pl + l.left;
              }
              first_col = col;
              p->tap_in[t] = (u32)(row_off + (size_t)col * k);
              p->tap_f[t] = packed_tap(g, grad, (u32)(fh * g->kw + fw)) * k * width;
              ++t;
            }
          }
          p->taps = t;
          float *o = orow + (size_t)q * cop;
          const float *src = p->in;
          for (u32 j = 0; j < count; j += most) {
            u32 px = count - j < most ? count - j : most;
            u32 skip = 0; /* merged taps: the leading values every pixel of the tile reads from the zero columns */
            if (merged) {
              /* Pixel r reads columns c + m, m < kw, from c = first_col + (j + r) * pixel_step; columns before `left`
               * and from left + src_cols on are zeros, so the tile needs only m in [lo, hi). */
              i32 first = first_col + (i32)(j * pixel_step), last = first + (i32)((px - 1) * pixel_step);
              i32 lo = imax(0, l.left - last), hi = g->kw < l.left + l.src_cols - first ? g->kw : l.left + l.src_cols - first;
              if (hi < lo) hi = lo;
              skip = (u32)lo * k;
              p->klen = (u32)(hi - lo) * k;
            }
            run_tile(p, src + (size_t)j * p->step + skip, block + (size_t)skip * width, o + (size_t)j * p->ostep, bias_c, px,
                     vectors);
          }
        }
      }
    }
    /* Copy the buffered rows out, dropping the padding channels. */
    if (cop != cout) {
      const float *from = p->buf;
      float *to = out + (size_t)r0 * out_w * cout;
      size_t pixels = (size_t)(r1 - r0) * out_w;
      for (size_t q = 0; q < pixels; ++q, from += cop, to += cout)
        for (u32 c = 0; c < cout; ++c) to[c] = from[c];
    }
  }
}

#define GEOMETRY_PARAMS                                                                                          \
  u32 n, i32 h, i32 w, u32 ci, i32 oh, i32 ow, u32 co, i32 kh, i32 kw, i32 sh, i32 sw, i32 dh, i32 dw, i32 pt, \
      i32 pl
#define GEOMETRY_INIT {n, h, w, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, pt, pl}

/** Floats of scratch memory cnn_conv2d_input_grad needs for this convolution (x [n, h, w, ci] -> y [n, oh, ow, co]). */
__attribute__((export_name("cnn_conv2d_input_grad_scratch_floats"))) u32
cnn_conv2d_input_grad_scratch_floats(GEOMETRY_PARAMS) {
  Geometry g = GEOMETRY_INIT;
  return scratch_floats(&g, 1);
}

/**
 * dx [n, h, w, ci] = the input gradient of the convolution of x [n, h, w, ci] with filter [kh, kw, ci, co] (strides
 * sh, sw, dilations dh, dw, padding pt, pl >= 0, any padding after), from dy [n, oh, ow, co]. scratch: at least
 * cnn_conv2d_input_grad_scratch_floats(...) floats.
 */
__attribute__((export_name("cnn_conv2d_input_grad"))) void cnn_conv2d_input_grad(
    const float *dy, const float *filter, float *dx, float *scratch, GEOMETRY_PARAMS) {
  Geometry g = GEOMETRY_INIT;
  gather(&g, 1, dy, filter, 0, dx, scratch, 0);
}

/** Floats of scratch memory cnn_conv2d needs for this convolution. */
__attribute__((export_name("cnn_conv2d_scratch_floats"))) u32 cnn_conv2d_scratch_floats(GEOMETRY_PARAMS) {
  Geometry g = GEOMETRY_INIT;
  return scratch_floats(&g, 0);
}

/**
 * y [n, oh, ow, co] = relu?(conv(x [n, h, w, ci], filter [kh, kw, ci, co]) + bias?) with strides sh, sw, dilations
 * dh, dw, padding pt, pl >= 0; bias: [co] or 0 for none; relu: 0 or 1. scratch: cnn_conv2d_scratch_floats(...) floats.
 */
__attribute__((export_name("cnn_conv2d"))) void cnn_conv2d(const float *x, const float *filter, const float *bias,
                                                          float *y, float *scratch, u32 relu, GEOMETRY_PARAMS) {
  Geometry g = GEOMETRY_INIT;
  gather(&g, 0, x, filter, bias, y, scratch, relu);
}
