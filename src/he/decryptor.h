// Decryption: x = c0 + c1·s (+ c2·s² for a ciphertext not yet relinearised) over the
// ciphertext's primes, and noise measurement for tests and parameter selection.
#pragma once

#include <cstddef>

#include "he/ciphertext.h"
#include "he/context.h"
#include "he/keys.h"
#include "he/reply.h"

namespace pg::he {

class Decryptor {
 public:
  Decryptor(ContextPtr ctx, const SecretKey& sk);

  // x in the NTT domain (what the CKKS decoder takes), at the ciphertext's level and scale.
  void decrypt(const Ciphertext& ct, Plaintext& out) const;
  // x as raw coefficients mod Q_level (coefficient domain).
  void decrypt_coeffs(const Ciphertext& ct, Plaintext& out) const;

  // x = c0 + c1·s of a compact reply (reply.h), coefficient domain, at the reply's level; only
  // the reply's coefficients are meaningful (the others are zero).
  void decrypt_reply(const Reply& reply, Plaintext& out) const;

  // log2 of max_j |x_j − m_j| (centred mod Q_level), where m is the expected plaintext at the
  // ciphertext's level in either domain: the noise, for tests. Returns −1 for a noiseless match.
  double noise_log2(const Ciphertext& ct, const Plaintext& expected) const;

 private:
  ContextPtr ctx_;
  SecretKey sk_;
};

}  // namespace pg::he
