// Word-size modular arithmetic for NTT-friendly primes q < 2^61: Barrett reduction of 128-bit
// products by a precomputed floor(2^128 / q), and Shoup multiplication by a constant w with
// precomputed floor(w · 2^64 / q) (one high product, one low product, no division).
#pragma once

#include <cstdint>
#include <stdexcept>

namespace pg::he {

// __extension__ keeps -Wpedantic quiet about the GCC/Clang 128-bit integer types.
__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

inline uint64_t mul_hi(uint64_t a, uint64_t b) {
  return uint64_t((u128(a) * b) >> 64);
}

// r − q if r ≥ q, else r; for r < 2q ≤ 2^63 (r − q wraps above r exactly when r < q). The
// min compiles to a conditional move: no data-dependent branch to mispredict.
inline uint64_t csub(uint64_t r, uint64_t q) {
  const uint64_t d = r - q;
  return d < r ? d : r;
}

class Modulus {
 public:
  Modulus() = default;
  explicit Modulus(uint64_t q);

  uint64_t value() const { return q_; }
  int bits() const { return bits_; }

  // x mod q for x < 2^124 (Barrett: the quotient estimate is at most 2 below the truth, and the
  // partial sums below stay under 2^128 because q < 2^61 makes floor(2^128/q)·x/2^64 small).
  uint64_t reduce(u128 x) const {
    const uint64_t lo = uint64_t(x), hi = uint64_t(x >> 64);
    // floor(x · μ / 2^128) up to a small error, from the three significant partial products.
    const u128 mid = u128(hi) * r0_ + u128(lo) * r1_ + mul_hi(lo, r0_);
    const uint64_t qhat = hi * r1_ + uint64_t(mid >> 64);
    uint64_t r = lo - qhat * q_;
    r = csub(csub(r, q_), q_);
    return r;
  }
  // x mod q for any 64-bit x: floor(x·r1 / 2^64) with r1 = floor(2^64/q) underestimates the
  // quotient by at most 2, so two conditional subtractions finish the job.
  uint64_t reduce_word(uint64_t x) const {
    uint64_t r = x - mul_hi(x, r1_) * q_;
    r = csub(csub(r, q_), q_);
    return r;
  }
  uint64_t reduce(uint64_t x) const { return reduce_word(x); }
  // x mod q for x < 2^(2b+1), b = bits(): a product of two residues, plus a residue, or the sum
  // of two such products. Barrett on the bit length, with three multiplications where reduce()
  // needs six: with t = floor(x / 2^(b−1)) < 2^(b+2) and μ = floor(2^(2b) / q) ≤ 2^(b+1), the
  // estimate floor(t·μ / 2^(b+1)) is at most 3 below floor(x/q) (dropping the floor of t costs
  // less than μ/2^(b+1) ≤ 1, that of μ less than x/2^(2b) < 2, the last floor less than 1), so
  // r < 4q < 2^63 and two conditional subtractions (2q, then q) finish.
  uint64_t reduce_product(u128 x) const {
    const uint64_t lo = uint64_t(x), hi = uint64_t(x >> 64);
    const uint64_t t = (lo >> (bits_ - 1)) | (hi << (65 - bits_));  // bits_ in [2, 61]
    const u128 tm = u128(t) * mu_;
    const uint64_t qhat = (uint64_t(tm) >> (bits_ + 1)) | (uint64_t(tm >> 64) << (63 - bits_));
    const uint64_t r = lo - qhat * q_;
    return csub(csub(r, 2 * q_), q_);
  }
  // a·b mod q for residues a, b < q (reduce_product).
  uint64_t mul_residues(uint64_t a, uint64_t b) const { return reduce_product(u128(a) * b); }
  uint64_t mul(uint64_t a, uint64_t b) const { return reduce(u128(a) * b); }
  uint64_t add(uint64_t a, uint64_t b) const {
    const uint64_t s = a + b;
    return s >= q_ ? s - q_ : s;
  }
  uint64_t sub(uint64_t a, uint64_t b) const { return a >= b ? a - b : a + q_ - b; }
  uint64_t neg(uint64_t a) const { return a == 0 ? 0 : q_ - a; }
  // A signed value reduced into [0, q) without a branch or a division (for secret values).
  uint64_t reduce_signed(int64_t v) const {
    const uint64_t neg = 0 - (uint64_t(v) >> 63);  // all-ones if v < 0
    const uint64_t mag = (uint64_t(v) ^ neg) - neg;
    const uint64_t r = reduce_word(mag);
    const uint64_t nr = (q_ - r) & (0 - uint64_t(r != 0));
    return (nr & neg) | (r & ~neg);
  }
  // floor(w·2^64/q) for w < q (the Shoup companion) without a division: w·floor(2^128/q)/2^64
  // is at most one below it, and the remainder w·2^64 − w'·q (< 2q, so its low word is all of
  // it) says whether to add the one.
  uint64_t shoup(uint64_t w) const {
    const uint64_t est = w * r1_ + mul_hi(w, r0_);
    const uint64_t rem = 0 - est * q_;
    return est + (rem >= q_ ? 1 : 0);
  }
  uint64_t pow(uint64_t base, uint64_t e) const;
  // a^{-1} mod q (q prime); throws std::invalid_argument for a ≡ 0.
  uint64_t inverse(uint64_t a) const;
  // A signed value reduced into [0, q).
  uint64_t from_signed(int64_t v) const {
    const int64_t r = v % int64_t(q_);
    return uint64_t(r < 0 ? r + int64_t(q_) : r);
  }

 private:
  uint64_t q_ = 0;
  uint64_t r0_ = 0, r1_ = 0;  // floor(2^128 / q) = r1·2^64 + r0
  uint64_t mu_ = 0;           // floor(2^(2·bits) / q)
  int bits_ = 0;
};

// floor(w·2^64 / q) for w < q: the Shoup companion of w.
inline uint64_t shoup_companion(uint64_t w, uint64_t q) {
  return uint64_t((u128(w) << 64) / q);
}

// Multiplication by a constant w with its Shoup companion w' = floor(w·2^64 / q).
struct ShoupConst {
  uint64_t w = 0, w_shoup = 0;
  static ShoupConst make(uint64_t w, uint64_t q) { return {w, shoup_companion(w, q)}; }
};

// a·w mod q in [0, 2q), for any a < 2^64.
inline uint64_t mul_shoup_lazy(uint64_t a, const ShoupConst& c, uint64_t q) {
  return a * c.w - mul_hi(a, c.w_shoup) * q;
}
inline uint64_t mul_shoup(uint64_t a, const ShoupConst& c, uint64_t q) {
  const uint64_t r = mul_shoup_lazy(a, c, q);
  return r >= q ? r - q : r;
}

}  // namespace pg::he
