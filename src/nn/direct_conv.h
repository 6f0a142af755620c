// The direct convolution shared by the two reference engines (double in reference.cpp, ring
// elements in fixed_point.cpp): for each (output channel, input channel, tap) the weight is a
// scalar and the tap's in-bounds rows and columns are accumulated. Written apart from the online
// kernels (nn/kernels), which it checks.
#pragma once

#include <algorithm>
#include <span>
#include <utility>

#include "nn/kernels/conv_geometry.h"

namespace pg::nn::detail {

// [lo, hi): the outputs o whose tap o·stride − pad + d falls inside [0, n).
inline std::pair<int, int> valid_range(int n, int out, int stride, int pad, int d) {
  auto ceil_div = [](int a, int b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); };
  auto floor_div = [](int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); };
  const int lo = std::max(0, ceil_div(pad - d, stride));
  const int hi = std::min(out, floor_div(n - 1 + pad - d, stride) + 1);
  return {lo, std::max(lo, hi)};
}

// y = W ⋆ x (y is overwritten). T is double or uint64_t (then every operation is mod 2^64);
// `weight(i)` converts weight i to T.
template <typename T, typename WeightFn>
void direct_conv(const kernels::ConvGeometry& g, WeightFn weight, std::span<const T> x,
                 std::span<T> y) {
  const int oh = g.out_h(), ow = g.out_w();
  const int cin = g.in_c / g.groups, cout = g.out_c / g.groups;
  std::fill(y.begin(), y.end(), T(0));
  for (int m = 0; m < g.out_c; ++m) {
    T* out = y.data() + size_t(m) * oh * ow;
    for (int c = 0; c < cin; ++c) {
      const T* in = x.data() + size_t((m / cout) * cin + c) * g.in_h * g.in_w;
      for (int dy = 0; dy < g.kh; ++dy) {
        const auto [y0, y1] = valid_range(g.in_h, oh, g.stride_h, g.pad_top, dy);
        for (int dx = 0; dx < g.kw; ++dx) {
          const T wv = weight(((size_t(m) * cin + c) * g.kh + dy) * g.kw + dx);
          if (wv == T(0)) continue;
          const auto [x0, x1] = valid_range(g.in_w, ow, g.stride_w, g.pad_left, dx);
          const int shift = dx - g.pad_left;
          for (int oy = y0; oy < y1; ++oy) {
            const T* row = in + size_t(oy * g.stride_h - g.pad_top + dy) * g.in_w;
            T* orow = out + size_t(oy) * ow;
            for (int ox = x0; ox < x1; ++ox) orow[ox] += wv * row[ox * g.stride_w + shift];
          }
        }
      }
    }
  }
}

}  // namespace pg::nn::detail
