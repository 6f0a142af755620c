// The server's online affine step (PROTOCOL.md §4 step 2): u = Σ_terms op(x̂_in) + b + t mod 2^ℓ
// on its shares, exactly, with the fast kernels of nn/kernels. Weights are prepared once per
// model (RingConv converts them for the GEMM), then reused by every inference.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "nn/kernels/ring_conv.h"
#include "protocol/schedule.h"

namespace pg::protocol {

class AffineEvaluator {
 public:
  AffineEvaluator(const AffineStep& step, int ell);

  // shares[i] is the server's share of tensor i (only the step's inputs are read); t is the
  // server's preprocessing mask for this step; u receives the output share.
  void apply(const std::vector<std::vector<uint64_t>>& shares, std::span<const uint64_t> t,
             std::span<uint64_t> u) const;

 private:
  const AffineStep* step_;
  int ell_;
  std::vector<nn::kernels::RingConv> convs_;
};

}  // namespace pg::protocol
