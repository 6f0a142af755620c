#include "he/keys.h"

#include <stdexcept>
#include <vector>

#include "core/secure.h"
#include "he/galois.h"
#include "he/polyops.h"
#include "he/sampling.h"

namespace pg::he {
namespace {

size_t all_primes(const Context& ctx) {
  return ctx.data_primes() + ctx.special_count();
}

}  // namespace

SecretKey::SecretKey(ContextPtr ctx, core::Prg& prg) : ctx_(std::move(ctx)) {
  if (!ctx_) throw std::invalid_argument("SecretKey: null context");
  std::vector<int8_t> t(ctx_->n());
  sample_ternary(prg, t);
  s_.resize(ctx_->n(), all_primes(*ctx_), false);
  set_small(*ctx_, t, s_);
  core::secure_zero(t.data(), t.size());
  ctx_->to_ntt(s_);
}

SecretKey SecretKey::from_ternary(ContextPtr ctx, std::span<const int8_t> coeffs) {
  if (!ctx || coeffs.size() != ctx->n()) {
    throw std::invalid_argument("SecretKey: need N ternary coefficients");
  }
  for (int8_t c : coeffs) {
    if (c < -1 || c > 1) throw std::invalid_argument("SecretKey: a coefficient is not ternary");
  }
  SecretKey sk;
  sk.ctx_ = std::move(ctx);
  sk.s_.resize(sk.ctx_->n(), all_primes(*sk.ctx_), false);
  set_small(*sk.ctx_, coeffs, sk.s_);
  sk.ctx_->to_ntt(sk.s_);
  return sk;
}

std::vector<int8_t> SecretKey::ternary() const {
  const size_t n = ctx_->n();
  U64Vec row(s_.limb(0), s_.limb(0) + n);
  ctx_->ntt(0).inverse(row.data());
  const uint64_t q = ctx_->modulus(0).value();
  std::vector<int8_t> out(n);
  // Branch-free: 0 → 0, 1 → 1, q − 1 → −1.
  for (size_t j = 0; j < n; ++j) {
    out[j] = int8_t(int64_t(core::ct_eq(row[j], 1) & 1) - int64_t(core::ct_eq(row[j], q - 1) & 1));
  }
  core::secure_zero(row.data(), n * 8);
  return out;
}

void rlwe_sample(const Context& ctx, const RnsPoly& s_ntt, const core::Seed& seed, size_t rows,
                 core::Prg& prg, RnsPoly& b, RnsPoly& a) {
  const size_t n = ctx.n();
  a.resize(n, rows, true);
  expand_uniform(ctx, seed, a);
  std::vector<int8_t> e(n);
  sample_cbd(prg, e);
  b.resize(n, rows, false);
  set_small(ctx, e, b);
  core::secure_zero(e.data(), e.size());
  ctx.to_ntt(b);
  std::vector<uint64_t> as(n);
  for (size_t i = 0; i < rows; ++i) {
    const Modulus& q = ctx.modulus(i);
    rows::mul(a.limb(i), s_ntt.limb(i), as.data(), n, q);
    rows::sub(b.limb(i), as.data(), b.limb(i), n, q.value());
  }
  core::secure_zero(as.data(), as.size() * 8);
}

KeyGenerator::KeyGenerator(ContextPtr ctx, const SecretKey& sk) : ctx_(std::move(ctx)), sk_(sk) {
  if (!ctx_ || !sk.context() || sk.context()->id() != ctx_->id()) {
    throw std::invalid_argument("KeyGenerator: the secret key belongs to other parameters");
  }
}

PublicKey KeyGenerator::public_key(core::Prg& prg) const {
  PublicKey pk;
  pk.params_id = ctx_->id();
  pk.seed = prg.derive_seed();
  rlwe_sample(*ctx_, sk_.poly(), pk.seed, all_primes(*ctx_), prg, pk.p0, pk.p1);
  return pk;
}

KSwitchKey KeyGenerator::switching_key(const RnsPoly& from, const RnsPoly& under,
                                       core::Prg& prg) const {
  const Context& ctx = *ctx_;
  if (ctx.special_count() == 0) {
    throw std::invalid_argument("key switching needs at least one special prime");
  }
  const size_t n = ctx.n(), L = ctx.data_primes(), alpha = ctx.digit_size();
  const size_t digits = ctx.digits(ctx.top_level());
  KSwitchKey k;
  k.params_id = ctx.id();
  k.b.resize(digits);
  k.a.resize(digits);
  k.seed.resize(digits);
  std::vector<uint64_t> t(n);
  for (size_t d = 0; d < digits; ++d) {
    k.seed[d] = prg.derive_seed();
    rlwe_sample(ctx, under, k.seed[d], all_primes(ctx), prg, k.b[d], k.a[d]);
    for (size_t i = d * alpha; i < std::min((d + 1) * alpha, L); ++i) {
      const Modulus& q = ctx.modulus(i);
      rows::mul_scalar(from.limb(i), ShoupConst::make(ctx.p_mod(i), q.value()), t.data(), n,
                       q.value());
      rows::add(k.b[d].limb(i), t.data(), k.b[d].limb(i), n, q.value());
    }
  }
  core::secure_zero(t.data(), t.size() * 8);
  return k;
}

RelinKeys KeyGenerator::relin_keys(core::Prg& prg) const {
  RnsPoly s2 = sk_.poly();
  for (size_t i = 0; i < s2.limbs; ++i) {
    rows::mul(s2.limb(i), s2.limb(i), s2.limb(i), s2.n, ctx_->modulus(i));
  }
  RelinKeys rk{switching_key(s2, sk_.poly(), prg)};
  s2.wipe();
  return rk;
}

GaloisKeys KeyGenerator::galois_keys_for(const std::vector<uint64_t>& elements,
                                         core::Prg& prg) const {
  GaloisKeys gk;
  const size_t n = ctx_->n();
  for (uint64_t g : elements) {
    if (gk.has(g)) continue;
    std::vector<uint32_t> perm = galois_permutation_ntt(n, g);
    // σ_g^{-1}(s): out[perm[k]] = in[k] inverts out[k] = in[perm[k]].
    RnsPoly s_inv = sk_.poly();
    for (size_t i = 0; i < s_inv.limbs; ++i) {
      const uint64_t* in = sk_.poly().limb(i);
      uint64_t* out = s_inv.limb(i);
      for (size_t k = 0; k < n; ++k) out[perm[k]] = in[k];
    }
    gk.keys.emplace(g, switching_key(sk_.poly(), s_inv, prg));
    gk.perms.emplace(g, std::move(perm));
    s_inv.wipe();
  }
  return gk;
}

GaloisKeys KeyGenerator::galois_keys(const std::vector<int64_t>& steps, bool conjugation,
                                     core::Prg& prg) const {
  std::vector<uint64_t> elements;
  for (int64_t s : steps) elements.push_back(ctx_->galois_element(s));
  if (conjugation) elements.push_back(ctx_->conjugation_element());
  return galois_keys_for(elements, prg);
}

GaloisKeys KeyGenerator::power_of_two_galois_keys(core::Prg& prg) const {
  std::vector<int64_t> steps;
  for (int64_t s = 1; s < int64_t(ctx_->n() / 2); s *= 2) {
    steps.push_back(s);
    steps.push_back(-s);
  }
  return galois_keys(steps, false, prg);
}

}  // namespace pg::he
