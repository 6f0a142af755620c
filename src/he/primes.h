// NTT-friendly primes: q ≡ 1 (mod 2N), so Z_q holds a primitive 2N-th root of unity ψ and the
// negacyclic convolution mod X^N + 1 diagonalises.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pg::he {

// Deterministic Miller–Rabin for 64-bit integers.
bool is_prime(uint64_t n);

// `count` distinct primes of exactly `bits` bits with q ≡ 1 mod 2n, largest first, skipping
// those in `exclude`. Throws std::invalid_argument if there are not enough.
std::vector<uint64_t> ntt_primes(int bits, size_t n, size_t count,
                                 const std::vector<uint64_t>& exclude = {});

// The smallest primitive 2n-th root of unity mod q (deterministic, so parameter ids are stable).
uint64_t primitive_root_2n(uint64_t q, size_t n);

}  // namespace pg::he
