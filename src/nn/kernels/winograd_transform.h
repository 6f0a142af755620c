// The integer Winograd transforms of winograd.h, with compile-time matrices so that every
// multiplication by a constant folds into shifts and adds, all mod 2^64 (uint64 wrap-around).
// Tile<2> is F(2x2,3x3), Tile<4> is F(4x4,3x3). Internal to the kernels.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace pg::nn::kernels::winograd {

template <int M>
struct Tile;

template <>
struct Tile<2> {
  static constexpr int m = 2, n = 4;
  static constexpr int bt[4][4] = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
  // G' = D G with D = diag(1, 2, 2, 1).
  static constexpr int gp[4][3] = {{1, 0, 0}, {1, 1, 1}, {1, -1, 1}, {0, 0, 1}};
  // Ã^T = 2 A^T D^{-1}; s² = 4 = 2^2 · 1.
  static constexpr int at[2][4] = {{2, 1, 1, 0}, {0, 1, -1, -2}};
  static constexpr int shift = 2;
  static constexpr uint64_t odd = 1;
  // |U'| ≤ 9 max|g|; ‖U'_m‖₁ ≤ ‖W_m‖₁ (G' entries in {0, ±1}).
  static constexpr uint64_t abs_growth = 9, l1_growth = 1;
};

template <>
struct Tile<4> {
  static constexpr int m = 4, n = 6;
  static constexpr int bt[6][6] = {{4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
                                   {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
  // G' = D G with D = diag(4, 6, 6, 24, 24, 1).
  static constexpr int gp[6][3] = {{1, 0, 0}, {-1, -1, -1}, {-1, 1, -1},
                                   {1, 2, 4}, {1, -2, 4},   {0, 0, 1}};
  // Ã^T = 24 A^T D^{-1}; s² = 576 = 2^6 · 9.
  static constexpr int at[4][6] = {
      {6, 4, 4, 1, 1, 0}, {0, 4, -4, 2, -2, 0}, {0, 4, 4, 4, 4, 0}, {0, 4, -4, 8, -8, 24}};
  static constexpr int shift = 6;
  static constexpr uint64_t odd = 9;
  // |U'| ≤ 49 max|g| (row L1 of G' ≤ 7); ‖U'_m‖₁ ≤ 16 ‖W_m‖₁ (|G'| ≤ 4).
  static constexpr uint64_t abs_growth = 49, l1_growth = 16;
};

// Scratch words input_channel needs.
template <class S>
size_t input_work_words(int tiles_h, int tiles_w) {
  const size_t hb = size_t(tiles_h) * S::m + 2, wb = size_t(tiles_w) * S::m + 2;
  return hb * wb + hb * S::n * tiles_w;
}

// v[p][t] = (B^T d_t B)[p] for every tile t = ty · tiles_w + tx of one channel (p = a · n + b,
// a the row index): a zero-padded copy of the channel, the 1-D transform of each of its rows at
// every tile column, then the 1-D transform down the columns, vectorised over tile columns.
template <class S>
void input_channel(const uint64_t* xc, int in_h, int in_w, int pad_top, int pad_left, int tiles_h,
                   int tiles_w, uint64_t* work, uint64_t* v) {
  constexpr int m = S::m, n = S::n;
  const int hb = tiles_h * m + 2, wb = tiles_w * m + 2, tw = tiles_w;
  const size_t tiles = size_t(tiles_h) * tiles_w;
  uint64_t* pad = work;
  uint64_t* rows = work + size_t(hb) * wb;  // [row][b][tile column]
  for (int r = 0; r < hb; ++r) {
    const int iy = r - pad_top;
    uint64_t* dst = pad + size_t(r) * wb;
    std::fill(dst, dst + wb, 0);
    if (iy < 0 || iy >= in_h) continue;
    const int lo = std::max(0, pad_left), hi = std::min(wb, pad_left + in_w);
    for (int c = lo; c < hi; ++c) dst[c] = xc[size_t(iy) * in_w + c - pad_left];
  }
  for (int r = 0; r < hb; ++r) {
    uint64_t* out = rows + size_t(r) * n * tw;
    for (int tx = 0; tx < tw; ++tx) {
      const uint64_t* in = pad + size_t(r) * wb + size_t(tx) * m;
#pragma GCC unroll 8
      for (int b = 0; b < n; ++b) {
        uint64_t acc = 0;
#pragma GCC unroll 8
        for (int j = 0; j < n; ++j) acc += uint64_t(int64_t(S::bt[b][j])) * in[j];
        out[size_t(b) * tw + tx] = acc;
      }
    }
  }
  for (int ty = 0; ty < tiles_h; ++ty) {
    const uint64_t* base = rows + size_t(ty) * m * n * tw;
#pragma GCC unroll 8
    for (int a = 0; a < n; ++a) {
      for (int b = 0; b < n; ++b) {
        uint64_t* dst = v + size_t(a * n + b) * tiles + size_t(ty) * tw;
        const uint64_t* src = base + size_t(b) * tw;
        for (int tx = 0; tx < tw; ++tx) {
          uint64_t acc = 0;
#pragma GCC unroll 8
          for (int i = 0; i < n; ++i)
            acc += uint64_t(int64_t(S::bt[a][i])) * src[size_t(i) * n * tw + tx];
          dst[tx] = acc;
        }
      }
    }
  }
}

// z[q][t] = (Ã^T M_t Ã)[q] (q = a · m + b) for every tile t, where position p of M starts at
// in + p · in_stride (tiles contiguous). work holds n · m · tiles words.
template <class S>
void output_channel(const uint64_t* in, size_t in_stride, size_t tiles, uint64_t* work,
                    uint64_t* z) {
  constexpr int m = S::m, n = S::n;
  for (int i = 0; i < n; ++i) {
#pragma GCC unroll 8
    for (int b = 0; b < m; ++b) {
      uint64_t* dst = work + size_t(i * m + b) * tiles;
      const uint64_t* src = in + size_t(i) * n * in_stride;
      for (size_t t = 0; t < tiles; ++t) {
        uint64_t acc = 0;
#pragma GCC unroll 8
        for (int j = 0; j < n; ++j) acc += uint64_t(int64_t(S::at[b][j])) * src[j * in_stride + t];
        dst[t] = acc;
      }
    }
  }
#pragma GCC unroll 8
  for (int a = 0; a < m; ++a) {
    for (int b = 0; b < m; ++b) {
      uint64_t* dst = z + size_t(a * m + b) * tiles;
      for (size_t t = 0; t < tiles; ++t) {
        uint64_t acc = 0;
#pragma GCC unroll 8
        for (int i = 0; i < n; ++i)
          acc += uint64_t(int64_t(S::at[a][i])) * work[size_t(i * m + b) * tiles + t];
        dst[t] = acc;
      }
    }
  }
}

}  // namespace pg::nn::kernels::winograd
