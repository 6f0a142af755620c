#include "nn/kernels/fp64_gemm.h"

#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "nn/kernels/direct_conv.h"
#include "nn/kernels/scratch.h"

namespace pg::nn::kernels {

void im2col(const ConvGeometry& g, int group, const double* src, size_t plane_stride, size_t planes,
            double* cols) {
  const int cin = g.in_c / g.groups, oh = g.out_h(), ow = g.out_w();
  const size_t pix = size_t(oh) * ow, ncols = pix * planes;
  double* out = cols;
  for (int c = 0; c < cin; ++c) {
    const size_t chan = size_t(group * cin + c) * g.in_h * g.in_w;
    for (int dy = 0; dy < g.kh; ++dy) {
      for (int dx = 0; dx < g.kw; ++dx, out += ncols) {
        // Output columns ox in [x0, x1) read an input pixel; the others are padding.
        const int x0 = std::clamp((g.pad_left - dx + g.stride_w - 1) / g.stride_w, 0, ow);
        const int x1 = std::clamp((g.in_w + g.pad_left - dx + g.stride_w - 1) / g.stride_w, x0, ow);
        for (size_t p = 0; p < planes; ++p) {
          const double* plane = src + p * plane_stride + chan;
          for (int oy = 0; oy < oh; ++oy) {
            double* o = out + p * pix + size_t(oy) * ow;
            const int iy = oy * g.stride_h - g.pad_top + dy;
            if (iy < 0 || iy >= g.in_h) {
              std::fill(o, o + ow, 0.0);
              continue;
            }
            // Input column of output column ox: ox * stride_w + first (≥ 0 for ox ≥ x0).
            const ptrdiff_t first = ptrdiff_t(iy) * g.in_w + dx - g.pad_left;
            std::fill(o, o + x0, 0.0);
            for (int ox = x0; ox < x1; ++ox) o[ox] = plane[first + ptrdiff_t(ox) * g.stride_w];
            std::fill(o + x1, o + ow, 0.0);
          }
        }
      }
    }
  }
}

void exact_dgemm(const double* a, size_t m, size_t k, const double* d, size_t n,
                 const DigitPlan& plan, uint64_t* out, size_t out_stride, double* tmp) {
  const size_t planes = plan.size(), cols = planes * n;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(m), int(cols), int(k), 1.0, a, int(k),
              d, int(cols), 0.0, tmp, int(cols));
  // Every entry of tmp is an exact integer of magnitude ≤ 2^53 (digit_plan.h).
  for (size_t r = 0; r < m; ++r) {
    uint64_t* dst = out + r * out_stride;
    const double* row = tmp + r * cols;
    for (size_t i = 0; i < n; ++i) dst[i] = uint64_t(static_cast<int64_t>(row[i]));
    for (size_t j = 1; j < planes; ++j) {
      const int o = plan.planes[j].offset;
      const double* pr = row + j * n;
      for (size_t i = 0; i < n; ++i) dst[i] += uint64_t(static_cast<int64_t>(pr[i])) << o;
    }
  }
}

void use_pool_threads_for_blas(const core::ThreadPool& pool) {
  const int want = int(pool.size());
  if (openblas_get_num_threads() != want) openblas_set_num_threads(want);
}

void conv2d_double(const ConvGeometry& g, std::span<const double> weights,
                   std::span<const double> x, std::span<double> y) {
  g.validate();
  if (weights.size() != g.weight_count() || x.size() != g.in_size() || y.size() != g.out_size()) {
    throw std::invalid_argument("conv2d_double: sizes do not match the geometry");
  }
  const size_t cout = g.out_c / g.groups, k = g.taps(), pix = size_t(g.out_h()) * g.out_w();
  const bool identity = g.kh == 1 && g.kw == 1 && g.stride_h == 1 && g.stride_w == 1 &&
                        g.pad_top + g.pad_left + g.pad_bottom + g.pad_right == 0;
  auto& cols = scratch<double, kScratchDoubles>(identity ? 0 : k * pix);
  for (int grp = 0; grp < g.groups; ++grp) {
    const double* b = x.data() + size_t(grp) * k * pix;  // a 1x1 conv's im2col is its input
    if (!identity) {
      im2col(g, grp, x.data(), 0, 1, cols.data());
      b = cols.data();
    }
    if (pix == 1) {  // a dense layer: the matrix-vector product is OpenBLAS's faster path
      cblas_dgemv(CblasRowMajor, CblasNoTrans, int(cout), int(k), 1.0,
                  weights.data() + grp * cout * k, int(k), b, 1, 0.0, y.data() + grp * cout, 1);
      continue;
    }
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(cout), int(pix), int(k), 1.0,
                weights.data() + grp * cout * k, int(k), b, int(pix), 0.0,
                y.data() + grp * cout * pix, int(pix));
  }
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
