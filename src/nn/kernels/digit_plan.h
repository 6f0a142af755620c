// Digit planes: how the exact online kernels write a ring element x mod 2^L as a sum of small
// signed digits, x ≡ Σ_j 2^{o_j} d_j (mod 2^L), so that W·d_j is exact in the arithmetic the
// GEMM uses. Everything here depends only on public quantities (L, the layer shape, and the
// public bounds on the weights), never on the weights themselves, so the number of planes, and
// with it the running time, reveals nothing beyond those bounds.
//
// Digits are balanced: a digit of width b lies in [-2^{b-1}, 2^{b-1}). The top digit is taken
// mod 2^{L - o_top} (higher bits vanish mod 2^L), so it is balanced too.
//
// FP64 planes: every partial sum of W_m · d_j is an integer of magnitude ≤ ‖W_m‖₁ · 2^{b-1}; with
// ‖W_m‖₁ < 2^{l1} and b = 54 - l1 that is < 2^53, so every FMA is exact in any summation order.
//
// INT16 planes (vpmaddwd, int32 accumulators that wrap mod 2^32): a plane at offset o only
// needs W·d mod 2^{L-o}. When L - o ≤ 32 the wrapped int32 result is enough ("wrap" plane, 16-bit
// digits). Below that the int32 sum must not overflow ("exact" plane): ‖W_m‖₁ · 2^{b-1} ≤ 2^31-1,
// which b = 32 - l1 guarantees.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace pg::nn::kernels {

// Public bounds on a layer's integer weights: |w| < 2^max_abs_bits and, for every output row m,
// ‖W_m‖₁ = Σ_k |W_mk| < 2^row_l1_bits. They are public parameters (like ℓ): fix them at merge
// time. of() derives the tightest such bounds from the weights.
struct WeightBound {
  int max_abs_bits = 0;
  int row_l1_bits = 0;

  // The bound implied by public facts alone: |w| < 2^weight_bits and `taps` weights per row, so
  // row L1 < taps·2^weight_bits (capped at 2^48, the most any exact method handles; weights
  // beyond the cap are rejected by the kernels anyway). Timing that depends only on this bound
  // reveals nothing about the weights.
  static WeightBound public_bound(int weight_bits, size_t taps);
  // rows × cols row-major weights.
  static WeightBound of(std::span<const int64_t> weights, size_t rows, size_t cols);
  // Throws std::invalid_argument (naming `what`) if some weight exceeds the bound.
  void check(std::span<const int64_t> weights, size_t rows, size_t cols,
             const std::string& what) const;
};

struct DigitPlane {
  int offset = 0;     // o_j
  int width = 0;      // b_j: the digit lies in [-2^{b_j-1}, 2^{b_j-1})
  bool wrap = false;  // INT16 only: the int32 result is needed only mod 2^32
};

struct DigitPlan {
  int modulus_bits = 0;  // L
  std::vector<DigitPlane> planes;
  size_t size() const { return planes.size(); }
};

// Planes for an FP64 GEMM. Throws std::invalid_argument if 2^{row_l1_bits} leaves fewer than 2
// bits per digit.
DigitPlan fp64_plan(int modulus_bits, int row_l1_bits);

// Planes for an INT16 GEMM with int32 accumulators. Throws std::invalid_argument if an exact
// plane is needed (L > 32) and fewer than 1 bit fits.
DigitPlan int16_plan(int modulus_bits, int row_l1_bits);

// Whether int16_plan() can succeed.
bool int16_plan_possible(int modulus_bits, int row_l1_bits);

// Splits n ring elements into plan.size() digit planes: out[j * stride + i] = d_j(x[i]).
// Only the low L bits of x matter.
void split_digits(const uint64_t* x, size_t n, const DigitPlan& plan, double* out, size_t stride);
void split_digits(const uint64_t* x, size_t n, const DigitPlan& plan, int16_t* out, size_t stride);

// The INT16 engine's input words: out[j * plane_stride + i] holds digit j of x0[i * stride] in
// its low 16 bits and digit j of x1[i * stride] in its high 16 bits (0 when x1 is null).
void split_digit_pairs(const uint64_t* x0, const uint64_t* x1, size_t stride, size_t n,
                       const DigitPlan& plan, int32_t* out, size_t plane_stride);

// Balanced 16-bit digits of signed weights: w = Σ_i 2^{16 i} a_i with a_i ∈ [-2^15, 2^15).
// P such digits reach exactly [-2^15·R_P, (2^15-1)·R_P] with R_P = Σ_{i<P} 2^{16i}, so the
// number of planes for |w| < 2^max_abs_bits is 1 when max_abs_bits ≤ 15 and otherwise the least
// P with 16P - 2 ≥ max_abs_bits (e.g. 31 bits need 3: 2^31 - 1 needs a carry past 2 digits).
int weight_planes_int16(int max_abs_bits);
// Digit `plane` of w's balanced expansion (digits above the last plane are not dropped here: the
// caller must use weight_planes_int16() planes, which leave no carry for |w| < 2^max_abs_bits).
int16_t weight_digit_int16(int64_t w, int plane);

inline uint64_t ring_mask(int bits) {
  return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
}

// Bit length of v: the least n with v < 2^n.
int bit_length(uint64_t v);

}  // namespace pg::nn::kernels
