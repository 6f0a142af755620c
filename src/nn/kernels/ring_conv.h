// The online stage's linear kernels (PROTOCOL.md §4 step 2): y = W · x mod 2^ℓ for a convolution
// or a dense layer, where x holds uniform ring shares in [0, 2^ℓ) and W holds the quantised
// integer weights. The result must be exact in every bit.
//
// Method (kIm2colGemm): write each share as balanced base-2^b digits, x = Σ_j 2^{bj} d_j with
// |d_j| ≤ 2^{b-1}, and run one double-precision GEMM (OpenBLAS dgemm, AVX2/FMA) of W against
// the im2col matrix of all digit planes at once. Every product and partial sum of a digit plane
// is an integer of magnitude ≤ taps · max|W| · 2^{b-1}; b is chosen so that this is ≤ 2^53, so
// every FMA is exact whatever order the GEMM sums in. Recombining Σ_j 2^{bj} Y_j in uint64
// arithmetic is exact mod 2^64, hence mod 2^ℓ. For MiniONN-sized layers (taps ≤ 4608,
// |W| < 2^16) and ℓ ≤ 44 that is two digit planes: twice the plain double GEMM's work.
//
// kDirect is the naive direct convolution in uint64 (wrap-around) arithmetic: the oracle and
// the baseline. conv2d_double is the plain floating-point kernel on real values, to measure
// what exactness costs.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "nn/kernels/conv_geometry.h"

namespace pg::nn::kernels {

enum class RingMethod { kAuto, kIm2colGemm, kDirect };

// Prepared weights of one layer: validated, and converted once to doubles for the GEMM.
class RingConv {
 public:
  // weights: [out_c][in_c/groups][kh][kw]. Throws std::invalid_argument on a size mismatch or
  // on weights too large for an exact GEMM (|w| ≥ 2^40).
  RingConv(const ConvGeometry& geometry, std::span<const int64_t> weights);

  const ConvGeometry& geometry() const { return g_; }
  // Bits per digit plane, and the number of planes for a ring of ell bits.
  int digit_bits() const { return digit_bits_; }
  int digit_planes(int ell) const { return (ell + digit_bits_ - 1) / digit_bits_; }

  // y = W x mod 2^ell (1 ≤ ell ≤ 64). x has in_size() elements, y out_size(); inputs need not
  // be reduced (only their low ell bits matter).
  void apply(std::span<const uint64_t> x, int ell, std::span<uint64_t> y,
             RingMethod method = RingMethod::kAuto) const;

 private:
  void apply_gemm(std::span<const uint64_t> x, int ell, std::span<uint64_t> y) const;
  void apply_direct(std::span<const uint64_t> x, int ell, std::span<uint64_t> y) const;

  ConvGeometry g_;
  std::vector<int64_t> w_int_;
  std::vector<double> w_dbl_;
  int digit_bits_ = 1;
};

// Plain double convolution (im2col + dgemm): y = W x on real values.
void conv2d_double(const ConvGeometry& g, std::span<const double> weights,
                   std::span<const double> x, std::span<double> y);

// Naive direct convolution in doubles (no im2col), the floor of what a simple kernel does.
void conv2d_double_direct(const ConvGeometry& g, std::span<const double> weights,
                          std::span<const double> x, std::span<double> y);

// Sets the number of threads OpenBLAS uses (1 for single-threaded measurements).
void set_gemm_threads(int threads);

}  // namespace pg::nn::kernels
