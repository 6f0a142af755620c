#include "nn/kernels/fp64_conv.h"

#include <stdexcept>

#include "nn/kernels/fp64_gemm.h"
#include "nn/kernels/scratch.h"

namespace pg::nn::kernels {

Fp64Conv::Fp64Conv(const ConvGeometry& g, std::span<const int64_t> weights,
                   const WeightBound& bound)
    : g_(g), l1_bits_(bound.row_l1_bits), w_(weights.begin(), weights.end()) {
  g_.validate();
  if (weights.size() != g_.weight_count()) {
    throw std::invalid_argument("Fp64Conv: weight count does not match the geometry");
  }
  bound.check(weights, g_.out_c, g_.taps(), "Fp64Conv");
  if (!possible(bound)) {
    throw std::invalid_argument("Fp64Conv: row L1 bound too large for an exact double GEMM");
  }
}

void Fp64Conv::apply(std::span<const uint64_t> x, int ell, std::span<uint64_t> y,
                     core::ThreadPool& pool) const {
  if (x.size() != g_.in_size() || y.size() != g_.out_size()) {
    throw std::invalid_argument("Fp64Conv: input or output size does not match the geometry");
  }
  const DigitPlan p = plan(ell);
  const size_t n = x.size(), pix = size_t(g_.out_h()) * g_.out_w();
  const size_t cout = g_.out_c / g_.groups, k = g_.taps();
  auto& digits = scratch<double, kScratchDoubles>(p.size() * n);
  split_digits(x.data(), n, p, digits.data(), n);
  auto& cols = scratch<double, kScratchDoubles2>(k * pix * p.size() + cout * pix * p.size());
  use_pool_threads_for_blas(pool);
  for (int grp = 0; grp < g_.groups; ++grp) {
    im2col(g_, grp, digits.data(), n, p.size(), cols.data());
    exact_dgemm(w_.data() + grp * cout * k, cout, k, cols.data(), pix, p,
                y.data() + grp * cout * pix, pix, cols.data() + k * pix * p.size());
  }
  const uint64_t mask = ring_mask(ell);
  for (auto& v : y) v &= mask;
}

}  // namespace pg::nn::kernels
