#include "nn/kernels/ring_conv.h"

#include <cblas.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>

namespace pg::nn::kernels {
namespace {

uint64_t ring_mask(int ell) {
  return ell >= 64 ? ~uint64_t{0} : (uint64_t{1} << ell) - 1;
}

// im2col of `planes` stacked input planes for one group: rows = (c, dy, dx) over the group's
// input channels, columns = plane-major then output pixel. src[p] is plane p, [C][H][W].
void im2col(const ConvGeometry& g, int group, const std::vector<const double*>& src,
            std::vector<double>& cols) {
  const int cin = g.in_c / g.groups, oh = g.out_h(), ow = g.out_w();
  const size_t pix = size_t(oh) * ow, ncols = pix * src.size();
  cols.assign(size_t(cin) * g.kh * g.kw * ncols, 0.0);
  size_t row = 0;
  for (int c = 0; c < cin; ++c) {
    const size_t chan = size_t(group * cin + c) * g.in_h * g.in_w;
    for (int dy = 0; dy < g.kh; ++dy) {
      for (int dx = 0; dx < g.kw; ++dx, ++row) {
        double* out = cols.data() + row * ncols;
        for (size_t p = 0; p < src.size(); ++p) {
          const double* plane = src[p] + chan;
          for (int oy = 0; oy < oh; ++oy) {
            const int iy = oy * g.stride_h - g.pad_top + dy;
            double* o = out + p * pix + size_t(oy) * ow;
            if (iy < 0 || iy >= g.in_h) continue;  // stays zero: padding
            const double* in_row = plane + size_t(iy) * g.in_w;
            for (int ox = 0; ox < ow; ++ox) {
              const int ix = ox * g.stride_w - g.pad_left + dx;
              if (ix >= 0 && ix < g.in_w) o[ox] = in_row[ix];
            }
          }
        }
      }
    }
  }
}

// Y[group rows] = W_group · cols, for each group in turn.
void grouped_gemm(const ConvGeometry& g, const double* w, const std::vector<const double*>& src,
                  double* y) {
  const int cout = g.out_c / g.groups;
  const int k = static_cast<int>(g.taps());
  const size_t pix = size_t(g.out_h()) * g.out_w();
  const int n = static_cast<int>(pix * src.size());
  std::vector<double> cols;
  for (int grp = 0; grp < g.groups; ++grp) {
    im2col(g, grp, src, cols);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, cout, n, k, 1.0,
                w + size_t(grp) * cout * k, k, cols.data(), n, 0.0, y + size_t(grp) * cout * n, n);
  }
}

// The naive direct convolution, y = W x, accumulating in T (wrap-around for uint64_t).
template <typename T, typename W>
void direct_conv(const ConvGeometry& g, const W* w, const T* x, T* y) {
  const int cin = g.in_c / g.groups, cout = g.out_c / g.groups, oh = g.out_h(), ow = g.out_w();
  for (int m = 0; m < g.out_c; ++m) {
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

}  // namespace

RingConv::RingConv(const ConvGeometry& geometry, std::span<const int64_t> weights)
    : g_(geometry), w_int_(weights.begin(), weights.end()) {
  g_.validate();
  if (weights.size() != g_.weight_count()) {
    throw std::invalid_argument("RingConv: expected " + std::to_string(g_.weight_count()) +
                                " weights, got " + std::to_string(weights.size()));
  }
  uint64_t max_abs = 1;
  for (int64_t w : w_int_) {
    const uint64_t a = w < 0 ? uint64_t(0) - uint64_t(w) : uint64_t(w);
    max_abs = std::max(max_abs, a);
  }
  if (max_abs >= (uint64_t{1} << 40)) {
    throw std::invalid_argument(
        "RingConv: a weight of magnitude >= 2^40 cannot be exact in a "
        "double GEMM");
  }
  // Largest b with taps · max|W| · 2^{b-1} ≤ 2^53 (see the header), capped at 52.
  const double headroom = 53.0 - std::log2(double(g_.taps())) - std::log2(double(max_abs));
  digit_bits_ = std::min(52, 1 + static_cast<int>(std::floor(headroom)));
  if (digit_bits_ < 2) throw std::invalid_argument("RingConv: layer too large for exact GEMM");
  w_dbl_.assign(w_int_.begin(), w_int_.end());
}

void RingConv::apply(std::span<const uint64_t> x, int ell, std::span<uint64_t> y,
                     RingMethod method) const {
  if (ell < 1 || ell > 64) throw std::invalid_argument("RingConv: ell must be in [1, 64]");
  if (x.size() != g_.in_size() || y.size() != g_.out_size()) {
    throw std::invalid_argument("RingConv: input or output size does not match the geometry");
  }
  if (method == RingMethod::kDirect) {
    apply_direct(x, ell, y);
  } else {
    apply_gemm(x, ell, y);
  }
}

void RingConv::apply_gemm(std::span<const uint64_t> x, int ell, std::span<uint64_t> y) const {
  const int planes = digit_planes(ell), b = digit_bits_;
  const size_t n = x.size();
  const uint64_t mask = ring_mask(ell), dmask = (uint64_t{1} << b) - 1;
  // Balanced digits, branch-free: d = low b bits, minus 2^b (and a carry up) when d ≥ 2^{b-1}.
  std::vector<double> digits(size_t(planes) * n);
  for (size_t i = 0; i < n; ++i) {
    uint64_t v = x[i] & mask;
    for (int j = 0; j < planes; ++j) {
      const uint64_t d = v & dmask, carry = d >> (b - 1);
      digits[size_t(j) * n + i] = double(int64_t(d) - int64_t(carry << b));
      v = (v >> b) + carry;
    }
  }
  std::vector<const double*> src(planes);
  for (int j = 0; j < planes; ++j) src[j] = digits.data() + size_t(j) * n;
  const size_t pix = size_t(g_.out_h()) * g_.out_w(), cout = g_.out_c / g_.groups;
  std::vector<double> out(size_t(g_.out_c) * pix * planes);
  grouped_gemm(g_, w_dbl_.data(), src, out.data());
  // out is [group][cout][plane][pix]; every entry is an exact integer of magnitude ≤ 2^53.
  for (int grp = 0; grp < g_.groups; ++grp) {
    for (size_t m = 0; m < cout; ++m) {
      const double* row = out.data() + (grp * cout + m) * pix * planes;
      uint64_t* dst = y.data() + (grp * cout + m) * pix;
      for (size_t p = 0; p < pix; ++p) {
        uint64_t acc = 0;
        for (int j = 0; j < planes; ++j) {
          acc += uint64_t(static_cast<int64_t>(row[size_t(j) * pix + p])) << (b * j);
        }
        dst[p] = acc & mask;
      }
    }
  }
}

void RingConv::apply_direct(std::span<const uint64_t> x, int ell, std::span<uint64_t> y) const {
  // uint64 arithmetic wraps mod 2^64, a multiple of 2^ell.
  direct_conv<uint64_t>(g_, w_int_.data(), x.data(), y.data());
  const uint64_t mask = ring_mask(ell);
  for (auto& v : y) v &= mask;
}

void conv2d_double(const ConvGeometry& g, std::span<const double> weights,
                   std::span<const double> x, std::span<double> y) {
  g.validate();
  if (weights.size() != g.weight_count() || x.size() != g.in_size() || y.size() != g.out_size()) {
    throw std::invalid_argument("conv2d_double: sizes do not match the geometry");
  }
  grouped_gemm(g, weights.data(), {x.data()}, y.data());
}

void conv2d_double_direct(const ConvGeometry& g, std::span<const double> weights,
                          std::span<const double> x, std::span<double> y) {
  g.validate();
  if (weights.size() != g.weight_count() || x.size() != g.in_size() || y.size() != g.out_size()) {
    throw std::invalid_argument("conv2d_double_direct: sizes do not match the geometry");
  }
  direct_conv<double>(g, weights.data(), x.data(), y.data());
}

void set_gemm_threads(int threads) {
  openblas_set_num_threads(std::max(1, threads));
}

}  // namespace pg::nn::kernels
