// Exact ring convolution on FP64 digit planes: balanced digits of x (digit_plan.h), im2col of
// all planes at once, one OpenBLAS dgemm, and an exact uint64 recombination. Exact because every
// partial sum of a plane is an integer below 2^53 in magnitude, whatever order dgemm sums in.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/thread_pool.h"
#include "nn/kernels/conv_geometry.h"
#include "nn/kernels/digit_plan.h"

namespace pg::nn::kernels {

class Fp64Conv {
 public:
  // weights: [out_c][in_c/groups][kh][kw]; bound: the public weight bound (checked).
  Fp64Conv(const ConvGeometry& g, std::span<const int64_t> weights, const WeightBound& bound);

  DigitPlan plan(int ell) const { return fp64_plan(ell, l1_bits_); }
  static bool possible(const WeightBound& bound) { return 54 - bound.row_l1_bits >= 2; }

  // y = W x mod 2^ell; OpenBLAS runs on as many threads as the pool has.
  void apply(std::span<const uint64_t> x, int ell, std::span<uint64_t> y,
             core::ThreadPool& pool) const;

 private:
  ConvGeometry g_;
  int l1_bits_ = 0;
  std::vector<double> w_;
};

}  // namespace pg::nn::kernels
