// Test helpers for the online kernels: an independent oracle (explicitly padded input, 128-bit
// accumulation), random weights and shares with the ring's edge values, and shape printing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/prg.h"
#include "nn/kernels/conv_geometry.h"

namespace pg::nn::kernels::testing {

__extension__ typedef unsigned __int128 U128;
__extension__ typedef __int128 I128;

inline uint64_t mask_of(int ell) {
  return ell == 64 ? ~uint64_t{0} : (uint64_t{1} << ell) - 1;
}

// y = W x mod 2^ell, computed on a zero-padded copy of x with 128-bit sums of signed products.
inline std::vector<uint64_t> reference_conv(const ConvGeometry& g, const std::vector<int64_t>& w,
                                            const std::vector<uint64_t>& x, int ell) {
  const int hp = g.in_h + g.pad_top + g.pad_bottom, wp = g.in_w + g.pad_left + g.pad_right;
  std::vector<U128> padded(size_t(g.in_c) * hp * wp, 0);
  for (int c = 0; c < g.in_c; ++c) {
    for (int i = 0; i < g.in_h; ++i) {
      for (int j = 0; j < g.in_w; ++j) {
        padded[(size_t(c) * hp + i + g.pad_top) * wp + j + g.pad_left] =
            x[(size_t(c) * g.in_h + i) * g.in_w + j] & mask_of(ell);
      }
    }
  }
  const int cin = g.in_c / g.groups, cout = g.out_c / g.groups, oh = g.out_h(), ow = g.out_w();
  std::vector<uint64_t> y(g.out_size());
  for (int m = 0; m < g.out_c; ++m) {
    for (int oy = 0; oy < oh; ++oy) {
      for (int ox = 0; ox < ow; ++ox) {
        U128 acc = 0;
        for (int c = 0; c < cin; ++c) {
          const int ch = (m / cout) * cin + c;
          for (int dy = 0; dy < g.kh; ++dy) {
            for (int dx = 0; dx < g.kw; ++dx) {
              const int64_t wv = w[((size_t(m) * cin + c) * g.kh + dy) * g.kw + dx];
              const U128 xv =
                  padded[(size_t(ch) * hp + oy * g.stride_h + dy) * wp + ox * g.stride_w + dx];
              acc += U128(I128(wv)) * xv;
            }
          }
        }
        y[(size_t(m) * oh + oy) * ow + ox] = uint64_t(acc) & mask_of(ell);
      }
    }
  }
  return y;
}

// Uniform weights in [-2^bits + 1, 2^bits - 1], i.e. |w| < 2^bits.
inline std::vector<int64_t> random_weights(core::Prg& prg, size_t n, int bits) {
  std::vector<int64_t> w(n);
  const uint64_t range = (uint64_t{1} << bits) - 1;
  for (auto& v : w) v = int64_t(prg.uniform_below(2 * range + 1)) - int64_t(range);
  return w;
}

// Shares: mostly uniform 64-bit words (only the low ell bits matter), with the ring's edge
// values 0, 1, 2^{ℓ-1}-1, 2^{ℓ-1} (= -2^{ℓ-1}), 2^ℓ-1 mixed in.
inline std::vector<uint64_t> random_shares(core::Prg& prg, size_t n, int ell) {
  const uint64_t m = mask_of(ell), half = uint64_t{1} << (ell - 1);
  const uint64_t edges[] = {0, 1, half - 1, half, m};
  std::vector<uint64_t> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = (i % 7 == 3) ? edges[(i / 7) % 5] : prg.next_u64();
  return x;
}

inline std::string describe(const ConvGeometry& g) {
  return "c=" + std::to_string(g.in_c) + " " + std::to_string(g.in_h) + "x" +
         std::to_string(g.in_w) + " m=" + std::to_string(g.out_c) + " k=" + std::to_string(g.kh) +
         "x" + std::to_string(g.kw) + " s=" + std::to_string(g.stride_h) + "," +
         std::to_string(g.stride_w) + " p=" + std::to_string(g.pad_top) + "," +
         std::to_string(g.pad_left) + "," + std::to_string(g.pad_bottom) + "," +
         std::to_string(g.pad_right) + " groups=" + std::to_string(g.groups);
}

}  // namespace pg::nn::kernels::testing
