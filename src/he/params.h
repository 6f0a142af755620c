// CKKS parameters: a literal (plain data, unchecked) is validated by make_params() into an
// immutable Params with an id; a Context (context.h) then holds the per-level chain.
//
// Primes: the data primes q_0 .. q_{L-1} carry ciphertexts (level l uses q_0 .. q_l, so
// rescaling and modulus switching drop q_l first and q_0 is the last prime standing), and the
// special primes p_0 .. p_{k-1} (k ≥ 0) exist only inside hybrid key switching: a key switch
// decomposes a polynomial into digits of k consecutive data primes each and divides by
// P = p_0···p_{k-1} at the end. make_params requires P > Q_d/2 for every digit product Q_d
// (each bit by which Q_d exceeds P is a bit of key-switching noise).
//
// Security: the total log2(Q·P) (the sum of the primes' bit lengths, as SEAL counts it) must not
// exceed the HomomorphicEncryption.org 128-bit bound for ternary secrets: N = 2^10: 27,
// 2^11: 54, 2^12: 109, 2^13: 218, 2^14: 438, 2^15: 881. The standard stops at 2^15; for 2^16
// we use 1772, its doubling (the table's bounds grow slightly faster than linearly in N, so
// linear extrapolation is conservative).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace pg::he {

using ParamsId = uint64_t;

struct ParamsLiteral {
  size_t n = 0;                         // ring degree N, a power of two in [2^10, 2^16]
  std::vector<int> prime_bits;          // bit sizes of q_0 .. q_{L-1}, each in [20, 60]
  std::vector<int> special_prime_bits;  // bit sizes of p_0 .. p_{k-1}, each in [20, 60]
  // Explicit primes instead of bit sizes (each prime, < 2^60 and ≡ 1 mod 2N). When non-empty
  // they replace prime_bits / special_prime_bits.
  std::vector<uint64_t> primes;
  std::vector<uint64_t> special_primes;

  static ParamsLiteral from_bits(size_t n, std::vector<int> prime_bits,
                                 std::vector<int> special_prime_bits = {}) {
    ParamsLiteral l;
    l.n = n;
    l.prime_bits = std::move(prime_bits);
    l.special_prime_bits = std::move(special_prime_bits);
    return l;
  }
};

class Params {
 public:
  size_t n() const { return n_; }
  int log_n() const { return log_n_; }
  const std::vector<uint64_t>& primes() const { return primes_; }
  const std::vector<uint64_t>& special_primes() const { return special_; }
  size_t data_primes() const { return primes_.size(); }
  size_t special_count() const { return special_.size(); }
  // Sum of the bit lengths of all primes (data and special).
  int log2_qp() const { return log2_qp_; }
  // A 64-bit digest (SHA-256) of N and the primes: equal ids mean equal parameters.
  ParamsId id() const { return id_; }

 private:
  friend std::shared_ptr<const Params> make_params(const ParamsLiteral& lit);
  Params() = default;
  size_t n_ = 0;
  int log_n_ = 0;
  std::vector<uint64_t> primes_, special_;
  int log2_qp_ = 0;
  ParamsId id_ = 0;
};

using ParamsPtr = std::shared_ptr<const Params>;

// Validates the literal: N, prime sizes, primality, q ≡ 1 mod 2N, distinctness, and the 128-bit
// security bound. Primes chosen from bit sizes are the largest distinct NTT-friendly primes below
// 2^bits (deterministic, so equal literals give equal ids). Throws std::invalid_argument with
// the reason.
ParamsPtr make_params(const ParamsLiteral& lit);

// The 128-bit bound on log2(Q·P) for ternary secrets at degree n (0 if n is not supported).
int max_log2_qp_128(size_t n);

}  // namespace pg::he
