#include "nn/kernels/digit_plan.h"

#include <immintrin.h>

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace pg::nn::kernels {
namespace {

uint64_t magnitude(int64_t w) {
  return w < 0 ? uint64_t(0) - uint64_t(w) : uint64_t(w);
}

void check_modulus(int modulus_bits) {
  if (modulus_bits < 1 || modulus_bits > 64) {
    throw std::invalid_argument("digit plan: modulus bits must be in [1, 64]");
  }
}

// Plane-major loops over elements, so that the compiler vectorises the 64-bit shifts and masks.
template <typename T>
void split_all(const uint64_t* x, size_t n, const DigitPlan& plan, T* out, size_t stride) {
  constexpr size_t kChunk = 256;
  const uint64_t mask = ring_mask(plan.modulus_bits);
  uint64_t v[kChunk];
  for (size_t i0 = 0; i0 < n; i0 += kChunk) {
    const size_t m = std::min(kChunk, n - i0);
    for (size_t i = 0; i < m; ++i) v[i] = x[i0 + i] & mask;
    for (size_t j = 0; j < plan.planes.size(); ++j) {
      const int b = plan.planes[j].width;
      const uint64_t dmask = (uint64_t{1} << b) - 1;
      T* o = out + j * stride + i0;
      for (size_t i = 0; i < m; ++i) {
        const uint64_t d = v[i] & dmask, carry = d >> (b - 1);
        o[i] = T(int64_t(d) - int64_t(carry << b));
        v[i] = (v[i] >> b) + carry;  // the top plane's carry is a multiple of 2^L: dropped
      }
    }
  }
}

// Lays out planes of the given widths from offset 0 up to L.
void append_planes(DigitPlan& plan, int count, int width, bool wrap) {
  for (int i = 0; i < count; ++i) {
    const int offset =
        plan.planes.empty() ? 0 : plan.planes.back().offset + plan.planes.back().width;
    if (offset >= plan.modulus_bits) return;
    plan.planes.push_back({offset, std::min(width, plan.modulus_bits - offset), wrap});
  }
}

}  // namespace

int bit_length(uint64_t v) {
  return 64 - std::countl_zero(v);
}

WeightBound WeightBound::public_bound(int weight_bits, size_t taps) {
  if (weight_bits < 1 || weight_bits > 40 || taps == 0) {
    throw std::invalid_argument(
        "WeightBound::public_bound: weight_bits must be in [1, 40] and "
        "taps positive");
  }
  int taps_bits = 0;
  while ((size_t{1} << taps_bits) < taps) ++taps_bits;  // ceil(log2(taps))
  return {weight_bits, std::min(weight_bits + taps_bits, 48)};
}

WeightBound WeightBound::of(std::span<const int64_t> weights, size_t rows, size_t cols) {
  if (weights.size() != rows * cols) throw std::invalid_argument("WeightBound: size mismatch");
  uint64_t max_abs = 0, max_l1 = 0;
  for (size_t r = 0; r < rows; ++r) {
    uint64_t l1 = 0;
    for (size_t c = 0; c < cols; ++c) {
      const uint64_t a = magnitude(weights[r * cols + c]);
      max_abs = std::max(max_abs, a);
      l1 = (a > ~uint64_t{0} - l1) ? ~uint64_t{0} : l1 + a;  // saturate: rejected later
    }
    max_l1 = std::max(max_l1, l1);
  }
  return {bit_length(max_abs), bit_length(max_l1)};
}

void WeightBound::check(std::span<const int64_t> weights, size_t rows, size_t cols,
                        const std::string& what) const {
  const WeightBound actual = of(weights, rows, cols);
  if (actual.max_abs_bits > max_abs_bits || actual.row_l1_bits > row_l1_bits) {
    throw std::invalid_argument(what + ": weights exceed the public bound (|w| < 2^" +
                                std::to_string(max_abs_bits) + ", row L1 < 2^" +
                                std::to_string(row_l1_bits) + ")");
  }
}

DigitPlan fp64_plan(int modulus_bits, int row_l1_bits) {
  check_modulus(modulus_bits);
  // ‖W_m‖₁ < 2^{l1} and |d| ≤ 2^{b-1}: partial sums < 2^{l1+b-1} ≤ 2^53 with b = 54 - l1.
  const int b = std::min(53, 54 - std::max(row_l1_bits, 1));
  if (b < 2) {
    throw std::invalid_argument("fp64 digit plan: row L1 bound 2^" + std::to_string(row_l1_bits) +
                                " leaves no room for an exact double GEMM");
  }
  DigitPlan plan{modulus_bits, {}};
  append_planes(plan, (modulus_bits + b - 1) / b, b, false);
  return plan;
}

bool int16_plan_possible(int modulus_bits, int row_l1_bits) {
  return modulus_bits <= 32 || 32 - std::max(row_l1_bits, 1) >= 1;
}

DigitPlan int16_plan(int modulus_bits, int row_l1_bits) {
  check_modulus(modulus_bits);
  if (!int16_plan_possible(modulus_bits, row_l1_bits)) {
    throw std::invalid_argument("int16 digit plan: row L1 bound 2^" + std::to_string(row_l1_bits) +
                                " overflows int32 accumulators");
  }
  DigitPlan plan{modulus_bits, {}};
  const int need_exact = std::max(0, modulus_bits - 32);  // offsets below this must be exact
  if (need_exact == 0) {
    append_planes(plan, 4, 16, true);
    return plan;
  }
  // Exact planes: ‖W_m‖₁ · 2^{b-1} ≤ (2^{l1} - 1) · 2^{b-1} ≤ 2^31 - 1 with b = 32 - l1.
  const int be = std::min(16, 32 - std::max(row_l1_bits, 1));
  // Fewest planes: n exact planes (at least enough to reach need_exact), then 16-bit wrap planes.
  int best_n = -1, best_total = 1 << 30;
  for (int n = (need_exact + be - 1) / be; n * be < modulus_bits + be; ++n) {
    const int rest = std::max(0, modulus_bits - n * be);
    const int total = n + (rest + 15) / 16;
    if (total < best_total) best_total = total, best_n = n;
  }
  append_planes(plan, best_n, be, false);
  append_planes(plan, 4, 16, true);
  for (auto& p : plan.planes) p.wrap = modulus_bits - p.offset <= 32;
  return plan;
}

void split_digits(const uint64_t* x, size_t n, const DigitPlan& plan, double* out, size_t stride) {
  split_all(x, n, plan, out, stride);
}

void split_digit_pairs(const uint64_t* x0, const uint64_t* x1, size_t stride, size_t n,
                       const DigitPlan& plan, int32_t* out, size_t plane_stride) {
  const uint64_t mask = ring_mask(plan.modulus_bits);
  const size_t planes = plan.planes.size();
  size_t i = 0;
  if (stride == 1) {
    const __m256i vmask = _mm256_set1_epi64x(int64_t(mask)), low16 = _mm256_set1_epi64x(0xFFFF);
    const __m256i pack = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
    for (; i + 4 <= n; i += 4) {
      __m256i v0 =
          _mm256_and_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x0 + i)), vmask);
      __m256i v1 =
          x1 ? _mm256_and_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x1 + i)), vmask)
             : _mm256_setzero_si256();
      for (size_t j = 0; j < planes; ++j) {
        const int b = plan.planes[j].width;
        const __m128i sb = _mm_cvtsi32_si128(b), sb1 = _mm_cvtsi32_si128(b - 1);
        const __m256i dmask = _mm256_set1_epi64x(int64_t((uint64_t{1} << b) - 1));
        __m256i d0 = _mm256_and_si256(v0, dmask), d1 = _mm256_and_si256(v1, dmask);
        const __m256i c0 = _mm256_srl_epi64(d0, sb1), c1 = _mm256_srl_epi64(d1, sb1);
        d0 = _mm256_sub_epi64(d0, _mm256_sll_epi64(c0, sb));
        d1 = _mm256_sub_epi64(d1, _mm256_sll_epi64(c1, sb));
        v0 = _mm256_add_epi64(_mm256_srl_epi64(v0, sb), c0);
        v1 = _mm256_add_epi64(_mm256_srl_epi64(v1, sb), c1);
        const __m256i w = _mm256_or_si256(_mm256_and_si256(d0, low16),
                                          _mm256_slli_epi64(_mm256_and_si256(d1, low16), 16));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + j * plane_stride + i),
                         _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(w, pack)));
      }
    }
  }
  for (; i < n; ++i) {
    uint64_t v0 = x0[i * stride] & mask, v1 = x1 ? x1[i * stride] & mask : 0;
    for (size_t j = 0; j < planes; ++j) {
      const int b = plan.planes[j].width;
      const uint64_t dmask = (uint64_t{1} << b) - 1;
      const uint64_t d0 = v0 & dmask, c0 = d0 >> (b - 1), d1 = v1 & dmask, c1 = d1 >> (b - 1);
      const uint64_t lo = (d0 - (c0 << b)) & 0xFFFF, hi = (d1 - (c1 << b)) & 0xFFFF;
      out[j * plane_stride + i] = int32_t(uint32_t(lo | (hi << 16)));
      v0 = (v0 >> b) + c0;
      v1 = (v1 >> b) + c1;
    }
  }
}

int weight_planes_int16(int max_abs_bits) {
  // P balanced digits represent exactly the integers in [-2^15·R_P, (2^15-1)·R_P], where
  // R_P = Σ_{i<P} 2^{16i} (2^{16P} distinct sums, one per digit vector). The positive end is
  // binding: (2^15-1)·R_P = 2^{16P-1} - 2^15·R_{P-1} - 1, which is 2^15-1 for P = 1 and lies in
  // [2^{16P-2}, 2^{16P-1} - 2^15 - 1] for P ≥ 2. So |w| ≤ 2^b - 1 fits iff b ≤ 15 (P = 1) or
  // b ≤ 16P - 2 (P ≥ 2); 31 bits need 3 planes (2^31 - 2^15 does not fit in 2).
  if (max_abs_bits <= 15) return 1;
  return (max_abs_bits + 2 + 15) / 16;
}

int16_t weight_digit_int16(int64_t w, int plane) {
  for (int i = 0;; ++i) {
    const int64_t d = int64_t((uint64_t(w) + 0x8000) & 0xFFFF) - 0x8000;
    if (i == plane) return int16_t(d);
    w = (w - d) / 0x10000;  // exact: w - d is a multiple of 2^16
  }
}

}  // namespace pg::nn::kernels
