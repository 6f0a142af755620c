#include "he/primes.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "he/modarith.h"

namespace pg::he {
namespace {

uint64_t pow_mod(uint64_t b, uint64_t e, uint64_t m) {
  u128 r = 1 % m, x = b % m;
  while (e > 0) {
    if (e & 1) r = r * x % m;
    x = x * x % m;
    e >>= 1;
  }
  return uint64_t(r);
}

}  // namespace

bool is_prime(uint64_t n) {
  if (n < 2) return false;
  for (uint64_t p : {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37}) {
    if (n % p == 0) return n == p;
  }
  uint64_t d = n - 1;
  int s = 0;
  while ((d & 1) == 0) {
    d >>= 1;
    ++s;
  }
  // These twelve bases decide primality for every n < 2^64.
  for (uint64_t a : {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37}) {
    uint64_t x = pow_mod(a, d, n);
    if (x == 1 || x == n - 1) continue;
    bool composite = true;
    for (int r = 1; r < s; ++r) {
      x = uint64_t(u128(x) * x % n);
      if (x == n - 1) {
        composite = false;
        break;
      }
    }
    if (composite) return false;
  }
  return true;
}

std::vector<uint64_t> ntt_primes(int bits, size_t n, size_t count,
                                 const std::vector<uint64_t>& exclude) {
  if (bits < 14 || bits > 60) throw std::invalid_argument("ntt_primes: bits must be in [14, 60]");
  const uint64_t step = 2 * uint64_t(n);
  const uint64_t lo = uint64_t{1} << (bits - 1), hi = uint64_t{1} << bits;
  std::vector<uint64_t> out;
  // Largest candidate ≡ 1 mod 2n below 2^bits.
  for (uint64_t c = (hi - 1) / step * step + 1; c > lo && out.size() < count; c -= step) {
    if (is_prime(c) && std::find(exclude.begin(), exclude.end(), c) == exclude.end()) {
      out.push_back(c);
    }
  }
  if (out.size() < count) {
    throw std::invalid_argument("ntt_primes: fewer than " + std::to_string(count) + " primes of " +
                                std::to_string(bits) + " bits are 1 mod " + std::to_string(step));
  }
  return out;
}

uint64_t primitive_root_2n(uint64_t q, size_t n) {
  const uint64_t m = 2 * uint64_t(n);
  if ((q - 1) % m != 0) throw std::invalid_argument("primitive_root_2n: q is not 1 mod 2n");
  for (uint64_t x = 2; x < q; ++x) {
    const uint64_t psi = pow_mod(x, (q - 1) / m, q);
    if (pow_mod(psi, n, q) == q - 1) return psi;  // ψ^n = −1, so ψ has order exactly 2n
  }
  throw std::invalid_argument("primitive_root_2n: no root found");
}

}  // namespace pg::he
