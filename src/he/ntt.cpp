#include "he/ntt.h"

#include <bit>
#include <stdexcept>
#include <string>

#include "he/primes.h"
#include "he/simd.h"

namespace pg::he {
namespace {

size_t bit_reverse(size_t x, int bits) {
  size_t r = 0;
  for (int i = 0; i < bits; ++i) r |= ((x >> i) & 1) << (bits - 1 - i);
  return r;
}

// Per-lane twiddles of the stage with t = 2: two groups per register, lanes
// [w_{2k}, w_{2k}, w_{2k+1}, w_{2k+1}] for the twiddles w_i of that stage.
void lanes_t2(const U64Vec& w, size_t m, U64Vec& out) {
  out.resize(2 * m);
  for (size_t k = 0; k < m / 2; ++k) {
    out[4 * k + 0] = out[4 * k + 1] = w[m + 2 * k];
    out[4 * k + 2] = out[4 * k + 3] = w[m + 2 * k + 1];
  }
}

// Per-lane twiddles of the stage with t = 1: four groups per register, after unpacking into
// lanes [g0, g2, g1, g3].
void lanes_t1(const U64Vec& w, size_t m, U64Vec& out) {
  out.resize(m);
  for (size_t k = 0; k < m / 4; ++k) {
    out[4 * k + 0] = w[m + 4 * k + 0];
    out[4 * k + 1] = w[m + 4 * k + 2];
    out[4 * k + 2] = w[m + 4 * k + 1];
    out[4 * k + 3] = w[m + 4 * k + 3];
  }
}

}  // namespace

NttTables::NttTables(size_t n, const Modulus& q) : n_(n), q_(q) {
  if (n < 2 || n > (size_t{1} << 17) || (n & (n - 1)) != 0) {
    throw std::invalid_argument("NttTables: n must be a power of two in [2, 2^17], got " +
                                std::to_string(n));
  }
  log_n_ = std::countr_zero(n);
  const uint64_t qv = q.value();
  if (qv >= (uint64_t{1} << 61)) throw std::invalid_argument("NttTables: q must be below 2^61");
  psi_ = primitive_root_2n(qv, n);
  const uint64_t psi_inv = q.inverse(psi_);
  w_.resize(n);
  wp_.resize(n);
  iw_.resize(n);
  iwp_.resize(n);
  uint64_t p = 1, pi = 1;
  for (size_t i = 0; i < n; ++i) {
    const size_t r = bit_reverse(i, log_n_);
    w_[r] = p;
    wp_[r] = shoup_companion(p, qv);
    iw_[r] = pi;
    iwp_[r] = shoup_companion(pi, qv);
    p = q.mul(p, psi_);
    pi = q.mul(pi, psi_inv);
  }
  n_inv_ = ShoupConst::make(q.inverse(n % qv), qv);
  n_inv_w1_ = ShoupConst::make(q.mul(n_inv_.w, iw_[1]), qv);
  if (n >= 8) {
    lanes_t2(w_, n / 4, w2_);
    lanes_t2(wp_, n / 4, wp2_);
    lanes_t1(w_, n / 2, w1_);
    lanes_t1(wp_, n / 2, wp1_);
    lanes_t2(iw_, n / 4, iw2_);
    lanes_t2(iwp_, n / 4, iwp2_);
    lanes_t1(iw_, n / 2, iw1_);
    lanes_t1(iwp_, n / 2, iwp1_);
  }
}

void NttTables::forward(uint64_t* a) const {
  if (n_ >= 8) {
    forward_avx2(a);
  } else {
    forward_scalar(a);
  }
}

void NttTables::inverse(uint64_t* a) const {
  if (n_ >= 8) {
    inverse_avx2(a);
  } else {
    inverse_scalar(a);
  }
}

void NttTables::forward_scalar(uint64_t* a) const {
  const uint64_t q = q_.value(), two_q = 2 * q;
  // Cooley–Tukey; invariant: entries in [0, 4q) at every stage boundary.
  for (size_t m = 1, t = n_ >> 1; m < n_; m <<= 1, t >>= 1) {
    for (size_t i = 0; i < m; ++i) {
      const ShoupConst w{w_[m + i], wp_[m + i]};
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

void NttTables::inverse_scalar(uint64_t* a) const {
  const uint64_t q = q_.value(), two_q = 2 * q;
  // Gentleman–Sande; invariant: entries in [0, 2q) at every stage boundary.
  for (size_t m = n_ >> 1, t = 1; m >= 1; m >>= 1, t <<= 1) {
    for (size_t i = 0; i < m; ++i) {
      const ShoupConst w{iw_[m + i], iwp_[m + i]};
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
