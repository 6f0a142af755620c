// AES kernels with VAES (two AES blocks per 256-bit instruction): the TCCR hash and CTR mode.
// Compiled with -mvaes and called only after a run-time CPU check; it includes no project header
// but vaes_aes.h (see there).
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "mpc/vaes_aes.h"

namespace pg::mpc::detail {
namespace {

using vaes::RoundKeys;

// H over 2·kLanes blocks: π(π(x) ⊕ t) ⊕ π(x).
template <size_t kLanes>
inline void tccr_chunk(const RoundKeys& rk, const __m128i* x, const __m128i* tw, __m128i* out) {
  __m256i y[kLanes];
  __m256i t[kLanes];
  for (size_t j = 0; j < kLanes; ++j) {
    y[j] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + 2 * j));
    t[j] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(tw + 2 * j));
  }
  vaes::tccr<kLanes>(y, t, rk);
  for (size_t j = 0; j < kLanes; ++j) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 2 * j), y[j]);
  }
}

}  // namespace

// Hashes the first n - n % 2 blocks; returns how many it hashed. out may alias x.
size_t tccr_hash_vaes(const __m128i* rk128, const __m128i* x, const __m128i* tw, __m128i* out,
                      size_t n) {
  const RoundKeys rk = vaes::broadcast_keys(rk128);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) tccr_chunk<8>(rk, x + i, tw + i, out + i);
  for (; i + 4 <= n; i += 4) tccr_chunk<2>(rk, x + i, tw + i, out + i);
  for (; i + 2 <= n; i += 2) tccr_chunk<1>(rk, x + i, tw + i, out + i);
  return i;
}

// out[k] = AES_rk(counter + k) for k < n, the counter as a 128-bit little-endian integer with
// zero high word (the caller keeps counter + n below 2^64).
void ctr_fill_vaes(const __m128i* rk128, uint64_t counter, __m128i* out, size_t n) {
  const RoundKeys rk = vaes::broadcast_keys(rk128);
  const auto c = static_cast<long long>(counter);
  __m256i ctr = _mm256_set_epi64x(0, c + 1, 0, c);
  const __m256i two = _mm256_set_epi64x(0, 2, 0, 2);
  constexpr size_t kLanes = 8;
  size_t i = 0;
  for (; i + 2 * kLanes <= n; i += 2 * kLanes) {
    __m256i x[kLanes];
    for (size_t j = 0; j < kLanes; ++j) {
      x[j] = ctr;
      ctr = _mm256_add_epi64(ctr, two);
    }
    vaes::aes<kLanes>(x, rk);
    for (size_t j = 0; j < kLanes; ++j) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i + 2 * j), x[j]);
    }
  }
  for (; i + 2 <= n; i += 2) {
    __m256i x = ctr;
    ctr = _mm256_add_epi64(ctr, two);
    vaes::aes<1>(&x, rk);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), x);
  }
  if (i < n) {
    __m256i x = ctr;
    vaes::aes<1>(&x, rk);
    out[i] = _mm256_castsi256_si128(x);
  }
}

}  // namespace pg::mpc::detail
