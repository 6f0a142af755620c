#include "nn/kernels/int16_gemm.h"

#include <immintrin.h>

#include <algorithm>
#include <stdexcept>

#include "core/assert.h"

namespace pg::nn::kernels {
namespace {

int32_t pair_of(int16_t lo, int16_t hi) {
  return int32_t(uint32_t(uint16_t(lo)) | (uint32_t(uint16_t(hi)) << 16));
}

// dst[0..count) (+)= sign_extend(acc) << shift, mod 2^64; the first pass stores.
template <bool kFirst>
inline void add_shifted(__m256i acc, uint64_t* dst, uint32_t count, int shift) {
  if (count == 8) {
    const __m128i sh = _mm_cvtsi32_si128(shift);
    __m256i lo = _mm256_sll_epi64(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(acc)), sh);
    __m256i hi = _mm256_sll_epi64(_mm256_cvtepi32_epi64(_mm256_extracti128_si256(acc, 1)), sh);
    auto* d = reinterpret_cast<__m256i*>(dst);
    if (!kFirst) {
      lo = _mm256_add_epi64(_mm256_loadu_si256(d), lo);
      hi = _mm256_add_epi64(_mm256_loadu_si256(d + 1), hi);
    }
    _mm256_storeu_si256(d, lo);
    _mm256_storeu_si256(d + 1, hi);
    return;
  }
  alignas(32) int32_t t[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(t), acc);
  for (uint32_t i = 0; i < count; ++i) {
    const uint64_t v = uint64_t(int64_t(t[i])) << shift;
    dst[i] = kFirst ? v : dst[i] + v;
  }
}

// res[r][v] = Σ_k madd(broadcast(panel[k][r]), X[k][vector v]). Accumulators stay in registers:
// kInt16Mr · kInt16Nv of them, plus kInt16Nv operands, a broadcast and a product (≤ 16 ymm).
template <int Nv>
inline void micro_kernel(const int32_t* panel, const int32_t* const* bptr, const uint32_t* koff,
                         size_t kpairs, __m256i* res) {
  __m256i acc[kInt16Mr * Nv];
#pragma GCC unroll 16
  for (int i = 0; i < kInt16Mr * Nv; ++i) acc[i] = _mm256_setzero_si256();
  for (size_t k = 0; k < kpairs; ++k) {
    const uint32_t off = koff[k];
    __m256i b[Nv];
#pragma GCC unroll 4
    for (int v = 0; v < Nv; ++v) {
      b[v] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bptr[v] + off));
    }
    const int32_t* a = panel + k * kInt16Mr;
#pragma GCC unroll 16
    for (int r = 0; r < kInt16Mr; ++r) {
      const __m256i ar = _mm256_set1_epi32(a[r]);
#pragma GCC unroll 4
      for (int v = 0; v < Nv; ++v) {
        acc[r * Nv + v] = _mm256_add_epi32(acc[r * Nv + v], _mm256_madd_epi16(ar, b[v]));
      }
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < kInt16Mr * Nv; ++i) res[i] = acc[i];
}

void gemm_vector_group(const Int16Weights& a, const DigitPlan& plan, const Int16Source& x,
                       const ColumnVector* vec, uint64_t* out, size_t out_stride) {
  for (size_t rb = 0; rb < a.row_blocks(); ++rb) {
    int16_gemm_block(a, rb, plan, x, vec, out + rb * kInt16Mr * out_stride, out_stride);
  }
}

// Matrix-vector micro-kernel: B row blocks of 8 × J digit planes at once.
template <int B, int J>
void gemv_blocks(const Int16Weights& a, const DigitPlan& plan, const int32_t* x_pairs, size_t j0,
                 size_t block0, uint64_t (&tmp)[4][8]) {
  const size_t kp = a.kpairs();
  for (int i = 0; i < a.planes(); ++i) {
    __m256i acc[B][J];
    for (int b = 0; b < B; ++b) {
      for (int j = 0; j < J; ++j) acc[b][j] = _mm256_setzero_si256();
    }
    const int32_t* w[B];
    for (int b = 0; b < B; ++b) w[b] = a.gemv_block(i, block0 + b);
    for (size_t k = 0; k < kp; ++k) {
      __m256i xb[J];
      for (int j = 0; j < J; ++j) xb[j] = _mm256_set1_epi32(x_pairs[(j0 + j) * kp + k]);
      for (int b = 0; b < B; ++b) {
        const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[b] + k * 8));
        for (int j = 0; j < J; ++j)
          acc[b][j] = _mm256_add_epi32(acc[b][j], _mm256_madd_epi16(wv, xb[j]));
      }
    }
    for (int j = 0; j < J; ++j) {
      const int shift = 16 * i + plan.planes[j0 + j].offset;
      if (shift >= plan.modulus_bits) continue;
      for (int b = 0; b < B; ++b) add_shifted<false>(acc[b][j], tmp[b], 8, shift);
    }
  }
}

template <int B>
void gemv_plane_groups(const Int16Weights& a, const DigitPlan& plan, const int32_t* x_pairs,
                       size_t block0, uint64_t (&tmp)[4][8]) {
  for (size_t j0 = 0; j0 < plan.size(); j0 += 3) {
    switch (std::min<size_t>(3, plan.size() - j0)) {
      case 1:
        gemv_blocks<B, 1>(a, plan, x_pairs, j0, block0, tmp);
        break;
      case 2:
        gemv_blocks<B, 2>(a, plan, x_pairs, j0, block0, tmp);
        break;
      default:
        gemv_blocks<B, 3>(a, plan, x_pairs, j0, block0, tmp);
        break;
    }
  }
}

}  // namespace

void int16_gemm_block(const Int16Weights& a, size_t rb, const DigitPlan& plan, const Int16Source& x,
                      const ColumnVector* vec, uint64_t* out, size_t out_stride) {
  __m256i acc[kInt16Mr * kInt16Nv];
  const size_t rows = std::min<size_t>(kInt16Mr, a.rows() - rb * kInt16Mr);
  for (size_t j = 0; j < plan.size(); ++j) {
    const int32_t* base = x.data + j * x.plane_stride;
    const int32_t* bptr[kInt16Nv];
    for (int v = 0; v < kInt16Nv; ++v) bptr[v] = base + vec[v].src;
    for (int i = 0; i < a.planes(); ++i) {
      const int shift = 16 * i + plan.planes[j].offset;
      if (shift >= plan.modulus_bits) continue;  // 2^shift ≡ 0 mod 2^L
      const bool first = i == 0 && j == 0;       // shift 0 < L: always runs, and runs first
      micro_kernel<kInt16Nv>(a.panel(i, rb), bptr, x.kpair_offset, a.kpairs(), acc);
      for (size_t r = 0; r < rows; ++r) {
        uint64_t* row = out + r * out_stride;
        for (int v = 0; v < kInt16Nv; ++v) {
          if (!vec[v].count) continue;
          if (first) {
            add_shifted<true>(acc[r * kInt16Nv + v], row + vec[v].dst, vec[v].count, shift);
          } else {
            add_shifted<false>(acc[r * kInt16Nv + v], row + vec[v].dst, vec[v].count, shift);
          }
        }
      }
    }
  }
}

Int16Weights::Int16Weights(size_t rows, size_t kpairs, int max_abs_bits,
                           const std::function<int64_t(size_t, size_t)>& weight)
    : rows_(rows), kpairs_(kpairs), planes_(weight_planes_int16(max_abs_bits)) {
  if (rows == 0 || kpairs == 0) throw std::invalid_argument("Int16Weights: empty matrix");
  packed_.assign(size_t(planes_) * row_blocks() * kpairs * kInt16Mr, 0);
  const size_t blocks8 = (rows + 7) / 8;
  gemv_.assign(size_t(planes_) * blocks8 * kpairs * 8, 0);
  // Whether some weight needs a digit beyond the last plane (it cannot, for weights within the
  // bound, see weight_planes_int16). Accumulated without a branch: the weights are secret.
  uint64_t uncovered = 0;
  for (size_t r = 0; r < rows; ++r) {
    for (size_t p = 0; p < kpairs; ++p) {
      const int64_t w0 = weight(r, 2 * p), w1 = weight(r, 2 * p + 1);
      uint64_t sum0 = 0, sum1 = 0;
      for (int i = 0; i < planes_; ++i) {
        const int16_t d0 = weight_digit_int16(w0, i), d1 = weight_digit_int16(w1, i);
        sum0 += uint64_t(int64_t(d0)) << (16 * i);
        sum1 += uint64_t(int64_t(d1)) << (16 * i);
        const int32_t v = pair_of(d0, d1);
        packed_[((size_t(i) * row_blocks() + r / kInt16Mr) * kpairs + p) * kInt16Mr +
                r % kInt16Mr] = v;
        gemv_[((size_t(i) * blocks8 + r / 8) * kpairs + p) * 8 + r % 8] = v;
      }
      uncovered |= (sum0 ^ uint64_t(w0)) | (sum1 ^ uint64_t(w1));
    }
  }
  PG_ASSERT(uncovered == 0, "Int16Weights: a weight exceeds its plane count (bound too small)");
}

void int16_gemm(const Int16Weights& a, const DigitPlan& plan, const Int16Source& x, uint64_t* out,
                size_t out_stride, core::ThreadPool& pool) {
  PG_ASSERT(x.vector_count % kInt16Nv == 0, "column vectors must come in groups of kInt16Nv");
  pool.parallel_for(x.vector_count / kInt16Nv, [&](size_t g0, size_t g1) {
    int16_gemm_groups(a, plan, x, out, out_stride, g0, g1);
  });
}

void int16_gemm_groups(const Int16Weights& a, const DigitPlan& plan, const Int16Source& x,
                       uint64_t* out, size_t out_stride, size_t g0, size_t g1) {
  for (size_t g = g0; g < g1; ++g) {
    gemm_vector_group(a, plan, x, x.vectors + g * kInt16Nv, out, out_stride);
  }
}

void int16_gemv(const Int16Weights& a, const DigitPlan& plan, const int32_t* x_pairs, uint64_t* out,
                core::ThreadPool& pool) {
  const size_t blocks = (a.rows() + 7) / 8, quads = (blocks + 3) / 4;
  pool.parallel_for(quads, [&](size_t q0, size_t q1) {
    for (size_t q = q0; q < q1; ++q) {
      uint64_t tmp[4][8] = {};
      const size_t b0 = q * 4, nb = std::min<size_t>(4, blocks - b0);
      switch (nb) {
        case 1:
          gemv_plane_groups<1>(a, plan, x_pairs, b0, tmp);
          break;
        case 2:
          gemv_plane_groups<2>(a, plan, x_pairs, b0, tmp);
          break;
        case 3:
          gemv_plane_groups<3>(a, plan, x_pairs, b0, tmp);
          break;
        default:
          gemv_plane_groups<4>(a, plan, x_pairs, b0, tmp);
          break;
      }
      for (size_t b = 0; b < nb; ++b) {
        for (size_t r = 0; r < 8 && (b0 + b) * 8 + r < a.rows(); ++r)
          out[(b0 + b) * 8 + r] = tmp[b][r];
      }
    }
  });
}

}  // namespace pg::nn::kernels
