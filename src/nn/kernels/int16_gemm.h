// The INT16 exact GEMM engine: Y = A · X mod 2^L with A small signed integers (split into
// balanced 16-bit weight planes A = Σ_i 2^{16 i} A_i) and X ring elements split into int16 digit
// planes (digit_plan.h). The inner product is AVX2 vpmaddwd (16 int16 products, summed in pairs
// into 8 int32 lanes) plus vpaddd, with int32 accumulators that wrap mod 2^32; digit_plan.h
// explains why that is exact mod 2^L. Each (weight plane i, digit plane j) product is added to
// the uint64 output as sign_extend(Y_ij) << (16 i + o_j); products with 16 i + o_j ≥ L vanish
// and are skipped.
//
// X is never materialised as a matrix: the source describes where each column's 8-wide vector
// of k-pairs lives (a base offset per column vector plus an offset per k-pair), so the same
// micro-kernel serves implicit-GEMM convolution (no im2col) and the Winograd batched GEMMs.
// Entries are int32 words that hold the int16 digits of k = 2p (low half) and 2p+1 (high half).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/thread_pool.h"
#include "nn/kernels/digit_plan.h"

namespace pg::nn::kernels {

// Row-block height of the micro-kernel and the number of 8-column vectors it handles at once:
// 12 int32 accumulators, 2 operand vectors, a broadcast and a product fill the 16 ymm registers.
// Measured on MiniONN-CIFAR-10's 3x3 64->64 layer, 6x2 beat 4x2, 5x2, 4x3, 3x4 and 8x1.
// vpmaddwd wraps only where both products are (-2^15)², giving 2^31 mod 2^32: consistent with
// the mod-2^32 arithmetic the wrap planes rely on.
inline constexpr int kInt16Mr = 6;
inline constexpr int kInt16Nv = 2;

class Int16Weights {
 public:
  Int16Weights() = default;
  // weight(row, k) for k in [0, 2·kpairs) (the caller decides the k order; k ≥ its real K must
  // return 0). max_abs_bits is the public bound that fixes the number of weight planes.
  Int16Weights(size_t rows, size_t kpairs, int max_abs_bits,
               const std::function<int64_t(size_t, size_t)>& weight);

  size_t rows() const { return rows_; }
  size_t kpairs() const { return kpairs_; }
  int planes() const { return planes_; }
  size_t row_blocks() const { return (rows_ + kInt16Mr - 1) / kInt16Mr; }
  // Panel of row block rb of weight plane i: [kpair][kInt16Mr] int32 pairs.
  const int32_t* panel(int plane, size_t rb) const {
    return packed_.data() + (size_t(plane) * row_blocks() + rb) * kpairs_ * kInt16Mr;
  }
  // Dense layout for the matrix-vector kernel: [plane][rows/8][kpair][8] int32 pairs.
  const int32_t* gemv_block(int plane, size_t block) const {
    return gemv_.data() + (size_t(plane) * ((rows_ + 7) / 8) + block) * kpairs_ * 8;
  }

 private:
  size_t rows_ = 0, kpairs_ = 0;
  int planes_ = 1;
  std::vector<int32_t> packed_;
  std::vector<int32_t> gemv_;
};

// One 8-column vector of X: its columns are src + [0, 8) (in int32 words, to which the k-pair
// offset is added), and its results go to output columns dst + [0, count).
struct ColumnVector {
  uint32_t src = 0;
  uint32_t dst = 0;
  uint32_t count = 0;
};

struct Int16Source {
  const int32_t* data = nullptr;  // digit plane j starts at data + j * plane_stride
  size_t plane_stride = 0;
  const uint32_t* kpair_offset = nullptr;  // kpairs entries
  const ColumnVector* vectors = nullptr;   // a multiple of kInt16Nv (pad with count = 0)
  size_t vector_count = 0;
};

// out[m * out_stride + col] = (A · X)[m][col] mod 2^L for every m < rows and every column of the
// source (other entries are left alone). Splits the column vectors across the pool's threads.
void int16_gemm(const Int16Weights& a, const DigitPlan& plan, const Int16Source& x, uint64_t* out,
                size_t out_stride, core::ThreadPool& pool);

// The same on the calling thread, for the column-vector groups [g0, g1) only (a group is
// kInt16Nv consecutive vectors).
void int16_gemm_groups(const Int16Weights& a, const DigitPlan& plan, const Int16Source& x,
                       uint64_t* out, size_t out_stride, size_t g0, size_t g1);

// One row block rb (rows rb·kInt16Mr + r, r < kInt16Mr) of the product for the kInt16Nv column
// vectors vec: out[r * out_stride + vec[v].dst + i] = (A · X) mod 2^L, all passes.
void int16_gemm_block(const Int16Weights& a, size_t rb, const DigitPlan& plan, const Int16Source& x,
                      const ColumnVector* vec, uint64_t* out, size_t out_stride);

// Matrix-vector: out[m] = Σ_k A[m][k] x[k] mod 2^L, with x given as digit planes of k-pairs
// (x_pairs[j * kpairs + p] holds digits 2p and 2p+1 of plane j). Splits rows across threads.
void int16_gemv(const Int16Weights& a, const DigitPlan& plan, const int32_t* x_pairs, uint64_t* out,
                core::ThreadPool& pool);

}  // namespace pg::nn::kernels
