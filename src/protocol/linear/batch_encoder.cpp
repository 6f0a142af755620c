#include "protocol/linear/batch_encoder.h"

#include <bit>
#include <stdexcept>

#include "core/secure.h"
#include "he/rns.h"
#include "protocol/linear/masked_value.h"

namespace pg::protocol {
namespace {

uint32_t bit_reverse(uint32_t v, int bits) {
  uint32_t r = 0;
  for (int i = 0; i < bits; ++i) r |= ((v >> i) & 1u) << (bits - 1 - i);
  return r;
}

// Branch-free: all-ones if a > b over `n` words (the borrow of b − a).
uint64_t ct_greater(const uint64_t* a, const uint64_t* b, size_t n) {
  uint64_t borrow = 0;
  for (size_t i = 0; i < n; ++i) {
    const he::u128 d = he::u128(b[i]) - a[i] - borrow;
    borrow = uint64_t(d >> 64) & 1;
  }
  return 0 - borrow;
}

}  // namespace

BatchEncoder::BatchEncoder(he::ContextPtr ctx, size_t plain_primes)
    : ctx_(std::move(ctx)), k_(plain_primes) {
  if (k_ == 0 || k_ >= ctx_->data_primes()) {
    throw std::invalid_argument("BatchEncoder: need 1 ≤ plain primes < data primes");
  }
  const size_t n = ctx_->n(), two_n = 2 * n;
  const int log_n = std::countr_zero(n);
  index_.resize(n / 2);
  uint64_t e = 1;
  for (size_t s = 0; s < n / 2; ++s) {
    index_[s] = bit_reverse(uint32_t((e - 1) / 2), log_n);
    e = e * 5 % two_n;
  }
}

void BatchEncoder::lift(std::vector<std::vector<uint64_t>>& res, size_t level, bool scaled,
                        he::Plaintext& out) const {
  const he::Context& ctx = *ctx_;
  const size_t n = ctx.n();
  if (level < k_ || level > ctx.top_level()) throw std::invalid_argument("BatchEncoder: level");
  for (size_t i = 0; i < k_; ++i) ctx.ntt(i).inverse(res[i].data());
  out.reset(ctx, level, false, 1.0);
  std::vector<uint64_t> factor(level + 1, 1);
  if (scaled) {
    for (size_t i = 0; i <= level; ++i) {
      const he::Modulus& q = ctx.modulus(i);
      for (size_t j = k_; j <= level; ++j)
        factor[i] = q.mul(factor[i], q.reduce(ctx.modulus(j).value()));
    }
  }
  const he::CrtComposer& crt = *ctx.level(k_ - 1).crt;
  std::vector<uint64_t> r(k_), x(crt.words());
  for (size_t j = 0; j < n; ++j) {
    for (size_t i = 0; i < k_; ++i) r[i] = res[i][j];
    crt.compose(r.data(), x.data());  // the representative in [0, t)
    for (size_t i = 0; i <= level; ++i) {
      const he::Modulus& q = ctx.modulus(i);
      uint64_t acc = 0;
      for (size_t w = x.size(); w-- > 0;) acc = q.reduce((he::u128(acc) << 64) | x[w]);
      out.poly().limb(i)[j] = q.mul(acc, factor[i]);
    }
  }
  core::secure_zero(x.data(), x.size() * sizeof(uint64_t));
  for (auto& row : res) core::secure_zero(row.data(), row.size() * sizeof(uint64_t));
  ctx.to_ntt(out.poly());
}

void BatchEncoder::encode(std::span<const int64_t> v, size_t level, bool scaled,
                          he::Plaintext& out) const {
  if (v.size() > slots()) throw std::invalid_argument("BatchEncoder: too many values");
  std::vector<std::vector<uint64_t>> res(k_, std::vector<uint64_t>(ctx_->n(), 0));
  for (size_t i = 0; i < k_; ++i) {
    const he::Modulus& q = ctx_->modulus(i);
    for (size_t s = 0; s < v.size(); ++s) res[i][index_[s]] = q.reduce_signed(v[s]);
  }
  lift(res, level, scaled, out);
}

void BatchEncoder::encode_masked(std::span<const uint64_t> t, std::span<const he::u128> h, int ell,
                                 size_t level, bool scaled, he::Plaintext& out) const {
  if (t.size() > slots() || (!h.empty() && h.size() != t.size())) {
    throw std::invalid_argument("BatchEncoder: too many values");
  }
  std::vector<std::vector<uint64_t>> res(k_, std::vector<uint64_t>(ctx_->n(), 0));
  for (size_t i = 0; i < k_; ++i) {
    const he::Modulus& q = ctx_->modulus(i);
    const uint64_t two_ell = q.pow(2, uint64_t(ell));
    for (size_t s = 0; s < t.size(); ++s) {
      res[i][index_[s]] = masked_residue(q, t[s], h.empty() ? 0 : h[s], two_ell);
    }
  }
  lift(res, level, scaled, out);
}

std::vector<uint64_t> BatchEncoder::decode(const he::Plaintext& x, size_t count) const {
  const he::Context& ctx = *ctx_;
  if (x.level() != k_ || x.is_ntt() || count > slots()) {
    throw std::invalid_argument("BatchEncoder::decode: a coefficient-domain reply at level k");
  }
  const size_t n = ctx.n();
  const he::Modulus& qe = ctx.modulus(k_);
  const uint64_t half_e = qe.value() / 2;
  std::vector<std::vector<uint64_t>> m(k_, std::vector<uint64_t>(n));
  for (size_t i = 0; i < k_; ++i) {
    const he::Modulus& q = ctx.modulus(i);
    const uint64_t e_inv = q.inverse(q.reduce(qe.value()));
    for (size_t j = 0; j < n; ++j) {
      // e = x mod q_k, centred (branch-free); m = (x − e)/q_k mod q_i.
      const uint64_t xe = x.poly().limb(k_)[j];
      const uint64_t neg = core::ct_lt(half_e, xe);
      const uint64_t e_mod = q.sub(q.reduce(xe), q.reduce(qe.value()) & neg);
      m[i][j] = q.mul(q.sub(x.poly().limb(i)[j], e_mod), e_inv);
    }
    ctx.ntt(i).forward(m[i].data());
  }
  const he::CrtComposer& crt = *ctx.level(k_ - 1).crt;
  const auto& t = crt.modulus_words();
  const auto& half = crt.half_modulus_words();
  std::vector<uint64_t> r(k_), v(crt.words()), out(count);
  for (size_t s = 0; s < count; ++s) {
    for (size_t i = 0; i < k_; ++i) r[i] = m[i][index_[s]];
    crt.compose(r.data(), v.data());
    // The centred value's low word: v − t when v > t/2.
    out[s] = v[0] - (t[0] & ct_greater(v.data(), half.data(), v.size()));
  }
  for (auto& row : m) core::secure_zero(row.data(), row.size() * sizeof(uint64_t));
  return out;
}

}  // namespace pg::protocol
