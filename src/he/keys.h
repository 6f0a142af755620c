// Keys. The secret is ternary; all other keys are RLWE samples under it over the full basis
// Q·P (data primes, then special primes), in the NTT domain, with their uniform `a` parts
// expanded from 32-byte seeds so that they serialise at half size.
//
// A key-switching key from s' to s has one digit per group of α data primes (α = the number of
// special primes): digit d is (b_d, a_d) with b_d = −a_d·s + e_d + P·s'·[row i in digit d].
// Because the gadget factor (Q/Q_d)·((Q/Q_d)^{-1} mod Q_d) is 1 mod the digit's primes and 0 mod
// the others, the same key serves every level: a lower level uses the leading rows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "core/prg.h"
#include "he/context.h"
#include "he/rns_poly.h"

namespace pg::he {

class SecretKey {
 public:
  SecretKey() = default;
  // A fresh uniform ternary secret.
  SecretKey(ContextPtr ctx, core::Prg& prg);
  // The secret with the given coefficients, each in {−1, 0, 1} (N of them); throws
  // std::invalid_argument otherwise.
  static SecretKey from_ternary(ContextPtr ctx, std::span<const int8_t> coeffs);
  // The coefficients back (for serialisation).
  std::vector<int8_t> ternary() const;
  SecretKey(const SecretKey&) = default;
  SecretKey& operator=(const SecretKey&) = default;
  SecretKey(SecretKey&&) = default;
  SecretKey& operator=(SecretKey&&) = default;
  ~SecretKey() { s_.wipe(); }

  const ContextPtr& context() const { return ctx_; }
  // s over all primes (data then special), NTT domain.
  const RnsPoly& poly() const { return s_; }

 private:
  friend class Serializer;
  ContextPtr ctx_;
  RnsPoly s_;
};

// (p0, p1) = (−a·s + e, a) over all primes, a = expand_uniform(seed).
struct PublicKey {
  ParamsId params_id = 0;
  RnsPoly p0, p1;
  core::Seed seed{};
};

struct KSwitchKey {
  ParamsId params_id = 0;
  std::vector<RnsPoly> b, a;     // per digit, all primes, NTT domain
  std::vector<core::Seed> seed;  // a[d] = expand_uniform(seed[d])
};

struct RelinKeys {
  KSwitchKey key;  // s² → s
};

// Keys for Galois automorphisms X ↦ X^g, each with the permutation that applies the
// automorphism to an NTT-domain polynomial. The key for g encrypts P·s under σ_g^{-1}(s) (not
// P·σ_g(s) under s): switching c1 with it and applying σ_g afterwards gives the same result, so
// the automorphism is applied once to the output instead of to every digit, and hoisted
// rotations read their shared digits in order.
struct GaloisKeys {
  std::map<uint64_t, KSwitchKey> keys;  // σ_g(s) → s
  std::map<uint64_t, std::vector<uint32_t>> perms;
  bool has(uint64_t g) const { return keys.count(g) != 0; }
};

class KeyGenerator {
 public:
  // Uses (does not copy the randomness of) the given secret key.
  KeyGenerator(ContextPtr ctx, const SecretKey& sk);

  PublicKey public_key(core::Prg& prg) const;
  RelinKeys relin_keys(core::Prg& prg) const;
  // Keys for left rotations by each step (negative: right) and, if asked, conjugation.
  GaloisKeys galois_keys(const std::vector<int64_t>& steps, bool conjugation, core::Prg& prg) const;
  GaloisKeys galois_keys_for(const std::vector<uint64_t>& elements, core::Prg& prg) const;
  // Steps 1, 2, 4, ..., N/4 and their negatives (every rotation is a sum of these).
  GaloisKeys power_of_two_galois_keys(core::Prg& prg) const;

  // A key switching from `from` to `under` (both NTT domain over all primes): it encrypts
  // P·from under `under`.
  KSwitchKey switching_key(const RnsPoly& from, const RnsPoly& under, core::Prg& prg) const;

 private:
  ContextPtr ctx_;
  const SecretKey& sk_;
};

// A fresh RLWE sample (b, a) = (−a·s + e, a) over the first `rows` primes (NTT domain), with
// a = expand_uniform(seed) over the same primes.
void rlwe_sample(const Context& ctx, const RnsPoly& s_ntt, const core::Seed& seed, size_t rows,
                 core::Prg& prg, RnsPoly& b, RnsPoly& a);

}  // namespace pg::he
