#include "he/coeff_encoder.h"

#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

#include "he/rns.h"

namespace pg::he {
namespace {

void check_level(const Context& ctx, size_t level, size_t count) {
  if (level > ctx.top_level()) throw std::invalid_argument("encode: level above the top level");
  if (count > ctx.n()) {
    throw std::invalid_argument("encode: " + std::to_string(count) +
                                " values exceed N = " + std::to_string(ctx.n()));
  }
}

// A decrypted plaintext's rows in the coefficient domain (a copy only when it is in NTT form),
// with the CRT data of its level.
struct CoeffView {
  RnsPoly tmp;
  const RnsPoly* p;
  size_t rows;
  const CrtComposer* crt;

  CoeffView(const Context& ctx, const Plaintext& x) : p(&x.poly()), rows(x.level() + 1) {
    check_params(ctx, x.params_id(), x.level(), "plaintext");
    crt = ctx.level(x.level()).crt.get();
    if (x.is_ntt()) {
      tmp = x.poly();
      ctx.from_ntt(tmp);
      p = &tmp;
    }
  }
  void residues(size_t j, uint64_t* res) const {
    for (size_t i = 0; i < rows; ++i) res[i] = p->limb(i)[j];
  }
};

std::vector<uint32_t> all_coeffs(size_t n) {
  std::vector<uint32_t> c(n);
  for (size_t j = 0; j < n; ++j) c[j] = uint32_t(j);
  return c;
}

// Q^{-1} mod 2^64 for odd Q (Newton: each step doubles the correct low bits).
uint64_t inverse_mod_2_64(uint64_t q) {
  uint64_t x = q;  // correct to 3 bits for odd q
  for (int i = 0; i < 5; ++i) x *= 2 - q * x;
  return x;
}

// Bits [b, b + 64) of a two's-complement integer of `k` words (sign-extended above).
uint64_t bits_at(const uint64_t* w, size_t k, int b) {
  const uint64_t ext = (w[k - 1] >> 63) ? ~uint64_t{0} : 0;
  auto word = [&](size_t i) { return i < k ? w[i] : ext; };
  const size_t i = size_t(b) / 64, s = size_t(b) % 64;
  return s == 0 ? word(i) : (word(i) >> s) | (word(i + 1) << (64 - s));
}

}  // namespace

uint64_t reduce_double(double v, const Modulus& q) {
  if (!std::isfinite(v)) throw std::invalid_argument("encode: a value is not finite");
  const bool neg = v < 0;
  int exp = 0;
  const double m = std::frexp(std::fabs(v), &exp);  // |v| = m · 2^exp, m in [0.5, 1)
  uint64_t r;
  if (exp <= 63) {
    r = q.reduce_word(uint64_t(std::fabs(v)));
  } else {
    // |v| = mant · 2^(exp − 53) with a 53-bit integer mantissa: exact.
    const uint64_t mant = uint64_t(std::ldexp(m, 53));
    r = q.mul(q.reduce_word(mant), q.pow(2, uint64_t(exp - 53)));
  }
  return neg ? (r == 0 ? 0 : q.value() - r) : r;
}

CoeffEncoder::CoeffEncoder(ContextPtr ctx) : ctx_(std::move(ctx)) {
  if (!ctx_) throw std::invalid_argument("CoeffEncoder: null context");
}

void CoeffEncoder::encode_int(std::span<const int64_t> v, size_t level, Plaintext& out) const {
  const Context& ctx = *ctx_;
  check_level(ctx, level, v.size());
  out.reset(ctx, level, false, 1.0);
  for (size_t i = 0; i <= level; ++i) {
    const Modulus& q = ctx.modulus(i);
    uint64_t* row = out.poly().limb(i);
    for (size_t j = 0; j < v.size(); ++j) row[j] = q.reduce_signed(v[j]);
  }
  ctx.to_ntt(out.poly());
}

void CoeffEncoder::encode_scaled(std::span<const uint64_t> m, int ell, size_t level,
                                 Plaintext& out) const {
  const Context& ctx = *ctx_;
  check_level(ctx, level, m.size());
  if (ell < 1 || ell > 63) throw std::invalid_argument("encode_scaled: ell must be in [1, 63]");
  const uint64_t mask = (uint64_t{1} << ell) - 1, half_t = uint64_t{1} << (ell - 1);
  uint64_t q_mod_t = 1;
  for (size_t i = 0; i <= level; ++i) q_mod_t *= ctx.modulus(i).value();
  q_mod_t &= mask;
  out.reset(ctx, level, false, 1.0);
  for (size_t i = 0; i <= level; ++i) {
    const Modulus& q = ctx.modulus(i);
    const ShoupConst t_inv =
        ShoupConst::make(q.inverse(q.reduce_word(uint64_t{1} << ell)), q.value());
    uint64_t* row = out.poly().limb(i);
    for (size_t j = 0; j < m.size(); ++j) {
      // round(Q·m/t) = (Q·m + t/2 − ρ)/t with ρ = (Q·m + t/2) mod t; Q ≡ 0 mod q_i leaves
      // (t/2 − ρ)·t^{-1} mod q_i.
      const uint64_t rho = (q_mod_t * (m[j] & mask) + half_t) & mask;
      row[j] = mul_shoup(q.reduce_signed(int64_t(half_t) - int64_t(rho)), t_inv, q.value());
    }
  }
  ctx.to_ntt(out.poly());
}

void CoeffEncoder::encode_int_scaled(std::span<const int64_t> v, int scale_bits, size_t level,
                                     Plaintext& out) const {
  const Context& ctx = *ctx_;
  check_level(ctx, level, v.size());
  if (scale_bits < 0 || scale_bits > 120) {
    throw std::invalid_argument("encode_int_scaled: scale_bits must be in [0, 120]");
  }
  uint64_t max_abs = 0;
  for (int64_t x : v) max_abs |= x < 0 ? uint64_t(0) - uint64_t(x) : uint64_t(x);
  const int need = (64 - std::countl_zero(max_abs)) + scale_bits + 1;
  // |v|·2^scale_bits < 2^(need−1) must stay below Q/4.
  if (double(need) >= ctx.level(level).log2_modulus - 1) {
    throw std::invalid_argument("encode_int_scaled: values times 2^scale_bits need " +
                                std::to_string(need) + " bits, above the modulus at level " +
                                std::to_string(level));
  }
  out.reset(ctx, level, false, std::ldexp(1.0, scale_bits));
  for (size_t i = 0; i <= level; ++i) {
    const Modulus& q = ctx.modulus(i);
    const uint64_t s = q.pow(2, uint64_t(scale_bits));
    uint64_t* row = out.poly().limb(i);
    for (size_t j = 0; j < v.size(); ++j) row[j] = q.mul(q.reduce_signed(v[j]), s);
  }
  ctx.to_ntt(out.poly());
}

void CoeffEncoder::encode_real(std::span<const double> v, double scale, size_t level,
                               Plaintext& out) const {
  const Context& ctx = *ctx_;
  check_level(ctx, level, v.size());
  if (!(scale >= 1.0)) throw std::invalid_argument("encode_real: scale must be at least 1");
  out.reset(ctx, level, false, scale);
  const double bound = std::exp2(ctx.level(level).log2_modulus - 2);  // Q/4
  for (size_t j = 0; j < v.size(); ++j) {
    const double d = std::round(v[j] * scale);
    if (!(std::fabs(d) < bound)) {
      throw std::invalid_argument("encode_real: a value times the scale exceeds the modulus");
    }
    for (size_t i = 0; i <= level; ++i) out.poly().limb(i)[j] = reduce_double(d, ctx.modulus(i));
  }
  ctx.to_ntt(out.poly());
}

std::vector<uint64_t> CoeffEncoder::decode_scaled(const Plaintext& x, int ell) const {
  return decode_scaled(x, ell, all_coeffs(ctx_->n()));
}

std::vector<uint64_t> CoeffEncoder::decode_scaled(const Plaintext& x, int ell,
                                                  std::span<const uint32_t> coeffs) const {
  const Context& ctx = *ctx_;
  if (ell < 1 || ell > 63) throw std::invalid_argument("decode_scaled: ell must be in [1, 63]");
  const CoeffView v(ctx, x);
  const RnsPoly& p = *v.p;
  const size_t rows = v.rows;
  const CrtComposer& crt = *v.crt;
  const size_t k = crt.words();
  const std::vector<uint64_t>& big_q = crt.modulus_words();
  const uint64_t mask = (uint64_t{1} << ell) - 1;
  const uint64_t q_inv = inverse_mod_2_64(big_q[0]);
  std::vector<ShoupConst> t_mod(rows);
  for (size_t i = 0; i < rows; ++i) {
    const Modulus& q = ctx.modulus(i);
    t_mod[i] = ShoupConst::make(q.reduce_word(uint64_t{1} << ell), q.value());
  }
  std::vector<uint64_t> res(rows), r(k), out;
  out.reserve(coeffs.size());
  for (uint32_t j : coeffs) {
    if (j >= ctx.n()) throw std::invalid_argument("decode_scaled: coefficient index out of range");
    // r = t·x mod Q; then t·x = κ·Q + r gives κ ≡ −r·Q^{-1} (mod t), and the rounding adds 1
    // when r > Q/2.
    for (size_t i = 0; i < rows; ++i) {
      res[i] = mul_shoup(p.limb(i)[j], t_mod[i], ctx.modulus(i).value());
    }
    crt.compose(res.data(), r.data());
    const uint64_t up = mp::cmp(r.data(), crt.half_modulus_words().data(), k) > 0 ? 1 : 0;
    out.push_back((up - r[0] * q_inv) & mask);
  }
  return out;
}

std::vector<uint64_t> CoeffEncoder::decode_int_scaled(const Plaintext& x, int scale_bits) const {
  return decode_int_scaled(x, scale_bits, all_coeffs(ctx_->n()));
}

std::vector<uint64_t> CoeffEncoder::decode_int_scaled(const Plaintext& x, int scale_bits,
                                                      std::span<const uint32_t> coeffs) const {
  const Context& ctx = *ctx_;
  if (scale_bits < 0 || scale_bits > 120) {
    throw std::invalid_argument("decode_int_scaled: scale_bits must be in [0, 120]");
  }
  const CoeffView v(ctx, x);
  const CrtComposer& crt = *v.crt;
  const size_t k = crt.words();
  const std::vector<uint64_t>& big_q = crt.modulus_words();
  // One spare word above the value and two for the shifted window.
  std::vector<uint64_t> res(v.rows), w(k + 3), round(k + 3, 0), out;
  if (scale_bits > 0) round[size_t(scale_bits - 1) / 64] = uint64_t{1} << ((scale_bits - 1) % 64);
  out.reserve(coeffs.size());
  for (uint32_t j : coeffs) {
    if (j >= ctx.n()) throw std::invalid_argument("decode: coefficient index out of range");
    v.residues(j, res.data());
    std::fill(w.begin(), w.end(), 0);
    crt.compose(res.data(), w.data());
    if (mp::cmp(w.data(), crt.half_modulus_words().data(), k) > 0) {
      // x − Q < 0 in two's complement over k + 3 words.
      std::vector<uint64_t> qq(k + 3, 0);
      std::copy(big_q.begin(), big_q.end(), qq.begin());
      mp::sub(w.data(), qq.data(), k + 3);
    }
    // + 2^(b−1), then bits [b, b + 64): floor((X + 2^(b−1)) / 2^b) mod 2^64.
    uint64_t carry = 0;
    for (size_t i = 0; i < k + 3; ++i) {
      const u128 s = u128(w[i]) + round[i] + carry;
      w[i] = uint64_t(s);
      carry = uint64_t(s >> 64);
    }
    out.push_back(bits_at(w.data(), k + 3, scale_bits));
  }
  return out;
}

std::vector<double> CoeffEncoder::decode_real(const Plaintext& x) const {
  const CoeffView v(*ctx_, x);
  std::vector<uint64_t> res(v.rows);
  std::vector<double> out(ctx_->n());
  for (size_t j = 0; j < out.size(); ++j) {
    v.residues(j, res.data());
    out[j] = v.crt->compose_centered_double(res.data()) / x.scale();
  }
  return out;
}

}  // namespace pg::he
