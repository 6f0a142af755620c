// Exact ring convolution on the INT16 engine (int16_gemm.h), as an implicit GEMM: no im2col.
//
// The digit planes of x are laid out once per call as channel-pair words (int32 = the int16
// digits of channels 2p and 2p+1), zero-padded, and split into stride phases: phase (py, px) of
// the padded image holds the pixels (qy·s_h + py, qx·s_w + px). Then tap (dy, dx) of output pixel
// (oy, ox) sits at (oy + dy/s_h, ox + dx/s_w) of phase (dy mod s_h, dx mod s_w), so 8 consecutive
// output pixels of a row read 8 consecutive words for every stride, and the GEMM's k-pair
// (channel pair, dy, dx) is a fixed offset into that buffer. Dense layers (1x1 image, 1x1
// kernel) use the matrix-vector kernel instead.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/thread_pool.h"
#include "nn/kernels/conv_geometry.h"
#include "nn/kernels/digit_plan.h"
#include "nn/kernels/int16_gemm.h"

namespace pg::nn::kernels {

class Int16Conv {
 public:
  // weights: [out_c][in_c/groups][kh][kw]; bound: the public weight bound (checked).
  Int16Conv(const ConvGeometry& g, std::span<const int64_t> weights, const WeightBound& bound);

  // The digit plan for a ring of ell bits (throws std::invalid_argument if impossible).
  DigitPlan plan(int ell) const;
  static bool possible(const ConvGeometry& g, const WeightBound& bound, int ell);
  int weight_planes() const { return groups_.front().planes(); }

  // y = W x mod 2^ell.
  void apply(std::span<const uint64_t> x, int ell, std::span<uint64_t> y,
             core::ThreadPool& pool) const;

 private:
  void fill_planes(const uint64_t* x, const DigitPlan& plan, int32_t* buf,
                   core::ThreadPool& pool) const;
  void apply_dense(const uint64_t* x, const DigitPlan& plan, uint64_t* y,
                   core::ThreadPool& pool) const;

  ConvGeometry g_;
  int l1_bits_ = 0;  // the bound used for exact planes (per weight plane)
  bool dense_ = false;
  int cin_ = 0, cout_ = 0, cpairs_ = 0, phases_h_ = 1, phases_w_ = 1, hq_ = 0, wq_ = 0;
  size_t group_words_ = 0, plane_words_ = 0;
  std::vector<Int16Weights> groups_;
  std::vector<uint32_t> kpair_offset_;
  std::vector<ColumnVector> vectors_;
};

// The l1 bound the INT16 engine must assume per weight plane: the layer's own bound when the
// weights fit in one int16 plane, else that of balanced 16-bit digits (≤ 2^15 each).
int int16_l1_bits(const WeightBound& bound, size_t taps);

}  // namespace pg::nn::kernels
