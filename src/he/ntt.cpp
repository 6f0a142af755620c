#include "he/ntt.h"

#include <bit>
#include <stdexcept>

#include "he/primes.h"

namespace pg::he {
namespace {

size_t bit_reverse(size_t x, int bits) {
  size_t r = 0;
  for (int i = 0; i < bits; ++i) r |= ((x >> i) & 1) << (bits - 1 - i);
  return r;
}

}  // namespace

NttTables::NttTables(size_t n, const Modulus& q)
    : n_(n), log_n_(std::countr_zero(n)), q_(q), psi_rev_(n), psi_inv_rev_(n) {
  if (n < 2 || (n & (n - 1)) != 0) throw std::invalid_argument("NttTables: n must be 2^k");
  if (q.value() >= (uint64_t{1} << 61)) throw std::invalid_argument("NttTables: q >= 2^61");
  const uint64_t qv = q.value();
  const uint64_t psi = primitive_root_2n(qv, n), psi_inv = q.inverse(psi);
  uint64_t p = 1, pi = 1;
  for (size_t i = 0; i < n; ++i) {
    const size_t r = bit_reverse(i, log_n_);
    psi_rev_[r] = ShoupConst(p, qv);
    psi_inv_rev_[r] = ShoupConst(pi, qv);
    p = q.mul(p, psi);
    pi = q.mul(pi, psi_inv);
  }
  n_inv_ = ShoupConst(q.inverse(n % qv), qv);
}

void NttTables::forward(uint64_t* a) const {
  const uint64_t q = q_.value(), two_q = 2 * q;
  // Cooley–Tukey; invariant: entries in [0, 4q) at every stage boundary.
  for (size_t m = 1, t = n_ >> 1; m < n_; m <<= 1, t >>= 1) {
    for (size_t i = 0; i < m; ++i) {
      const ShoupConst& w = psi_rev_[m + i];
      uint64_t* x = a + 2 * i * t;
      uint64_t* y = x + t;
      for (size_t j = 0; j < t; ++j) {
        uint64_t u = x[j];
        u -= (u >= two_q) ? two_q : 0;                  // [0, 2q)
        const uint64_t v = mul_shoup_lazy(y[j], w, q);  // [0, 2q)
        x[j] = u + v;                                   // [0, 4q)
        y[j] = u + two_q - v;                           // (0, 4q)
      }
    }
  }
  for (size_t i = 0; i < n_; ++i) {
    uint64_t v = a[i];
    v -= (v >= two_q) ? two_q : 0;
    v -= (v >= q) ? q : 0;
    a[i] = v;
  }
}

void NttTables::inverse(uint64_t* a) const {
  const uint64_t q = q_.value(), two_q = 2 * q;
  // Gentleman–Sande; invariant: entries in [0, 2q) at every stage boundary.
  for (size_t m = n_ >> 1, t = 1; m >= 1; m >>= 1, t <<= 1) {
    for (size_t i = 0; i < m; ++i) {
      const ShoupConst& w = psi_inv_rev_[m + i];
      uint64_t* x = a + 2 * i * t;
      uint64_t* y = x + t;
      for (size_t j = 0; j < t; ++j) {
        const uint64_t u = x[j], v = y[j];
        uint64_t s = u + v;             // [0, 4q)
        s -= (s >= two_q) ? two_q : 0;  // [0, 2q)
        x[j] = s;
        y[j] = mul_shoup_lazy(u + two_q - v, w, q);  // [0, 2q)
      }
    }
  }
  for (size_t i = 0; i < n_; ++i) a[i] = mul_shoup(a[i], n_inv_, q);
}

}  // namespace pg::he
