// The naive direct convolution y = W x, accumulating in T: the oracle (T = uint64_t wraps mod
// 2^64, a multiple of every ring 2^ℓ) and the "naive direct on shares" baseline.
#pragma once

#include <cstddef>

#include "nn/kernels/conv_geometry.h"

namespace pg::nn::kernels {

// Output channels [m_begin, m_end) only (all by default).
template <typename T, typename W>
void direct_conv(const ConvGeometry& g, const W* w, const T* x, T* y, int m_begin = 0,
                 int m_end = -1) {
  const int cin = g.in_c / g.groups, cout = g.out_c / g.groups, oh = g.out_h(), ow = g.out_w();
  if (m_end < 0) m_end = g.out_c;
  for (int m = m_begin; m < m_end; ++m) {
    const int grp = m / cout;
    for (int oy = 0; oy < oh; ++oy) {
      for (int ox = 0; ox < ow; ++ox) {
        T acc = 0;
        for (int c = 0; c < cin; ++c) {
          for (int dy = 0; dy < g.kh; ++dy) {
            const int iy = oy * g.stride_h - g.pad_top + dy;
            if (iy < 0 || iy >= g.in_h) continue;
            for (int dx = 0; dx < g.kw; ++dx) {
              const int ix = ox * g.stride_w - g.pad_left + dx;
              if (ix < 0 || ix >= g.in_w) continue;
              acc += T(w[((size_t(m) * cin + c) * g.kh + dy) * g.kw + dx]) *
                     x[(size_t(grp * cin + c) * g.in_h + iy) * g.in_w + ix];
            }
          }
        }
        y[(size_t(m) * oh + oy) * ow + ox] = acc;
      }
    }
  }
}

}  // namespace pg::nn::kernels
