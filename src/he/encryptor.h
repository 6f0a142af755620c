// Encryption. All ciphertexts come out in the NTT domain at the plaintext's level.
//
// - Public key: (u·p0 + e0, u·p1 + e1) + (m, 0), u ternary, e0, e1 centred binomial. With
//   special primes the sample is drawn over Q·P and divided by P (as SEAL does), which divides
//   the u·e term by P: fresh noise is then about as small as a symmetric encryption's.
// - Symmetric, seeded: (−a·s + e + m, a) with a = expand_uniform(seed) for a fresh 32-byte seed;
//   the ciphertext remembers the seed, so it serialises as c0 and the seed.
// - Flooded encryption of zero (PROTOCOL.md §3 step 3): a public-key encryption of zero whose
//   c0 noise is uniform in [−2^b, 2^b), b ≤ 120, drawn directly at the requested level. Adding it
//   to a result re-randomises it: the sum's c1 is uniform and independent of the result's c1,
//   and its noise hides the result's noise (statistically, when 2^b ≥ 2^σ · |noise|).
#pragma once

#include <cstddef>

#include "core/prg.h"
#include "he/ciphertext.h"
#include "he/context.h"
#include "he/keys.h"

namespace pg::he {

class Encryptor {
 public:
  Encryptor(ContextPtr ctx, const PublicKey& pk);
  Encryptor(ContextPtr ctx, const SecretKey& sk);
  Encryptor(ContextPtr ctx, const PublicKey& pk, const SecretKey& sk);

  // Public key. pt must be in the NTT domain; out has pt's level and scale.
  void encrypt(const Plaintext& pt, Ciphertext& out, core::Prg& prg) const;
  void encrypt_zero(size_t level, double scale, Ciphertext& out, core::Prg& prg) const;
  void encrypt_zero_flooded(size_t level, int flood_bits, Ciphertext& out, core::Prg& prg) const;

  // Secret key, seeded. pt must be in the NTT domain.
  void encrypt_symmetric(const Plaintext& pt, Ciphertext& out, core::Prg& prg) const;

 private:
  const PublicKey& need_pk() const;
  const SecretKey& need_sk() const;
  void zero_over_qp(size_t level, Ciphertext& out, core::Prg& prg) const;
  void zero_over_q(size_t level, int flood_bits, Ciphertext& out, core::Prg& prg) const;

  ContextPtr ctx_;
  bool has_pk_ = false, has_sk_ = false;
  PublicKey pk_;
  SecretKey sk_;
};

}  // namespace pg::he
