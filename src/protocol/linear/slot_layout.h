// The slot-encoded baseline (GAZELLE-style, nn/he_cost.h (b)): the layout of inputs, weights and
// outputs in S = N/2 slots, the rotation schedule, the operation counts and the worst-case noise
// of the evaluation. slot_term.cpp runs it; the counts are the estimator's by construction.
//
// One deviation from nn/he_cost.h (reported to the lead): for a convolution with groups 1 the
// channels per ciphertext are cn = min(C, 2^⌊log2(S/P)⌋), a power of two, instead of
// min(C, ⌊S/P⌋). The rotate-and-sum of step 3 adds the segments at offsets j·P for
// j < 2^⌈log2 cn⌉, cyclically over S slots; when 2^⌈log2 cn⌉·P > S the offsets wrap into segment
// 0 and count channels twice (e.g. 32×32 images with padding 1 at N = 16384: P = 1156,
// ⌊S/P⌋ = 7, and segment 7 wraps onto segment 0). With cn a power of two the offsets stop at
// cn·P ≤ S. conv_count() is nn::slot_conv_count with that cn.
//
// Slot s < S of a ciphertext is the first row of the batching; the second row is unused (zero
// in every input and weight), so rotations by 5^k act as cyclic left shifts of the S slots.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "nn/he_cost.h"
#include "nn/kernels/conv_geometry.h"
#include "protocol/linear/linear_params.h"

namespace pg::protocol {

using nn::kernels::ConvGeometry;

// An output element: slot `slot` of output ciphertext `ct` holds element `index`.
struct SlotOutput {
  uint32_t ct;
  uint32_t slot;
  uint32_t index;
};

class SlotLayout : public SlotNoise {
 public:
  enum class Kind { kConv, kDepthwise, kDense };

  // Throws std::invalid_argument if the shape does not fit S = n/2 slots.
  static SlotLayout conv(const ConvGeometry& g, size_t n);
  static SlotLayout dense(int in, int out, size_t n);

  Kind kind() const { return kind_; }
  size_t degree() const { return n_; }
  size_t slots() const { return n_ / 2; }
  size_t input_cts() const { return input_cts_; }
  size_t output_cts() const { return output_cts_; }
  nn::HeOpCount count() const { return count_; }
  // The rotation steps (left; negative: right) whose Galois keys the evaluation needs.
  std::vector<int64_t> rotation_steps() const;

  // Slot values (S of them) of input ciphertext k from the input tensor x (values < 2^ℓ).
  void pack_input(std::span<const uint64_t> x, size_t k, std::span<uint64_t> slots) const;
  const std::vector<SlotOutput>& outputs() const { return outputs_; }
  size_t output_size() const { return outputs_.size(); }

  // SlotNoise: the worst-case noise of the evaluation (linear_params.h (c)).
  double noise(size_t n, double log2_t, double b_ks) const override;
  bool rotates() const override { return count_.rotations > 0; }

  // Convolution and depthwise geometry (bands of hb rows advancing by hb − kh + 1).
  const ConvGeometry& geometry() const { return g_; }
  int bands() const { return bands_; }
  int band_rows() const { return hb_; }
  int channels_per_ct() const { return cn_; }
  size_t segment() const { return seg_; }  // P: slots per channel segment
  int padded_width() const { return wp_; }
  // Dense geometry.
  int dense_in() const { return in_; }
  int dense_out() const { return out_; }
  size_t dense_period() const { return d_; }  // d
  size_t dense_chunks() const { return k_; }  // k
  size_t dense_blocks() const { return blocks_; }
  // Rows, padded rows r', baby steps b and giant steps g of a dense block.
  struct DenseBlock {
    size_t row0, rows, rp, baby, giant;
  };
  DenseBlock dense_block(size_t b) const;
  size_t dense_baby_max() const { return baby_max_; }

 private:
  SlotLayout() = default;
  void build_conv_outputs();
  void build_dense_outputs();

  Kind kind_ = Kind::kConv;
  size_t n_ = 0;
  ConvGeometry g_;
  int bands_ = 1, hb_ = 1, cn_ = 1, wp_ = 1, per_band_ = 1;
  size_t seg_ = 0;
  int in_ = 0, out_ = 0;
  size_t d_ = 0, k_ = 0, blocks_ = 0, baby_max_ = 1;
  size_t input_cts_ = 0, output_cts_ = 0;
  nn::HeOpCount count_;
  std::vector<SlotOutput> outputs_;
};

// nn::slot_conv_count with cn a power of two for groups 1 (see above); equal to it otherwise.
nn::HeOpCount slot_conv_count_fixed(const ConvGeometry& g, size_t n);

}  // namespace pg::protocol
