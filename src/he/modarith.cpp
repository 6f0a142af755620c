#include "he/modarith.h"

#include <bit>
#include <string>

namespace pg::he {

Modulus::Modulus(uint64_t q) : q_(q) {
  if (q < 2 || q >= (uint64_t{1} << 61)) {
    throw std::invalid_argument("Modulus: q must be in [2, 2^61), got " + std::to_string(q));
  }
  bits_ = 64 - std::countl_zero(q);
  // floor(2^128 / q): divide (2^128 − 1) and correct for the case q divides 2^128 (q a power
  // of two), where the remainder would wrap.
  const u128 all = ~u128(0);
  u128 ratio = all / q;
  if (all % q == q - 1) ratio += 1;
  r0_ = uint64_t(ratio);
  r1_ = uint64_t(ratio >> 64);
  mu_ = uint64_t((u128(1) << (2 * bits_)) / q);
}

uint64_t Modulus::pow(uint64_t base, uint64_t e) const {
  uint64_t result = 1 % q_, b = base % q_;
  while (e > 0) {
    if (e & 1) result = mul(result, b);
    b = mul(b, b);
    e >>= 1;
  }
  return result;
}

uint64_t Modulus::inverse(uint64_t a) const {
  if (a % q_ == 0) throw std::invalid_argument("Modulus::inverse of 0");
  return pow(a, q_ - 2);
}

}  // namespace pg::he
