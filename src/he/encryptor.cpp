#include "he/encryptor.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "core/secure.h"
#include "he/keyswitch.h"
#include "he/polyops.h"
#include "he/sampling.h"

namespace pg::he {
namespace {

// Writes small values into the rows of p, which belong to the primes prime_of(r), then NTT.
template <typename PrimeOf>
void small_ntt(const Context& ctx, const std::vector<int8_t>& v, RnsPoly& p, PrimeOf prime_of) {
  for (size_t r = 0; r < p.limbs; ++r) {
    const size_t pi = prime_of(r);
    const uint64_t q = ctx.modulus(pi).value();
    uint64_t* row = p.limb(r);
    for (size_t j = 0; j < p.n; ++j) {
      const uint64_t x = uint64_t(int64_t(v[j]));
      row[j] = x + (q & (0 - (x >> 63)));
    }
    ctx.ntt(pi).forward(row);
  }
  p.ntt = true;
}

void check_pt(const Context& ctx, const Plaintext& pt) {
  check_params(ctx, pt.params_id(), pt.level(), "plaintext");
  if (!pt.is_ntt()) throw std::invalid_argument("encrypt: the plaintext must be in NTT form");
}

}  // namespace

Encryptor::Encryptor(ContextPtr ctx, const PublicKey& pk)
    : ctx_(std::move(ctx)), has_pk_(true), pk_(pk) {
  if (pk.params_id != ctx_->id()) throw std::invalid_argument("Encryptor: foreign public key");
}

Encryptor::Encryptor(ContextPtr ctx, const SecretKey& sk)
    : ctx_(std::move(ctx)), has_sk_(true), sk_(sk) {
  if (!sk.context() || sk.context()->id() != ctx_->id()) {
    throw std::invalid_argument("Encryptor: foreign secret key");
  }
}

Encryptor::Encryptor(ContextPtr ctx, const PublicKey& pk, const SecretKey& sk)
    : Encryptor(ctx, pk) {
  if (!sk.context() || sk.context()->id() != ctx_->id()) {
    throw std::invalid_argument("Encryptor: foreign secret key");
  }
  has_sk_ = true;
  sk_ = sk;
}

const PublicKey& Encryptor::need_pk() const {
  if (!has_pk_) throw std::invalid_argument("Encryptor: no public key");
  return pk_;
}

const SecretKey& Encryptor::need_sk() const {
  if (!has_sk_) throw std::invalid_argument("Encryptor: no secret key");
  return sk_;
}

void Encryptor::zero_sample(size_t level, bool over_qp, int flood_bits, Ciphertext& out,
                            core::Prg& prg) const {
  const Context& ctx = *ctx_;
  const PublicKey& pk = need_pk();
  const size_t n = ctx.n(), rows = level + 1 + (over_qp ? ctx.special_count() : 0);
  // Rows 0..level are the data primes either way; over Q·P the special primes follow.
  auto prime_of = [&](size_t r) { return ext_prime(ctx, level, r); };
  std::vector<int8_t> small(n);
  RnsPoly u, e, ext;
  u.resize(n, rows, false);
  e.resize(n, rows, false);
  sample_ternary(prg, small);
  small_ntt(ctx, small, u, prime_of);
  out.reset(ctx, level, 2, 1.0);
  for (int c = 0; c < 2; ++c) {
    const RnsPoly& p = c == 0 ? pk.p0 : pk.p1;
    if (c == 0 && flood_bits >= 0) {
      sample_flooding(ctx, prg, flood_bits, e);
      ctx.to_ntt(e);
    } else {
      sample_cbd(prg, small);
      small_ntt(ctx, small, e, prime_of);
    }
    RnsPoly& dst = over_qp ? ext : out.poly(c);
    if (over_qp) ext.resize(n, rows, true);
    for (size_t r = 0; r < rows; ++r) {
      const size_t pi = prime_of(r);
      std::copy(e.limb(r), e.limb(r) + n, dst.limb(r));
      rows::mul_add(u.limb(r), p.limb(pi), dst.limb(r), n, ctx.modulus(pi));
    }
    if (over_qp) mod_down(ctx, level, ext, out.poly(c));
  }
  core::secure_zero(small.data(), small.size());
  u.wipe();
  e.wipe();
}

void Encryptor::encrypt_zero(size_t level, double scale, Ciphertext& out, core::Prg& prg) const {
  if (level > ctx_->top_level()) throw std::invalid_argument("encrypt_zero: level above the top");
  zero_sample(level, ctx_->special_count() > 0, -1, out, prg);
  out.set_scale(scale);
}

void Encryptor::encrypt_zero_flooded(size_t level, int flood_bits, Ciphertext& out,
                                     core::Prg& prg) const {
  if (level > ctx_->top_level()) throw std::invalid_argument("encrypt_zero: level above the top");
  if (flood_bits < 0 || flood_bits > 120) {
    throw std::invalid_argument("encrypt_zero_flooded: flooding bits must be in [0, 120], got " +
                                std::to_string(flood_bits));
  }
  // 2^flood_bits ≤ Q/4 leaves room for the rest of the noise below Q/2.
  if (double(flood_bits) + 2 > ctx_->level(level).log2_modulus) {
    throw std::invalid_argument("encrypt_zero_flooded: 2^" + std::to_string(flood_bits) +
                                " flooding does not fit the modulus at level " +
                                std::to_string(level));
  }
  zero_sample(level, false, flood_bits, out, prg);
}

void Encryptor::encrypt(const Plaintext& pt, Ciphertext& out, core::Prg& prg) const {
  check_pt(*ctx_, pt);
  encrypt_zero(pt.level(), pt.scale(), out, prg);
  for (size_t i = 0; i <= pt.level(); ++i) {
    rows::add(out.poly(0).limb(i), pt.poly().limb(i), out.poly(0).limb(i), ctx_->n(),
              ctx_->modulus(i).value());
  }
}

void Encryptor::encrypt_symmetric(const Plaintext& pt, Ciphertext& out, core::Prg& prg) const {
  const Context& ctx = *ctx_;
  check_pt(ctx, pt);
  const SecretKey& sk = need_sk();
  const size_t n = ctx.n(), level = pt.level();
  out.reset(ctx, level, 2, pt.scale());
  const core::Seed seed = prg.derive_seed();
  RnsPoly& c0 = out.poly(0);
  RnsPoly& c1 = out.poly(1);
  expand_uniform(ctx, seed, c1);
  std::vector<int8_t> e(n);
  sample_cbd(prg, e);
  small_ntt(ctx, e, c0, [](size_t r) { return r; });
  core::secure_zero(e.data(), e.size());
  U64Vec as(n);
  for (size_t i = 0; i <= level; ++i) {
    const Modulus& q = ctx.modulus(i);
    rows::mul_shoup(c1.limb(i), sk.poly().limb(i), sk.shoup_row(i), as.data(), n, q.value());
    rows::sub(c0.limb(i), as.data(), c0.limb(i), n, q.value());
    rows::add(c0.limb(i), pt.poly().limb(i), c0.limb(i), n, q.value());
  }
  core::secure_zero(as.data(), as.size() * 8);
  out.set_seed(seed);
}

}  // namespace pg::he
