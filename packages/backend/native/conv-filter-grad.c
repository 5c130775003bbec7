/*
 * Gradient of a 2-D convolution with respect to its filter, NHWC, for tfjs-backend-wasm's memory (see batch-norm.c for
 * the memory rules):
 *
 *   dw[kh, kw, ci, co] = sum over b, oy, ox of x[b, oy*sh + kh*dh - pt, ox*sw + kw*dw - pl, ci] * dy[b, oy, ox, co]
 *
 * For each filter row kh this is a matrix product over output pixels: dw[kh] viewed as [kw*ci, co] (the filter's own
 * layout) is the sum over pixels of outer products of kw*ci values of x and co values of dy. The x value that row
 * j = kw*ci + ci of dw[kh] pairs with an output pixel sits at offset (kw*dw)*ci + ci from the pixel's corner in x, so
 * for dilation 1 the rows of a tile read consecutive floats.
 *
 * Register blocking: tiles of R rows by V vectors of 4 output channels (2 x 4, 4 x 2 or 6 x 1: 8 accumulators, the
 * most V8 keeps in x86-64's registers here), held in registers while the tile passes over a chunk of output pixels;
 * each x value is splatted once and multiplied with V vectors of dy. Cache blocking: output rows are taken in chunks
 * small enough for the chunk's dy and x to stay in the L2 cache while every (kh, tile) pair passes over them. With
 * many channels (see use_packed) x is first packed, per chunk and filter row, into panels of 12 rows per pixel that
 * every block of output channels then streams through (the classic GEMM packing): unpacked, x's pixels 1-4 KB apart
 * thrash the L1 cache. Measured: 55-60 GFLOP/s on ResNet-18's 3x3 shapes (Node 20, Zen 5), against 17-32 for the
 * transposed XNNPACK convolution @cnn/backend used before.
 *
 * Scratch memory (cnn_conv2d_filter_grad_scratch_floats): dy is copied into blocks of 16 output channels, each block
 * [pixels, 16] contiguous and 64-byte aligned (the tensors of tfjs-backend-wasm are only 8-byte aligned, and vector loads
 * across cache lines cost up to half the speed), with co padded to a multiple of 4 by zeros; x is copied with its zero
 * padding where the convolution reads outside it; dw is accumulated in scratch where co is not a multiple of 4.
 */
#include <wasm_simd128.h>

typedef unsigned int u32;
typedef int i32;
typedef __SIZE_TYPE__ size_t;

/* Bytes of dy plus x that one chunk of output rows should stay under (L2-sized). */
#define CHUNK_BYTES (256u * 1024u)
/* The most pixels a panel of packed x holds. */
#define PANEL_PIXELS 512u

/* One chunk's geometry. x is padded (or needs no padding): output pixel (oy, ox) with filter tap (kh, kw) reads
 * x[b][oy*sh + kh*dh][ox*sw + kw*dw]. */
typedef struct {
  const float *x;
  const float *dy; /* the current block of output channels: [pixels, dy_stride] */
  float *dw;
  u32 dy_stride;   /* floats per pixel in the dy block (16, or fewer in the last block) */
  size_t x_image;  /* floats between images of x */
  size_t x_orow;   /* floats between the x rows of consecutive output rows: sh * row length */
  size_t x_khrow;  /* floats between filter rows in x: dh * row length */
  u32 ci, cop, oh, ow, x_opix, kwdil; /* x_opix: sw * ci floats between output pixels; kwdil: dw */
  u32 j;           /* rows of dw per filter row: kw * ci */
  u32 row0, row1;  /* output rows b*oh + oy of the chunk */
} Pass;

/* Floats of scratch that hold a Pass (64-byte lines). */
#define PASS_FLOATS ((u32)((sizeof(Pass) + 63u) / 64u * 16u))

static inline __attribute__((always_inline)) void tile(const Pass *p, u32 kh, u32 j0, u32 co, const int R, const int V) {
  v128_t acc[6][4];
  u32 off[6];
  for (int r = 0; r < R; ++r) {
    u32 j = j0 + (u32)r;
    off[r] = (j / p->ci) * p->kwdil * p->ci + j % p->ci;
    for (int v = 0; v < V; ++v) acc[r][v] = wasm_f32x4_splat(0.0f);
  }
  const u32 ow = p->ow, cop = p->cop, x_opix = p->x_opix, dy_stride = p->dy_stride;
  u32 b = p->row0 / p->oh, oy = p->row0 - b * p->oh;
  const float *dyr = p->dy + (size_t)p->row0 * ow * dy_stride;
  for (u32 row = p->row0; row < p->row1; ++row) {
    const float *xr = p->x + b * p->x_image + oy * p->x_orow + kh * p->x_khrow;
    if (++oy == p->oh) {
      oy = 0;
      ++b;
    }
    for (u32 ox = 0; ox < ow; ++ox) {
      v128_t d[4];
      for (int v = 0; v < V; ++v) d[v] = wasm_v128_load(dyr + 4 * v);
      for (int r = 0; r < R; ++r) {
        v128_t s = wasm_v128_load32_splat(xr + off[r]);
        for (int v = 0; v < V; ++v) acc[r][v] = wasm_f32x4_add(acc[r][v], wasm_f32x4_mul(s, d[v]));
      }
      xr += x_opix;
      dyr += dy_stride;
    }
  }
  for (int r = 0; r < R; ++r) {
    float *out = p->dw + ((size_t)kh * p->j + j0 + (u32)r) * cop + co;
    for (int v = 0; v < V; ++v) wasm_v128_store(out + 4 * v, wasm_f32x4_add(wasm_v128_load(out + 4 * v), acc[r][v]));
  }
}

/* Rows per tile for V vectors of output channels: 8 accumulators, the most V8 keeps in registers here (measured). */
static inline u32 rows_for(u32 vectors) { return vectors >= 3 ? 2 : vectors == 2 ? 4 : 6; }

/* Floats per pixel in a packed panel of x: 12 rows, a whole number of tiles of 2, 4 or 6 rows. */
#define PANEL 12

/*
 * The same tile over packed data: panel [npix][PANEL] holds the tile's x values of every pixel of the chunk (rows
 * from column 0), dy [npix][width] the chunk's block of output channels from co; out: dw's row j0, column co.
 */
static inline __attribute__((always_inline)) void packed_tile(const float *panel, const float *dy, u32 width,
                                                              u32 npix, float *out, u32 cop, const int R, const int V) {
  v128_t acc[6][4];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < V; ++v) acc[r][v] = wasm_f32x4_splat(0.0f);
  for (u32 q = 0; q < npix; ++q) {
    v128_t d[4];
    for (int v = 0; v < V; ++v) d[v] = wasm_v128_load(dy + 4 * v);
    for (int r = 0; r < R; ++r) {
      v128_t s = wasm_v128_load32_splat(panel + r);
      for (int v = 0; v < V; ++v) acc[r][v] = wasm_f32x4_add(acc[r][v], wasm_f32x4_mul(s, d[v]));
    }
    panel += PANEL;
    dy += width;
  }
  for (int r = 0; r < R; ++r, out += cop)
    for (int v = 0; v < V; ++v) wasm_v128_store(out + 4 * v, wasm_f32x4_add(wasm_v128_load(out + 4 * v), acc[r][v]));
}

/* The (rows, vectors) shapes of tiles: up to rows_for(vectors) rows. */
#define TILE_SHAPES(X) \
  X(1, 4) X(2, 4) X(1, 3) X(2, 3) X(1, 2) X(2, 2) X(3, 2) X(4, 2) X(1, 1) X(2, 1) X(3, 1) X(4, 1) X(5, 1) X(6, 1)
/*
 * The direct tiles each in a function of their own (not inlined), the packed ones left to clang: the faster
 * arrangement under V8, measured (the direct tiles lose up to 40% inlined, the packed ones up to 20% not inlined).
 */
#define TILE_FN(R, V)                                                                                         \
  __attribute__((noinline)) static void tile_##R##_##V(const Pass *p, u32 kh, u32 j0, u32 co) {               \
    tile(p, kh, j0, co, R, V);                                                                                 \
  }                                                                                                            \
  static void packed_##R##_##V(const float *panel, const float *dy, u32 width, u32 npix, float *out, u32 cop) { \
    packed_tile(panel, dy, width, npix, out, cop, R, V);                                                       \
  }
TILE_SHAPES(TILE_FN)

/* The tile of `rows` (<= rows_for(vectors)) rows from j0 and `vectors` vectors of output channels from co. */
static void run_tile(const Pass *p, u32 kh, u32 j0, u32 co, u32 rows, u32 vectors) {
#define TILE_CASE(R, V) \
  case V * 8 + R: tile_##R##_##V(p, kh, j0, co); break;
  switch (vectors * 8 + rows) { TILE_SHAPES(TILE_CASE) }
#undef TILE_CASE
}

/* The packed tile of `rows` rows and `vectors` vectors. */
static void run_packed(const float *panel, const float *dy, u32 npix, float *out, u32 cop, u32 rows, u32 vectors) {
#define PACKED_CASE(R, V) \
  case V * 8 + R: packed_##R##_##V(panel, dy, 4 * V, npix, out, cop); break;
  switch (vectors * 8 + rows) { TILE_SHAPES(PACKED_CASE) }
#undef PACKED_CASE
}

/* Gathers the x values of filter row kh, rows j0 .. j0 + pw - 1 of dw, for every pixel of the chunk into panel. */
static void pack(const Pass *p, u32 kh, u32 j0, u32 pw, float *panel) {
  u32 b = p->row0 / p->oh, oy = p->row0 - b * p->oh;
  for (u32 row = p->row0; row < p->row1; ++row) {
    const float *xr = p->x + b * p->x_image + oy * p->x_orow + kh * p->x_khrow;
    if (++oy == p->oh) {
      oy = 0;
      ++b;
    }
    if (p->kwdil == 1 && pw == PANEL) { /* the rows are consecutive floats of x */
      for (u32 ox = 0; ox < p->ow; ++ox, xr += p->x_opix, panel += PANEL) {
        wasm_v128_store(panel, wasm_v128_load(xr + j0));
        wasm_v128_store(panel + 4, wasm_v128_load(xr + j0 + 4));
        wasm_v128_store(panel + 8, wasm_v128_load(xr + j0 + 8));
      }
    } else {
      for (u32 ox = 0; ox < p->ow; ++ox, xr += p->x_opix, panel += PANEL) {
        u32 tap = j0 / p->ci, c = j0 - tap * p->ci;
        for (u32 r = 0; r < pw; ++r) {
          panel[r] = xr[tap * p->kwdil * p->ci + c];
          if (++c == p->ci) {
            c = 0;
            ++tap;
          }
        }
      }
    }
  }
}

/*
 * Whether to pack x into panels: with at least 32 output channels (padded to 4) to reuse each panel over, and at least
 * two panels' worth of dw rows per filter row (kw * ci >= 24). Measured under V8 (Node 20, x86-64): packing wins by 20-90%
 * on ResNet's shapes from 256 channels on (x's pixels 1-4 KB apart thrash the L1 cache unpacked), ties from 32
 * channels, and loses 25-55% below either bound (LeNet's 6 and 16 output channels, a CIFAR stem's 3 input ones).
 */
static inline int use_packed(u32 cop, u32 j) { return cop >= 32u && j >= 2u * PANEL; }

/* Output rows per chunk where x is packed: the chunk's dy within CHUNK_BYTES, its panel within PANEL_PIXELS. */
static u32 packed_chunk_rows(u32 ow, u32 cop) {
  u32 rows = CHUNK_BYTES / (4u * ow * cop), most = PANEL_PIXELS / ow;
  if (rows > most) rows = most;
  return rows ? rows : 1;
}

/* Floats rounded up to whole 64-byte lines. */
static inline u32 round16(u32 floats) { return (floats + 15u) & ~15u; }

/* Whether x must be copied with zero padding: the convolution reads outside it. */
static int needs_padding(i32 h, i32 w, i32 oh, i32 ow, i32 kh, i32 kw, i32 sh, i32 sw, i32 dh, i32 dw, i32 pt, i32 pl) {
  i32 hp = (oh - 1) * sh + (kh - 1) * dh + 1, wp = (ow - 1) * sw + (kw - 1) * dw + 1;
  return pt > 0 || pl > 0 || hp - pt > h || wp - pl > w;
}

/** Floats of scratch memory cnn_conv2d_filter_grad needs for these arguments. */
__attribute__((export_name("cnn_conv2d_filter_grad_scratch_floats"))) u32 cnn_conv2d_filter_grad_scratch_floats(
    u32 n, i32 h, i32 w, u32 ci, i32 oh, i32 ow, u32 co, i32 kh, i32 kw, i32 sh, i32 sw, i32 dh, i32 dw, i32 pt,
    i32 pl) {
  u32 cop = (co + 3u) & ~3u;
  u32 floats = 16u + PASS_FLOATS + round16(n * (u32)(oh * ow) * cop); /* alignment, parameters, dy */
  if (needs_padding(h, w, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl)) {
    u32 hp = (u32)((oh - 1) * sh + (kh - 1) * dh + 1), wp = (u32)((ow - 1) * sw + (kw - 1) * dw + 1);
    floats += round16(n * hp * wp * ci);
  }
  if (cop != co) floats += round16((u32)(kh * kw) * ci * cop);
  if (use_packed(cop, (u32)kw * ci)) floats += round16(packed_chunk_rows((u32)ow, cop) * (u32)ow * PANEL);
  return floats;
}

/**
 * dw [kh, kw, ci, co] = the filter gradient (see the file comment) of x [n, h, w, ci] and dy [n, oh, ow, co], with
 * strides sh, sw, dilations dh, dw and padding pt (top), pl (left); pt, pl >= 0. scratch: at least
 * cnn_conv2d_filter_grad_scratch_floats(...) floats, 4-byte aligned.
 */
__attribute__((export_name("cnn_conv2d_filter_grad"))) void cnn_conv2d_filter_grad(
    const float *x, const float *dy, float *dwout, float *scratch, u32 n, i32 h, i32 w, u32 ci, i32 oh, i32 ow,
    u32 co, i32 kh, i32 kw, i32 sh, i32 sw, i32 dh, i32 dw, i32 pt, i32 pl) {
  float *s = (float *)(((size_t)scratch + 63u) & ~(size_t)63u);
  /* The pass's parameters live in scratch: the compiled tiles are separate functions, and there is no stack. */
  Pass *pp = (Pass *)s;
  s += PASS_FLOATS;
  pp->x = x;
  size_t row = (size_t)w * ci;
  pp->x_image = (size_t)h * row;
  if (needs_padding(h, w, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl)) {
    i32 hp = (oh - 1) * sh + (kh - 1) * dh + 1, wp = (ow - 1) * sw + (kw - 1) * dw + 1;
    /* Columns of a padded row that come from x: [c0, c1). */
    i32 c0 = pl < wp ? pl : wp, c1 = pl + w < wp ? pl + w : wp;
    for (u32 b = 0; b < n; ++b) {
      for (i32 py = 0; py < hp; ++py) {
        float *out = s + ((size_t)b * hp + py) * wp * ci;
        i32 iy = py - pt;
        if (iy < 0 || iy >= h) {
          for (size_t i = 0; i < (size_t)wp * ci; ++i) out[i] = 0.0f;
          continue;
        }
        const float *in = x + ((size_t)b * h + iy) * row + (size_t)(c0 - pl) * ci;
        size_t i = 0, a = (size_t)c0 * ci, e = (size_t)c1 * ci, end = (size_t)wp * ci;
        for (; i < a; ++i) out[i] = 0.0f;
        for (; i < e; ++i) out[i] = in[i - a];
        for (; i < end; ++i) out[i] = 0.0f;
      }
    }
    pp->x = s;
    row = (size_t)wp * ci;
    pp->x_image = (size_t)hp * row;
    s += round16(n * (u32)(hp * wp) * ci);
  }
  u32 cop = (co + 3u) & ~3u, pixels = n * (u32)(oh * ow), taps = (u32)(kh * kw) * ci;
  /* dy in blocks of 16 channels: block c0 holds channels c0 .. c0 + width - 1 of every pixel at s + pixels * c0. */
  float *dyb = s;
  for (u32 c0 = 0; c0 < cop; c0 += 16) {
    u32 width = cop - c0 < 16 ? cop - c0 : 16, real = co - c0 < width ? co - c0 : width;
    float *block = dyb + (size_t)pixels * c0;
    const float *in = dy + c0;
    if (real == 16) {
      for (u32 q = 0; q < pixels; ++q, block += 16, in += co) {
        wasm_v128_store(block, wasm_v128_load(in));
        wasm_v128_store(block + 4, wasm_v128_load(in + 4));
        wasm_v128_store(block + 8, wasm_v128_load(in + 8));
        wasm_v128_store(block + 12, wasm_v128_load(in + 12));
      }
    } else {
      for (u32 q = 0; q < pixels; ++q, block += width, in += co) {
        u32 c = 0;
        for (; c < real; ++c) block[c] = in[c];
        for (; c < width; ++c) block[c] = 0.0f;
      }
    }
  }
  s += round16(pixels * cop);
  pp->dw = cop != co ? s : dwout;
  for (size_t i = 0; i < (size_t)taps * cop; ++i) pp->dw[i] = 0.0f;
  pp->x_orow = (size_t)sh * row;
  pp->x_khrow = (size_t)dh * row;
  pp->ci = ci;
  pp->cop = cop;
  pp->oh = (u32)oh;
  pp->ow = (u32)ow;
  pp->x_opix = (u32)sw * ci;
  pp->kwdil = (u32)dw;
  pp->j = (u32)kw * ci;
  u32 rows = n * (u32)oh;
  if (use_packed(cop, pp->j)) {
    /* Per chunk and filter row, x packed into panels of PANEL rows, each reused by every block of output channels. */
    float *panel = s + round16((u32)(taps * cop) * (cop != co));
    u32 chunk = packed_chunk_rows((u32)ow, cop);
    for (u32 r0 = 0; r0 < rows; r0 += chunk) {
      pp->row0 = r0;
      pp->row1 = r0 + chunk < rows ? r0 + chunk : rows;
      u32 npix = (pp->row1 - r0) * (u32)ow;
      for (u32 k = 0; k < (u32)kh; ++k) {
        for (u32 j0 = 0; j0 < pp->j; j0 += PANEL) {
          u32 pw = pp->j - j0 < PANEL ? pp->j - j0 : PANEL;
          pack(pp, k, j0, pw, panel);
          for (u32 c = 0; c < cop; c += 16) {
            u32 vectors = (cop - c) / 4 < 4 ? (cop - c) / 4 : 4, most = rows_for(vectors);
            const float *dyc = dyb + (size_t)pixels * c + (size_t)r0 * (u32)ow * 4 * vectors;
            float *out = pp->dw + ((size_t)k * pp->j + j0) * cop + c;
            for (u32 jr = 0; jr < pw; jr += most) {
              run_packed(panel + jr, dyc, npix, out + (size_t)jr * cop, cop, pw - jr < most ? pw - jr : most, vectors);
            }
          }
        }
      }
    }
  } else {
    /* Chunks of output rows: each row brings ow * cop floats of dy and about sh rows of x. */
    u32 row_bytes = 4u * ((u32)ow * cop + (u32)sh * (u32)row);
    u32 chunk = CHUNK_BYTES / (row_bytes ? row_bytes : 1);
    if (chunk < 1) chunk = 1;
    for (u32 r0 = 0; r0 < rows; r0 += chunk) {
      pp->row0 = r0;
      pp->row1 = r0 + chunk < rows ? r0 + chunk : rows;
      for (u32 k = 0; k < (u32)kh; ++k) {
        for (u32 c = 0; c < cop; c += 16) {
          u32 vectors = (cop - c) / 4 < 4 ? (cop - c) / 4 : 4, most = rows_for(vectors);
          pp->dy = dyb + (size_t)pixels * c;
          pp->dy_stride = 4 * vectors;
          for (u32 j0 = 0; j0 < pp->j; j0 += most) run_tile(pp, k, j0, c, pp->j - j0 < most ? pp->j - j0 : most, vectors);
        }
      }
    }
  }
  if (cop != co) {
    for (u32 t = 0; t < taps; ++t)
      for (u32 c = 0; c < co; ++c) dwout[(size_t)t * co + c] = pp->dw[(size_t)t * cop + c];
  }
}
