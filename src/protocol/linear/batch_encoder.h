// Integer batching for the slot baseline (linear_params.h (c)): the plaintext modulus is
// t = q_0···q_{k−1}, the first k data primes of the context. Each is ≡ 1 mod 2N, so
// Z_t[X]/(X^N + 1) ≅ Z_t^N through the NTT of every prime, and the CKKS engine's Galois
// automorphisms permute the evaluation points exactly as they permute CKKS slots.
//
// Slot s < S = N/2 is the evaluation at ψ^(5^s mod 2N) (the second row, ψ^(−5^s), stays zero),
// so X ↦ X^(5^r) shifts the slots left by r: the engine's rotate(steps = r). With ψ's NTT in
// bit-reversed order, exponent e sits at NTT index bitrev((e − 1)/2).
//
// A plaintext m ∈ Z_t[X] is lifted to the ciphertext primes as the integer representative in
// [0, t) (so a product with it grows noise by at most N·t) and multiplied by a per-prime factor:
// Δ = Q/t (exact: t divides Q) for what is encrypted or added, 1 for the weights.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "he/ciphertext.h"
#include "he/context.h"
#include "he/modarith.h"

namespace pg::protocol {

class BatchEncoder {
 public:
  BatchEncoder(he::ContextPtr ctx, size_t plain_primes);

  size_t slots() const { return ctx_->n() / 2; }
  size_t plain_primes() const { return k_; }

  // Slot values (at most S; signed, |v| < 2^63) → the plaintext at `level`, NTT domain, times
  // Δ_level = (q_0···q_level)/t when `scaled` (level ≥ k), else times 1.
  void encode(std::span<const int64_t> v, size_t level, bool scaled, he::Plaintext& out) const;
  // The same for t + 2^ell·h (masked_value.h; h may be empty: zero), t < 2^64, h < 2^127.
  void encode_masked(std::span<const uint64_t> t, std::span<const he::u128> h, int ell,
                     size_t level, bool scaled, he::Plaintext& out) const;

  // A decrypted reply at level k (coefficient domain: x = q_k·m + e, |e| < q_k/2) → the first
  // `count` slots of m, each as the centred representative of Z_t reduced mod 2^64.
  std::vector<uint64_t> decode(const he::Plaintext& x, size_t count) const;

 private:
  // m's residues mod the k plain primes (coefficient domain) → the plaintext at `level`.
  void lift(std::vector<std::vector<uint64_t>>& res, size_t level, bool scaled,
            he::Plaintext& out) const;

  he::ContextPtr ctx_;
  size_t k_;
  std::vector<uint32_t> index_;  // index_[s]: the NTT position of slot s
};

}  // namespace pg::protocol
