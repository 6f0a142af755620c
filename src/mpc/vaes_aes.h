// Internal to the VAES translation units (compiled with -mvaes, called only after a run-time CPU
// check): fixed-key AES and the TCCR hash on 256-bit registers, two AES blocks per register.
// Include it from nowhere else, and include no other project header next to it, so that no
// inline function compiled for VAES can replace a baseline copy at link time.
#pragma once

#include <immintrin.h>

#include <cstddef>

namespace pg::mpc::detail::vaes {

inline constexpr size_t kRounds = 10;

struct RoundKeys {
  __m256i k[kRounds + 1];
};

inline RoundKeys broadcast_keys(const __m128i* rk128) {
  RoundKeys rk;
  for (size_t r = 0; r <= kRounds; ++r) rk.k[r] = _mm256_broadcastsi128_si256(rk128[r]);
  return rk;
}

// x[j] = AES(x[j]) for j < kRegs, rounds interleaved across the registers.
template <size_t kRegs>
inline void aes(__m256i* x, const RoundKeys& rk) {
  for (size_t j = 0; j < kRegs; ++j) x[j] = _mm256_xor_si256(x[j], rk.k[0]);
  for (size_t r = 1; r < kRounds; ++r) {
    for (size_t j = 0; j < kRegs; ++j) x[j] = _mm256_aesenc_epi128(x[j], rk.k[r]);
  }
  for (size_t j = 0; j < kRegs; ++j) x[j] = _mm256_aesenclast_epi128(x[j], rk.k[kRounds]);
}

// x[j] = H(x[j], tw[j]) = π(π(x) ⊕ t) ⊕ π(x) on 2·kRegs blocks.
template <size_t kRegs>
inline void tccr(__m256i* x, const __m256i* tw, const RoundKeys& rk) {
  __m256i p[kRegs];
  for (size_t j = 0; j < kRegs; ++j) p[j] = x[j];
  aes<kRegs>(p, rk);
  for (size_t j = 0; j < kRegs; ++j) x[j] = _mm256_xor_si256(p[j], tw[j]);
  aes<kRegs>(x, rk);
  for (size_t j = 0; j < kRegs; ++j) x[j] = _mm256_xor_si256(x[j], p[j]);
}

}  // namespace pg::mpc::detail::vaes
