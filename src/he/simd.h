// AVX2 building blocks for 64-bit modular arithmetic (internal to pg_he). AVX2 has no 64×64-bit
// multiply, so products are assembled from 32×32 → 64-bit vpmuludq and 32-bit vpmulld pieces.
// All helpers work on four unsigned 64-bit lanes. Values compared with the signed
// _mm256_cmpgt_epi64 are below 2^63, which every caller guarantees (q < 2^61, values < 4q).
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace pg::he::simd {

using V = __m256i;

inline V load(const uint64_t* p) {
  return _mm256_load_si256(reinterpret_cast<const V*>(p));
}
inline V loadu(const uint64_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const V*>(p));
}
inline void store(uint64_t* p, V v) {
  _mm256_store_si256(reinterpret_cast<V*>(p), v);
}
inline void storeu(uint64_t* p, V v) {
  _mm256_storeu_si256(reinterpret_cast<V*>(p), v);
}
inline V set1(uint64_t x) {
  return _mm256_set1_epi64x(static_cast<long long>(x));
}

// Swaps the 32-bit halves of each 64-bit lane.
inline V swap_halves(V a) {
  return _mm256_shuffle_epi32(a, 0xB1);
}

// floor(a·b / 2^64) per lane; bh = b >> 32 (precomputed by the caller when b is reused).
inline V mulhi(V a, V b, V bh) {
  const V ah = _mm256_srli_epi64(a, 32);
  const V ll = _mm256_mul_epu32(a, b);
  const V lh = _mm256_mul_epu32(a, bh);
  const V hl = _mm256_mul_epu32(ah, b);
  const V hh = _mm256_mul_epu32(ah, bh);
  // mid < 2^64: (2^32 − 1)^2 + 2^32 − 1 < 2^64, and likewise mid2.
  const V mid = _mm256_add_epi64(hl, _mm256_srli_epi64(ll, 32));
  const V mid2 = _mm256_add_epi64(lh, _mm256_and_si256(mid, _mm256_set1_epi64x(0xffffffff)));
  return _mm256_add_epi64(_mm256_add_epi64(hh, _mm256_srli_epi64(mid, 32)),
                          _mm256_srli_epi64(mid2, 32));
}

// a·b − c·d mod 2^64 per lane, given bs = swap_halves(b) and ds = swap_halves(d). The cross
// terms only matter mod 2^32, so vpmulld computes both of them in one instruction.
inline V mullo_diff(V a, V b, V bs, V c, V d, V ds) {
  const V lo = _mm256_sub_epi64(_mm256_mul_epu32(a, b), _mm256_mul_epu32(c, d));
  const V x = _mm256_sub_epi32(_mm256_mullo_epi32(a, bs), _mm256_mullo_epi32(c, ds));
  // High half of each lane: (a_lo·b_hi + a_hi·b_lo) − (c_lo·d_hi + c_hi·d_lo) mod 2^32.
  const V cross = _mm256_slli_epi64(_mm256_add_epi32(x, swap_halves(x)), 32);
  return _mm256_add_epi64(lo, cross);
}

// a·w mod q in [0, 2q) (Shoup), for a < 2^64, w < q, wp = floor(w·2^64/q); wph = wp >> 32,
// ws = swap_halves(w), qs = swap_halves(q).
inline V mul_shoup_lazy(V a, V w, V ws, V wp, V wph, V q, V qs) {
  const V quot = mulhi(a, wp, wph);
  return mullo_diff(a, w, ws, quot, q, qs);
}

// x − m if x ≥ m, else x (lanes below 2^63).
inline V csub(V x, V m) {
  const V y = _mm256_sub_epi64(x, m);
  return _mm256_castpd_si256(
      _mm256_blendv_pd(_mm256_castsi256_pd(y), _mm256_castsi256_pd(x), _mm256_castsi256_pd(y)));
}

}  // namespace pg::he::simd
