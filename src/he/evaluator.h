// Homomorphic operations on NTT-domain ciphertexts. Every operation comes as op(a, ..., out) and
// op_inplace(a, ...); out may alias an input. Misuse (other parameters, mismatched levels or
// scales, a plaintext in the wrong domain, a missing key) throws std::invalid_argument.
//
// Levels: binary operations need equal levels (use drop_to_level or rescale first); a plaintext
// may sit at a higher level than the ciphertext (its leading rows are used). Scales must agree to
// a relative 1e-9 for additions; products multiply them.
//
// Rescale divides by the last prime with rounding and divides the scale by it (CKKS);
// mod_switch_round_to does the same division but keeps the scale (for BFV-style plaintexts
// round(Q·m/t), whose ratio Q/t is what the division preserves); drop_to_level discards primes
// without dividing (the CKKS modulus switch: the message and scale are unchanged).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "he/ciphertext.h"
#include "he/context.h"
#include "he/keys.h"

namespace pg::he {

class Evaluator {
 public:
  explicit Evaluator(ContextPtr ctx);
  const Context& context() const { return *ctx_; }

  void add(const Ciphertext& a, const Ciphertext& b, Ciphertext& out) const {
    combine(a, b, false, out);
  }
  void add_inplace(Ciphertext& a, const Ciphertext& b) const { add(a, b, a); }
  void sub(const Ciphertext& a, const Ciphertext& b, Ciphertext& out) const {
    combine(a, b, true, out);
  }
  void sub_inplace(Ciphertext& a, const Ciphertext& b) const { sub(a, b, a); }
  void negate(const Ciphertext& a, Ciphertext& out) const;
  void negate_inplace(Ciphertext& a) const { negate(a, a); }

  // Touch c0 only: a seeded ciphertext stays seeded.
  void add_plain(const Ciphertext& a, const Plaintext& p, Ciphertext& out) const {
    plain_c0(a, p, false, out);
  }
  void add_plain_inplace(Ciphertext& a, const Plaintext& p) const { add_plain(a, p, a); }
  void sub_plain(const Ciphertext& a, const Plaintext& p, Ciphertext& out) const {
    plain_c0(a, p, true, out);
  }
  void sub_plain_inplace(Ciphertext& a, const Plaintext& p) const { sub_plain(a, p, a); }

  void multiply_plain(const Ciphertext& a, const Plaintext& p, Ciphertext& out) const;
  void multiply_plain_inplace(Ciphertext& a, const Plaintext& p) const { multiply_plain(a, p, a); }
  // out = Σ_k cts[k]·pts[k] (all ciphertexts at one level and scale; plaintexts NTT, at that
  // level or above). Products are summed in 128 bits and reduced once per prime and coefficient
  // (or every 2^(124 − 2·log2 q) terms), so each term costs one 64×64-bit multiply per row.
  void inner_product_plain(std::span<const Ciphertext* const> cts,
                           std::span<const Plaintext* const> pts, Ciphertext& out) const;

  // Tensor product: size 3 at the same level, scale a·b.
  void multiply(const Ciphertext& a, const Ciphertext& b, Ciphertext& out) const;
  void multiply_inplace(Ciphertext& a, const Ciphertext& b) const { multiply(a, b, a); }
  void square(const Ciphertext& a, Ciphertext& out) const { multiply(a, a, out); }
  void relinearize(const Ciphertext& a, const RelinKeys& rk, Ciphertext& out) const;
  void relinearize_inplace(Ciphertext& a, const RelinKeys& rk) const { relinearize(a, rk, a); }

  void rescale_to_next(const Ciphertext& a, Ciphertext& out) const;
  void rescale_to_next_inplace(Ciphertext& a) const { rescale_to_next(a, a); }
  void mod_switch_round_to(const Ciphertext& a, size_t level, Ciphertext& out) const;
  void mod_switch_round_to_inplace(Ciphertext& a, size_t level) const {
    mod_switch_round_to(a, level, a);
  }
  void drop_to_level(const Ciphertext& a, size_t level, Ciphertext& out) const;
  void drop_to_level_inplace(Ciphertext& a, size_t level) const { drop_to_level(a, level, a); }

  // Left rotation of the slots by `steps` (negative: right), and complex conjugation, by
  // hybrid key switching. The Galois key for the element must be present.
  void rotate(const Ciphertext& a, int64_t steps, const GaloisKeys& gk, Ciphertext& out) const;
  void rotate_inplace(Ciphertext& a, int64_t steps, const GaloisKeys& gk) const {
    rotate(a, steps, gk, a);
  }
  void conjugate(const Ciphertext& a, const GaloisKeys& gk, Ciphertext& out) const;
  void conjugate_inplace(Ciphertext& a, const GaloisKeys& gk) const { conjugate(a, gk, a); }
  void apply_galois(const Ciphertext& a, uint64_t g, const GaloisKeys& gk, Ciphertext& out) const;
  // Hoisted rotations: one decomposition of c1 shared by all the steps (out[i] ← steps[i]).
  void rotate_hoisted(const Ciphertext& a, std::span<const int64_t> steps, const GaloisKeys& gk,
                      std::vector<Ciphertext>& out) const;

 private:
  void check(const Ciphertext& a, const char* what) const;
  void check_plain(const Ciphertext& a, const Plaintext& p, const char* op) const;
  void check_galois(const Ciphertext& a, const char* op) const;
  void combine(const Ciphertext& a, const Ciphertext& b, bool subtract, Ciphertext& out) const;
  void plain_c0(const Ciphertext& a, const Plaintext& p, bool subtract, Ciphertext& out) const;
  void divide_round_last(Ciphertext& a) const;

  ContextPtr ctx_;
};

}  // namespace pg::he
