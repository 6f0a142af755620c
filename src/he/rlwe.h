// The RLWE core of the engine: a context (ring degree N, the prime chain q_0 .. q_{L-1}, NTT
// tables), ternary secret keys, seeded public keys, symmetric seeded encryption, public-key
// encryption of zero with flooding noise, plaintext multiplication in the NTT domain, modulus
// switching by divide-and-round, and exact decryption.
//
// Levels: a ciphertext at `limbs` = k uses the first k primes q_0 .. q_{k-1}; modulus switching
// drops the last prime. Errors are centred binomial with k = 21 (variance 10.5, σ ≈ 3.24 ≥ 3.2,
// sampled in constant time by popcounts); secrets and the pk-encryption mask u are uniform
// ternary.
//
// BFV-style integer plaintexts (PROTOCOL.md §3 as the protocol runs it): a message m ∈ Z_t with
// t = 2^ℓ is encoded as round(Q·m/t) (encode_scaled); decode_scaled recovers
// round(t·x/Q) mod t from x = c0 + c1·s mod Q, exact when |noise| < Q/(2t).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/prg.h"
#include "he/modarith.h"
#include "he/ntt.h"
#include "he/rns_poly.h"

namespace pg::he {

class RlweContext {
 public:
  // Primes chosen for the given bit sizes (q_0 first). Throws std::invalid_argument for N not
  // a power of two in [2^10, 2^16], prime sizes outside [20, 60], or (N, log Q) beyond the
  // HomomorphicEncryption.org 128-bit table for ternary secrets.
  static std::shared_ptr<const RlweContext> create(size_t n, const std::vector<int>& prime_bits);
  // With explicit primes (each ≡ 1 mod 2N), e.g. for tests; the same checks apply.
  static std::shared_ptr<const RlweContext> create_with_primes(size_t n,
                                                               const std::vector<uint64_t>& primes,
                                                               bool check_security = true);

  size_t n() const { return n_; }
  size_t max_limbs() const { return moduli_.size(); }
  const Modulus& modulus(size_t i) const { return moduli_[i]; }
  const NttTables& ntt(size_t i) const { return ntt_[i]; }
  int log2_q(size_t limbs) const;

  void to_ntt(RnsPoly& p) const;
  void from_ntt(RnsPoly& p) const;

 private:
  RlweContext(size_t n, const std::vector<uint64_t>& primes);
  size_t n_;
  std::vector<Modulus> moduli_;
  std::vector<NttTables> ntt_;
};

using ContextPtr = std::shared_ptr<const RlweContext>;

class SecretKey {
 public:
  SecretKey(ContextPtr ctx, core::Prg& prg);
  ~SecretKey();
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;
  const RnsPoly& s_ntt() const { return s_; }  // all primes, NTT domain
  const ContextPtr& context() const { return ctx_; }

 private:
  ContextPtr ctx_;
  RnsPoly s_;
};

struct PublicKey {
  RnsPoly p0;         // −a·s + e, NTT domain, all primes
  core::Seed seed{};  // a = expand_uniform(seed)
};

struct Ciphertext {
  RnsPoly c0, c1;
  bool seeded = false;  // c1 is expand_uniform(seed)
  core::Seed seed{};
  size_t limbs() const { return c0.limbs; }
};

// Uniform polynomial in the NTT domain from a 32-byte seed (deterministic).
RnsPoly expand_uniform(const RlweContext& ctx, const core::Seed& seed, size_t limbs);

PublicKey make_public_key(const SecretKey& sk, core::Prg& prg);

// (c0, c1) = (−a·s + e + m, a) with a expanded from a fresh seed; m in coefficient form.
Ciphertext encrypt_symmetric(const SecretKey& sk, const RnsPoly& m, core::Prg& prg);

// (u·p0 + e0, u·a + e1) at `limbs` primes, NTT domain: e1 centred binomial, e0 uniform in
// [−2^flood_bits, 2^flood_bits) (flood_bits ≤ 120), or centred binomial if flood_bits < 0.
Ciphertext encrypt_zero_public(const RlweContext& ctx, const PublicKey& pk, size_t limbs,
                               int flood_bits, core::Prg& prg);

// acc += ct · pt, all in the NTT domain at acc's level (ct and pt may have more limbs).
void mul_plain_accumulate(const RlweContext& ctx, const Ciphertext& ct, const RnsPoly& pt_ntt,
                          Ciphertext& acc);

// Divide-and-round by the last primes until `limbs` remain: c ↦ round(c · Q'/Q). The message
// of a BFV-style ciphertext is kept. Works in (and returns to) the coefficient domain.
void mod_switch_to(const RlweContext& ctx, Ciphertext& ct, size_t limbs);

// x = c0 + c1·s in the coefficient domain, at the ciphertext's level.
RnsPoly decrypt_raw(const SecretKey& sk, const Ciphertext& ct);

// round(Q·m/t) per coefficient, t = 2^ell (2 ≤ ell ≤ 62), for the first `limbs` primes.
RnsPoly encode_scaled(const RlweContext& ctx, size_t limbs, std::span<const uint64_t> m, int ell);

// round(t·x/Q) mod t for coefficient j of x (coefficient domain, limbs ≤ 2).
uint64_t decode_scaled(const RlweContext& ctx, const RnsPoly& x, size_t j, int ell);

// The centred value of coefficient j of x (limbs ≤ 2, Q < 2^122), for noise measurement.
i128 compose_centered(const RlweContext& ctx, const RnsPoly& x, size_t j);

}  // namespace pg::he
