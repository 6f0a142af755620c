// The online stage's linear kernel (PROTOCOL.md §4 step 2): y = W · x mod 2^ℓ for a convolution
// or a dense layer, where x holds uniform ring shares and W the quantised integer weights. The
// result is exact in every bit, for every method.
//
// Methods (each exact; see the named headers for why):
//   kDirect         naive direct convolution in uint64 wrap-around arithmetic: the oracle and
//                   the "naive direct on shares" baseline (direct_conv.h).
//   kFp64Im2col     balanced digit planes in doubles (every partial sum < 2^53), im2col of all
//                   planes at once, one OpenBLAS dgemm (fp64_conv.h).
//   kInt16          int16 digit planes, implicit GEMM with AVX2 vpmaddwd and int32 accumulators
//                   wrapping mod 2^32, no im2col (int16_conv.h). The fastest general method.
//   kWinograd{2,4}{Int16,Fp64}
//                   F(2x2,3x3) / F(4x4,3x3) over the ring, scaled so that no power of two is
//                   ever divided, on either engine (winograd.h). 3x3, stride 1, one group.
//                   F(4,3) on the INT16 engine is the fastest for 3x3 layers on 16x16 and larger.
// kAuto picks, per layer and thread count, the method with the least predicted time
// (ring_conv_cost.h: a cost model calibrated from bench/online_layers measurements).
//
// Why INT16 rather than FP64: vpmaddwd does 16 multiply-accumulates per instruction at the same
// issue rate as an FMA's 4 (bench/linear_bench BM_Peak*: ~4x the MAC rate), so three int16
// passes cost less than one double plane even at the FMA's peak; a hand-written FP64 GEMM could
// gain at most the ~1/3 OpenBLAS leaves below that peak, not enough to matter. Error-free FP64
// products (TwoProduct) make each product exact but not the sum of hundreds of them, which would
// need double-double accumulation: dearer than a second digit plane.
//
// The choice of digit planes, hence the running time, depends only on public data: the shape,
// ℓ, and the public weight bound (digit_plan.h), never on the weights or the shares.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/thread_pool.h"
#include "nn/kernels/conv_geometry.h"
#include "nn/kernels/digit_plan.h"

namespace pg::nn::kernels {

enum class RingMethod {
  kAuto,
  kDirect,
  kFp64Im2col,
  kInt16,
  kWinograd2Int16,
  kWinograd2Fp64,
  kWinograd4Int16,
  kWinograd4Fp64,
};

inline constexpr RingMethod kExactMethods[] = {
    RingMethod::kDirect,         RingMethod::kFp64Im2col,    RingMethod::kInt16,
    RingMethod::kWinograd2Int16, RingMethod::kWinograd2Fp64, RingMethod::kWinograd4Int16,
    RingMethod::kWinograd4Fp64};

const char* method_name(RingMethod m);

// Prepared weights of one layer. The engines a method needs are built on its first use (thread
// safe), so an unused method costs nothing.
class RingConv {
 public:
  // weights: [out_c][in_c/groups][kh][kw]. The bound is the public weight bound (digit_plan.h);
  // without one it is derived from the weights, which makes the plane count, and so the timing,
  // depend on the bit lengths of the largest weight and row L1 norm. Throws
  // std::invalid_argument on a size mismatch, weights outside the bound, or weights no exact
  // method can handle (|w| ≥ 2^40 or row L1 ≥ 2^48).
  RingConv(const ConvGeometry& geometry, std::span<const int64_t> weights);
  RingConv(const ConvGeometry& geometry, std::span<const int64_t> weights,
           const WeightBound& bound);
  RingConv(RingConv&&) noexcept;
  RingConv& operator=(RingConv&&) noexcept;
  ~RingConv();

  const ConvGeometry& geometry() const { return g_; }
  const WeightBound& bound() const { return bound_; }

  // Whether the method can run this layer exactly for a ring of ell bits.
  bool supports(RingMethod m, int ell) const;
  // Digit planes of x (times weight planes, for the INT16 engine) the method uses; 1 for kDirect.
  int gemm_passes(RingMethod m, int ell) const;
  // kAuto's choice for ell and a thread count.
  RingMethod choose(int ell, size_t threads) const;

  // y = W x mod 2^ell (1 ≤ ell ≤ 64). x has in_size() elements, y out_size(); inputs need not be
  // reduced (only their low ell bits matter). Runs on `pool` (OpenBLAS methods use as many
  // threads as the pool has); nullptr means core::default_pool(). Throws std::invalid_argument on
  // a bad size or ell, or an unsupported method.
  void apply(std::span<const uint64_t> x, int ell, std::span<uint64_t> y,
             RingMethod method = RingMethod::kAuto, core::ThreadPool* pool = nullptr) const;

 private:
  struct Engines;

  ConvGeometry g_;
  WeightBound bound_;
  std::vector<int64_t> w_;
  std::unique_ptr<Engines> engines_;
};

}  // namespace pg::nn::kernels
