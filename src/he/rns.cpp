#include "he/rns.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/assert.h"

namespace pg::he {

namespace mp {

uint64_t add_mul_word(uint64_t* a, const uint64_t* b, uint64_t w, size_t n) {
  uint64_t carry = 0;
  for (size_t i = 0; i < n; ++i) {
    const u128 t = u128(b[i]) * w + a[i] + carry;
    a[i] = uint64_t(t);
    carry = uint64_t(t >> 64);
  }
  return carry;
}

uint64_t sub(uint64_t* a, const uint64_t* b, size_t n) {
  uint64_t borrow = 0;
  for (size_t i = 0; i < n; ++i) {
    const u128 t = u128(a[i]) - b[i] - borrow;
    a[i] = uint64_t(t);
    borrow = uint64_t(t >> 64) & 1;
  }
  return borrow;
}

int cmp(const uint64_t* a, const uint64_t* b, size_t n) {
  for (size_t i = n; i-- > 0;) {
    if (a[i] != b[i]) return a[i] > b[i] ? 1 : -1;
  }
  return 0;
}

bool geq(const uint64_t* a, const uint64_t* b, size_t n) {
  return cmp(a, b, n) >= 0;
}

double to_double(const uint64_t* a, size_t n) {
  double r = 0;
  for (size_t i = n; i-- > 0;) r = r * 18446744073709551616.0 + double(a[i]);
  return r;
}

}  // namespace mp

BaseConverter::BaseConverter(std::vector<Modulus> from, std::vector<Modulus> to)
    : from_(std::move(from)), to_(std::move(to)) {
  PG_ASSERT(!from_.empty() && from_.size() <= 16, "base conversion from 1..16 primes");
  const size_t k = from_.size();
  inv_hat_.resize(k);
  for (size_t i = 0; i < k; ++i) {
    uint64_t hat = 1;  // (B/b_i) mod b_i
    for (size_t l = 0; l < k; ++l) {
      if (l != i) hat = from_[i].mul(hat, from_[i].reduce(from_[l].value()));
    }
    inv_hat_[i] = ShoupConst::make(from_[i].inverse(hat), from_[i].value());
  }
  hat_mod_.assign(to_.size(), std::vector<uint64_t>(k));
  for (size_t j = 0; j < to_.size(); ++j) {
    for (size_t i = 0; i < k; ++i) {
      uint64_t hat = 1;
      for (size_t l = 0; l < k; ++l) {
        if (l != i) hat = to_[j].mul(hat, to_[j].reduce(from_[l].value()));
      }
      hat_mod_[j][i] = hat;
    }
  }
}

void BaseConverter::convert(const uint64_t* const* in, uint64_t* const* out, size_t n,
                            size_t to_count) const {
  const size_t k = from_.size();
  const size_t m = std::min(to_count, to_.size());
  if (k == 1) {
    // B/b_0 = 1: the conversion is the exact reduction of x < b_0 into each c_j.
    for (size_t j = 0; j < m; ++j) {
      const Modulus& c = to_[j];
      for (size_t t = 0; t < n; ++t) out[j][t] = c.reduce_word(in[0][t]);
    }
    return;
  }
  std::vector<uint64_t> y(k * n);
  for (size_t i = 0; i < k; ++i) {
    const uint64_t b = from_[i].value();
    for (size_t t = 0; t < n; ++t) y[i * n + t] = mul_shoup(in[i][t], inv_hat_[i], b);
  }
  for (size_t j = 0; j < m; ++j) {
    const Modulus& c = to_[j];
    const uint64_t* hat = hat_mod_[j].data();
    // k ≤ 16 terms below 2^122 each: the sum stays below 2^126, inside Barrett's range.
    for (size_t t = 0; t < n; ++t) {
      u128 acc = 0;
      for (size_t i = 0; i < k; ++i) acc += u128(y[i * n + t]) * hat[i];
      out[j][t] = c.reduce(acc);
    }
  }
}

CrtComposer::CrtComposer(std::vector<Modulus> basis) : basis_(std::move(basis)) {
  PG_ASSERT(!basis_.empty() && basis_.size() <= 64, "CRT basis of 1..64 primes");
  const size_t k = basis_.size();
  // Q as words: multiply up one prime at a time.
  q_.assign(k, 0);
  q_[0] = 1;
  for (const Modulus& m : basis_) {
    std::vector<uint64_t> t(k, 0);
    mp::add_mul_word(t.data(), q_.data(), m.value(), k);
    q_ = t;
  }
  half_q_.assign(k, 0);
  for (size_t i = 0; i < k; ++i) {
    half_q_[i] = (q_[i] >> 1) | (i + 1 < k ? q_[i + 1] << 63 : 0);
  }
  hat_.assign(k, std::vector<uint64_t>(k, 0));
  inv_hat_.resize(k);
  for (size_t i = 0; i < k; ++i) {
    std::vector<uint64_t> h(k, 0);
    h[0] = 1;
    uint64_t hat_mod = 1;
    for (size_t l = 0; l < k; ++l) {
      if (l == i) continue;
      std::vector<uint64_t> t(k, 0);
      mp::add_mul_word(t.data(), h.data(), basis_[l].value(), k);
      h = t;
      hat_mod = basis_[i].mul(hat_mod, basis_[i].reduce(basis_[l].value()));
    }
    hat_[i] = h;
    inv_hat_[i] = ShoupConst::make(basis_[i].inverse(hat_mod), basis_[i].value());
  }
}

void CrtComposer::compose(const uint64_t* residues, uint64_t* out) const {
  const size_t k = basis_.size();
  uint64_t acc[65] = {};
  double frac = 0;  // Σ y_i / q_i: the number of Q's in the sum, up to rounding
  for (size_t i = 0; i < k; ++i) {
    const uint64_t y = mul_shoup(residues[i], inv_hat_[i], basis_[i].value());
    frac += double(y) / double(basis_[i].value());
    acc[k] += mp::add_mul_word(acc, hat_[i].data(), y, k);
  }
  // Subtract (u − 1)·Q with u = floor(frac), whose error is far below 1, then at most two Q's.
  const double u = std::floor(frac);
  if (u >= 2) {
    uint64_t uq[65] = {};
    uq[k] = mp::add_mul_word(uq, q_.data(), uint64_t(u) - 1, k);
    mp::sub(acc, uq, k + 1);
  }
  for (int r = 0; r < 3 && (acc[k] != 0 || mp::geq(acc, q_.data(), k)); ++r) {
    acc[k] -= mp::sub(acc, q_.data(), k);
  }
  PG_ASSERT(acc[k] == 0 && !mp::geq(acc, q_.data(), k), "CRT composition out of range");
  for (size_t i = 0; i < k; ++i) out[i] = acc[i];
}

double CrtComposer::compose_centered_double(const uint64_t* residues) const {
  const size_t k = basis_.size();
  uint64_t x[64];
  compose(residues, x);
  // Q is odd (a product of odd primes): x is negative's image iff x > floor(Q/2).
  if (mp::cmp(x, half_q_.data(), k) > 0) {
    uint64_t d[64];
    for (size_t i = 0; i < k; ++i) d[i] = q_[i];
    mp::sub(d, x, k);
    return -mp::to_double(d, k);
  }
  return mp::to_double(x, k);
}

i128 CrtComposer::compose_centered_i128(const uint64_t* residues) const {
  const size_t k = basis_.size();
  if (k > 2) throw std::invalid_argument("compose_centered_i128: at most two primes");
  uint64_t x[2] = {0, 0};
  compose(residues, x);
  const u128 v = u128(x[0]) | (k == 2 ? u128(x[1]) << 64 : 0);
  const u128 q = u128(q_[0]) | (k == 2 ? u128(q_[1]) << 64 : 0);
  return v > q / 2 ? i128(v) - i128(q) : i128(v);
}

}  // namespace pg::he
