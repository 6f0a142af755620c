// Exact Winograd convolution F(2x2,3x3) and F(4x4,3x3) over the ring Z_{2^ℓ} (3x3 kernels,
// stride 1, any padding, one group).
//
// Winograd's transforms divide: F(2,3)'s kernel transform G has entries ±1/2, F(4,3)'s has 1/4,
// 1/6, 1/12, 1/24. Powers of two are not invertible mod 2^ℓ, so we never divide. Instead each
// row i of G is scaled by its denominator d_i (G' = D G: F(2,3) D = diag(1,2,2,1), F(4,3)
// D = diag(4,6,6,24,24,1)), which makes the kernel transform U' = G' g G'^T an integer matrix,
// and the compensating D^{-1} is folded into the output transform, scaled by s = lcm(d) to the
// integer Ã^T = s A^T D^{-1}. Then, exactly over the integers,
//     s² · Y = Ã^T [ U' ⊙ (B^T x B) ] Ã,     s² = 4 (F(2,3)) or 576 = 2^6 · 9 (F(4,3)).
// We evaluate the right-hand side mod 2^{ℓ+k} with 2^k the power of two in s² (k = 2 or 6),
// which determines s²·Y mod 2^{ℓ+k}, hence (s²/2^k)·Y mod 2^ℓ after an exact shift by k bits,
// and multiply by the inverse of the odd part (1, or 9^{-1} mod 2^ℓ). So ℓ ≤ 62 (F(2,3)) or
// ℓ ≤ 58 (F(4,3)). The batched GEMMs over the n² transform positions (K = input channels) run on
// the INT16 or the FP64 exact engine with digit planes mod 2^{ℓ+k}; the transformed weights obey
// public bounds derived from the layer's: |U'| ≤ 9·max|g|, ‖U'_m‖₁ ≤ ‖W_m‖₁ for F(2,3) (G'
// has entries in {0, ±1}), and |U'| ≤ 49·max|g|, ‖U'_m‖₁ ≤ 16·‖W_m‖₁ for F(4,3).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/thread_pool.h"
#include "nn/kernels/conv_geometry.h"
#include "nn/kernels/digit_plan.h"
#include "nn/kernels/int16_gemm.h"

namespace pg::nn::kernels {

enum class WinogradTile { kF2, kF4 };
enum class GemmBackend { kInt16, kFp64 };

class WinogradConv {
 public:
  WinogradConv(const ConvGeometry& g, std::span<const int64_t> weights, const WeightBound& bound,
               WinogradTile tile, GemmBackend backend);

  // 3x3 kernel, stride 1, one group.
  static bool applicable(const ConvGeometry& g);
  static bool possible(const ConvGeometry& g, const WeightBound& bound, int ell, WinogradTile tile,
                       GemmBackend backend);
  // The public bound on the transformed weights U'.
  static WeightBound transformed_bound(const WeightBound& bound, WinogradTile tile);

  DigitPlan plan(int ell) const;
  int weight_planes() const;

  void apply(std::span<const uint64_t> x, int ell, std::span<uint64_t> y,
             core::ThreadPool& pool) const;

 private:
  size_t transform_words() const;
  void transform_channel(const uint64_t* xc, uint64_t* work, uint64_t* v) const;
  void input_transform(std::span<const uint64_t> x, const DigitPlan& plan, void* out,
                       core::ThreadPool& pool) const;
  void gemm_output_int16(const int32_t* in, const DigitPlan& plan, int ell, std::span<uint64_t> y,
                         core::ThreadPool& pool) const;
  void gemm_output_fp64(const double* in, const DigitPlan& plan, int ell, std::span<uint64_t> y,
                        core::ThreadPool& pool) const;
  void store_tiles(uint64_t* z, size_t z_stride, size_t t0, size_t count, size_t mo, int ell,
                   std::span<uint64_t> y) const;

  ConvGeometry g_;
  WinogradTile tile_;
  GemmBackend backend_;
  int l1_bits_ = 0;    // for the digit plan of the chosen backend
  int m_ = 2, n_ = 4;  // output and input tile sizes
  int tiles_h_ = 0, tiles_w_ = 0;
  size_t tiles_ = 0, tiles_padded_ = 0;
  int cpairs_ = 0;
  std::vector<Int16Weights> u16_;  // per position
  std::vector<double> u64f_;       // [position][out_c][in_c]
  std::vector<ColumnVector> vectors_;
  std::vector<uint32_t> kpair_offset_;
};

}  // namespace pg::nn::kernels
