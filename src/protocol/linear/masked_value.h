// The statistical mask of PROTOCOL.md §3 step 3, T = t + 2^ℓ·h with t uniform in Z_{2^ℓ} and h
// uniform below 2^hb (hb ≤ 127), handled as the pair (t, h) so that ℓ + hb may exceed 128 bits.
#pragma once

#include <cstdint>

#include "core/prg.h"
#include "he/modarith.h"

namespace pg::protocol {

// The low ℓ bits (1 ≤ ℓ ≤ 64): reduction mod 2^ℓ.
inline uint64_t ring_mask(int ell) {
  return ell >= 64 ? ~uint64_t{0} : (uint64_t{1} << ell) - 1;
}

// h uniform below 2^bits (0 ≤ bits ≤ 127).
inline he::u128 draw_high_mask(core::Prg& prg, int bits) {
  const he::u128 v = (he::u128(prg.next_u64()) << 64) | prg.next_u64();
  return bits == 0 ? 0 : v & ((he::u128(1) << bits) - 1);
}

// x mod q for x < 2^128 (the high word is reduced first, keeping Barrett's input below 2^124).
inline uint64_t reduce_u128(const he::Modulus& q, he::u128 x) {
  return q.reduce((he::u128(q.reduce_word(uint64_t(x >> 64))) << 64) | uint64_t(x));
}

// (t + 2^ℓ·h) mod q, given two_ell = 2^ℓ mod q.
inline uint64_t masked_residue(const he::Modulus& q, uint64_t t, he::u128 h, uint64_t two_ell) {
  return q.add(q.reduce_word(t), q.mul(reduce_u128(q, h), two_ell));
}

}  // namespace pg::protocol
