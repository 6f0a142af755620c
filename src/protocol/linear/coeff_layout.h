// Coefficient encoding of convolutions and dense layers (PROTOCOL.md §3, the required kernel):
// the input tensor is packed as polynomial coefficients, the kernel as a reversed polynomial,
// and one product in Z[X]/(X^N + 1) yields the outputs at known coefficients, with no rotation.
//
// Convolution (groups = 1). The padded input (Hp x Wp) is cut into tiles of Hb x Wb that
// overlap by the kernel's halo, and the channels into blocks of Cb, with Cb·Hb·Wb ≤ N.
//   input poly  (channel block, tile):  x[c][i][j]        at  c·Hb·Wb + i·Wb + j
//   kernel poly (output m, block):      w[m][c][dy][dx]   at  O − (c·Hb·Wb + dy·Wb + dx),
//                                       O = (Cb−1)·Hb·Wb + (kh−1)·Wb + (kw−1)
//   output (m, tile), stride 1:         y[i][j]           at  O + i·Wb + j,
//                                       i ≤ Hb − kh, j ≤ Wb − kw
// Why nothing else lands there: a product term x_a·w_b reaches a + b (or a + b − N, negated,
// when a + b ≥ N). Since a ≤ Cb·Hb·Wb − 1 ≤ N − 1 and b ≤ O, a wrapped term would need
// a + b = P + N ≥ O + N > a + b for an output position P ≥ O: impossible. An unwrapped term
// from channels c ≠ c' would need (c − c')·Hb·Wb to equal a row/column offset of magnitude at
// most Hb·Wb − 1: impossible; within one channel both offsets must vanish since the column
// offset is below Wb in magnitude. So position P holds exactly the convolution sum.
// Summing the products of all channel blocks gives the full convolution. Strides are computed
// at stride 1 and subsampled (only the needed coefficients are sent back).
//
// Depthwise (groups = C = M): Cb = 1, one product per (channel, tile).
//
// Dense in → out, with nc inputs and nr ≤ ⌊N/nc⌋ rows per block:
//   input poly (column block):       x[j]     at  j
//   kernel poly (row block, column): w[i][j]  at  i·nc + (nc − 1 − j)
//   output:                          y[i]     at  i·nc + nc − 1
// A wrapped term lands below nc − 1 and an unwrapped one with j ≠ j' is off by less than nc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "nn/he_cost.h"
#include "nn/kernels/conv_geometry.h"

namespace pg::protocol {

using nn::kernels::ConvGeometry;
// The tile shape; nn::choose_conv_tiling picks it with the cost model that the merge report's
// estimator uses, so the estimator's counts are this layout's counts.
using nn::ConvTiling;

// Where one output element of a block's product is found: coefficient `coeff` of output
// polynomial `poly`, holding element `index` of the output tensor.
struct OutputSlot {
  uint32_t poly;
  uint32_t coeff;
  uint32_t index;
};

class CoeffLayout {
 public:
  // Convolution (groups 1 or depthwise). Throws std::invalid_argument if the tiling does not
  // fit N or does not cover the kernel.
  static CoeffLayout conv(const ConvGeometry& g, ConvTiling t, size_t n);
  // Dense in → out with `nc` inputs per block.
  static CoeffLayout dense(int in, int out, int nc, size_t n);
  // The same with the cost model's choice (nn::choose_conv_tiling, nn::choose_dense_columns).
  static CoeffLayout conv(const ConvGeometry& g, size_t n) {
    return conv(g, nn::choose_conv_tiling(g, n), n);
  }
  static CoeffLayout dense(int in, int out, size_t n) {
    return dense(in, out, nn::choose_dense_columns(in, out, n), n);
  }

  size_t degree() const { return n_; }
  size_t input_polys() const { return in_polys_; }
  size_t output_polys() const { return out_polys_; }
  // Products: pairs (input poly, kernel poly) accumulated into each output poly.
  size_t products() const { return products_; }
  // The most kernel coefficients that one output poly's products hold in total: each multiplies
  // the noise of an input coefficient into every output coefficient (TermShape::noise_terms).
  // Convolutions: C/groups·kh·kw, the taps. Dense: nr·in, nr times the taps.
  size_t noise_terms() const;

  // Coefficients of input poly k from a tensor of ring elements (padding reads as zero).
  void pack_input(std::span<const uint64_t> x, size_t k, std::span<uint64_t> coeffs) const;
  // The input polys and kernel polys that output poly `o` accumulates: term t multiplies
  // input poly input_of(o, t) by kernel poly kernel(o, t).
  size_t terms(size_t o) const;
  size_t input_of(size_t o, size_t t) const;
  void pack_kernel(std::span<const int64_t> weights, size_t o, size_t t,
                   std::span<int64_t> coeffs) const;
  // The output elements of output poly o, in increasing coefficient order.
  const std::vector<OutputSlot>& outputs(size_t o) const { return slots_[o]; }
  size_t output_size() const { return out_size_; }

 private:
  enum class Kind { kConv, kDepthwise, kDense };
  CoeffLayout() = default;
  void build_conv_slots();
  void build_dense_slots();

  Kind kind_ = Kind::kConv;
  ConvGeometry g_;
  ConvTiling t_;
  int dense_in_ = 0, dense_out_ = 0, nc_ = 1, nr_ = 1;
  size_t n_ = 0;
  int blocks_ = 1, tiles_h_ = 1, tiles_w_ = 1;
  size_t in_polys_ = 0, out_polys_ = 0, products_ = 0, out_size_ = 0;
  std::vector<std::vector<OutputSlot>> slots_;
};

}  // namespace pg::protocol
