#include "he/rlwe.h"

#include <bit>
#include <stdexcept>
#include <string>

#include "core/secure.h"
#include "he/primes.h"

namespace pg::he {
namespace {

int max_log2_q_128(size_t n) {
  switch (n) {
    case 1024:
      return 27;
    case 2048:
      return 54;
    case 4096:
      return 109;
    case 8192:
      return 218;
    case 16384:
      return 438;
    case 32768:
      return 881;
    case 65536:
      return 1772;
    default:
      return 0;
  }
}

// Centred binomial with k = 21: popcount of 21 random bits minus popcount of 21 more.
int64_t sample_cbd(uint64_t r) {
  constexpr uint64_t kMask = (uint64_t{1} << 21) - 1;
  return int64_t(std::popcount(r & kMask)) - int64_t(std::popcount((r >> 21) & kMask));
}

// Writes a small signed polynomial (coefficients in int64) into every limb of p (coefficient
// domain), branch-free: v mod q = v + (q if v < 0).
void set_small(const RlweContext& ctx, RnsPoly& p, const std::vector<int64_t>& v) {
  for (size_t i = 0; i < p.limbs; ++i) {
    const uint64_t q = ctx.modulus(i).value();
    uint64_t* out = p.limb(i);
    for (size_t j = 0; j < p.n; ++j) {
      out[j] = uint64_t(v[j]) + (q & core::ct_mask_from_bit(uint64_t(v[j]) >> 63));
    }
  }
}

std::vector<int64_t> sample_ternary(size_t n, core::Prg& prg) {
  std::vector<int64_t> v(n);
  for (auto& x : v) x = int64_t(prg.uniform_below(3)) - 1;
  return v;
}

std::vector<int64_t> sample_error(size_t n, core::Prg& prg) {
  std::vector<int64_t> v(n);
  for (auto& x : v) x = sample_cbd(prg.next_u64());
  return v;
}

}  // namespace

RlweContext::RlweContext(size_t n, const std::vector<uint64_t>& primes) : n_(n) {
  for (uint64_t q : primes) {
    moduli_.emplace_back(q);
    ntt_.emplace_back(n, moduli_.back());
  }
}

ContextPtr RlweContext::create_with_primes(size_t n, const std::vector<uint64_t>& primes,
                                           bool check_security) {
  if (n < 1024 || n > 65536 || (n & (n - 1)) != 0) {
    throw std::invalid_argument("RLWE: N must be a power of two in [1024, 65536], got " +
                                std::to_string(n));
  }
  if (primes.empty()) throw std::invalid_argument("RLWE: no primes");
  int bits = 0;
  for (size_t i = 0; i < primes.size(); ++i) {
    if (!is_prime(primes[i]) || (primes[i] - 1) % (2 * n) != 0) {
      throw std::invalid_argument("RLWE: " + std::to_string(primes[i]) +
                                  " is not a prime that is 1 mod 2N");
    }
    for (size_t j = 0; j < i; ++j) {
      if (primes[j] == primes[i]) throw std::invalid_argument("RLWE: repeated prime");
    }
    bits += 64 - std::countl_zero(primes[i]);
  }
  if (check_security && bits > max_log2_q_128(n)) {
    throw std::invalid_argument("RLWE: log2 Q = " + std::to_string(bits) + " exceeds " +
                                std::to_string(max_log2_q_128(n)) + " bits, the 128-bit bound " +
                                "for N = " + std::to_string(n) + " (HomomorphicEncryption.org)");
  }
  return ContextPtr(new RlweContext(n, primes));
}

ContextPtr RlweContext::create(size_t n, const std::vector<int>& prime_bits) {
  std::vector<uint64_t> primes;
  for (int b : prime_bits) {
    if (b < 20 || b > 60) throw std::invalid_argument("RLWE: prime sizes must be in [20, 60]");
    primes.push_back(ntt_primes(b, n, 1, primes).front());
  }
  return create_with_primes(n, primes);
}

int RlweContext::log2_q(size_t limbs) const {
  int b = 0;
  for (size_t i = 0; i < limbs; ++i) b += moduli_[i].bits();
  return b;
}

void RlweContext::to_ntt(RnsPoly& p) const {
  if (p.ntt) return;
  for (size_t i = 0; i < p.limbs; ++i) ntt_[i].forward(p.limb(i));
  p.ntt = true;
}

void RlweContext::from_ntt(RnsPoly& p) const {
  if (!p.ntt) return;
  for (size_t i = 0; i < p.limbs; ++i) ntt_[i].inverse(p.limb(i));
  p.ntt = false;
}

SecretKey::SecretKey(ContextPtr ctx, core::Prg& prg) : ctx_(std::move(ctx)) {
  s_ = RnsPoly(ctx_->n(), ctx_->max_limbs(), false);
  auto t = sample_ternary(ctx_->n(), prg);
  set_small(*ctx_, s_, t);
  core::secure_zero(t.data(), t.size() * sizeof(int64_t));
  ctx_->to_ntt(s_);
}

SecretKey::~SecretKey() {
  core::secure_zero(s_.data.data(), s_.data.size() * sizeof(uint64_t));
}

RnsPoly expand_uniform(const RlweContext& ctx, const core::Seed& seed, size_t limbs) {
  core::Prg prg = core::Prg::from_seed(seed);
  RnsPoly a(ctx.n(), limbs, true);
  for (size_t i = 0; i < limbs; ++i) {
    const uint64_t q = ctx.modulus(i).value();
    uint64_t* out = a.limb(i);
    for (size_t j = 0; j < a.n; ++j) out[j] = prg.uniform_below(q);
  }
  return a;
}

namespace {

// c0 = −a·s + e (NTT domain) for a expanded from `seed`, at `limbs` primes.
RnsPoly rlwe_sample(const SecretKey& sk, const core::Seed& seed, size_t limbs, core::Prg& prg) {
  const RlweContext& ctx = *sk.context();
  const RnsPoly a = expand_uniform(ctx, seed, limbs);
  RnsPoly e(ctx.n(), limbs, false);
  set_small(ctx, e, sample_error(ctx.n(), prg));
  ctx.to_ntt(e);
  for (size_t i = 0; i < limbs; ++i) {
    const Modulus& q = ctx.modulus(i);
    const uint64_t* ai = a.limb(i);
    const uint64_t* si = sk.s_ntt().limb(i);
    uint64_t* ei = e.limb(i);
    for (size_t j = 0; j < ctx.n(); ++j) ei[j] = q.sub(ei[j], q.mul(ai[j], si[j]));
  }
  return e;
}

}  // namespace

PublicKey make_public_key(const SecretKey& sk, core::Prg& prg) {
  PublicKey pk;
  pk.seed = prg.derive_seed();
  pk.p0 = rlwe_sample(sk, pk.seed, sk.context()->max_limbs(), prg);
  return pk;
}

Ciphertext encrypt_symmetric(const SecretKey& sk, const RnsPoly& m, core::Prg& prg) {
  const RlweContext& ctx = *sk.context();
  if (m.ntt || m.n != ctx.n() || m.limbs == 0 || m.limbs > ctx.max_limbs()) {
    throw std::invalid_argument(
        "encrypt_symmetric: the message must be a coefficient-form "
        "polynomial of the context's degree");
  }
  Ciphertext ct;
  ct.seeded = true;
  ct.seed = prg.derive_seed();
  ct.c0 = rlwe_sample(sk, ct.seed, m.limbs, prg);
  RnsPoly mm = m;
  ctx.to_ntt(mm);
  for (size_t i = 0; i < m.limbs; ++i) {
    const Modulus& q = ctx.modulus(i);
    for (size_t j = 0; j < ctx.n(); ++j) ct.c0.limb(i)[j] = q.add(ct.c0.limb(i)[j], mm.limb(i)[j]);
  }
  ct.c1 = expand_uniform(ctx, ct.seed, m.limbs);
  return ct;
}

Ciphertext encrypt_zero_public(const RlweContext& ctx, const PublicKey& pk, size_t limbs,
                               int flood_bits, core::Prg& prg) {
  if (limbs == 0 || limbs > pk.p0.limbs || flood_bits > 120) {
    throw std::invalid_argument("encrypt_zero_public: bad level or flooding size");
  }
  const size_t n = ctx.n();
  RnsPoly u(n, limbs, false), e0(n, limbs, false), e1(n, limbs, false);
  set_small(ctx, u, sample_ternary(n, prg));
  set_small(ctx, e1, sample_error(n, prg));
  if (flood_bits < 0) {
    set_small(ctx, e0, sample_error(n, prg));
  } else {
    // Uniform in [−2^b, 2^b): b + 1 random bits, minus 2^b, reduced into each prime.
    const i128 half = i128(1) << flood_bits;
    const u128 mask = (u128(1) << (flood_bits + 1)) - 1;
    for (size_t j = 0; j < n; ++j) {
      const u128 r = ((u128(prg.next_u64()) << 64) | prg.next_u64()) & mask;
      const i128 v = i128(r) - half;
      const u128 mag = u128(v < 0 ? -v : v);
      for (size_t i = 0; i < limbs; ++i) {
        const Modulus& q = ctx.modulus(i);
        const uint64_t m = q.reduce(mag);
        e0.limb(i)[j] = v < 0 ? q.neg(m) : m;
      }
    }
  }
  ctx.to_ntt(u);
  ctx.to_ntt(e0);
  ctx.to_ntt(e1);
  const RnsPoly a = expand_uniform(ctx, pk.seed, limbs);
  Ciphertext ct;
  ct.c0 = RnsPoly(n, limbs, true);
  ct.c1 = RnsPoly(n, limbs, true);
  for (size_t i = 0; i < limbs; ++i) {
    const Modulus& q = ctx.modulus(i);
    for (size_t j = 0; j < n; ++j) {
      const uint64_t ui = u.limb(i)[j];
      ct.c0.limb(i)[j] = q.add(q.mul(ui, pk.p0.limb(i)[j]), e0.limb(i)[j]);
      ct.c1.limb(i)[j] = q.add(q.mul(ui, a.limb(i)[j]), e1.limb(i)[j]);
    }
  }
  core::secure_zero(u.data.data(), u.data.size() * 8);
  return ct;
}

void mul_plain_accumulate(const RlweContext& ctx, const Ciphertext& ct, const RnsPoly& pt,
                          Ciphertext& acc) {
  const size_t limbs = acc.limbs();
  if (!ct.c0.ntt || !pt.ntt || !acc.c0.ntt || ct.limbs() < limbs || pt.limbs < limbs) {
    throw std::invalid_argument(
        "mul_plain_accumulate: operands must be in the NTT domain, at "
        "least at the accumulator's level");
  }
  for (size_t i = 0; i < limbs; ++i) {
    const Modulus& q = ctx.modulus(i);
    const uint64_t* p = pt.limb(i);
    const uint64_t *a0 = ct.c0.limb(i), *a1 = ct.c1.limb(i);
    uint64_t *r0 = acc.c0.limb(i), *r1 = acc.c1.limb(i);
    for (size_t j = 0; j < ctx.n(); ++j) {
      r0[j] = q.add(r0[j], q.mul(a0[j], p[j]));
      r1[j] = q.add(r1[j], q.mul(a1[j], p[j]));
    }
  }
}

void mod_switch_to(const RlweContext& ctx, Ciphertext& ct, size_t limbs) {
  if (limbs == 0 || limbs > ct.limbs()) throw std::invalid_argument("mod_switch_to: bad level");
  ctx.from_ntt(ct.c0);
  ctx.from_ntt(ct.c1);
  ct.seeded = false;
  for (RnsPoly* p : {&ct.c0, &ct.c1}) {
    while (p->limbs > limbs) {
      const size_t last = p->limbs - 1;
      const Modulus& ql = ctx.modulus(last);
      const uint64_t half = ql.value() >> 1;
      const uint64_t* cl = p->limb(last);
      for (size_t i = 0; i < last; ++i) {
        const Modulus& q = ctx.modulus(i);
        const uint64_t inv = q.inverse(ql.value() % q.value());
        uint64_t* ci = p->limb(i);
        for (size_t j = 0; j < p->n; ++j) {
          // r = c mod q_last, centred; (c − r)/q_last is c/q_last rounded to nearest.
          const uint64_t r = cl[j];
          const uint64_t r_mod = r > half ? q.sub(q.reduce(r), q.reduce(ql.value())) : q.reduce(r);
          ci[j] = q.mul(q.sub(ci[j], r_mod), inv);
        }
      }
      p->limbs = last;
      p->data.resize(last * p->n);
    }
  }
}

RnsPoly decrypt_raw(const SecretKey& sk, const Ciphertext& ct) {
  const RlweContext& ctx = *sk.context();
  RnsPoly c1 = ct.c1;
  ctx.to_ntt(c1);
  RnsPoly x = ct.c0;
  ctx.to_ntt(x);
  for (size_t i = 0; i < x.limbs; ++i) {
    const Modulus& q = ctx.modulus(i);
    const uint64_t* s = sk.s_ntt().limb(i);
    for (size_t j = 0; j < x.n; ++j) x.limb(i)[j] = q.add(x.limb(i)[j], q.mul(c1.limb(i)[j], s[j]));
  }
  ctx.from_ntt(x);
  return x;
}

RnsPoly encode_scaled(const RlweContext& ctx, size_t limbs, std::span<const uint64_t> m, int ell) {
  if (ell < 2 || ell > 62) throw std::invalid_argument("encode_scaled: ell must be in [2, 62]");
  if (m.size() > ctx.n() || limbs == 0 || limbs > ctx.max_limbs()) {
    throw std::invalid_argument("encode_scaled: too many coefficients or bad level");
  }
  const uint64_t t_mask = (uint64_t{1} << ell) - 1, half_t = uint64_t{1} << (ell - 1);
  uint64_t q_mod_t = 1;  // Q mod 2^64, then mod t
  for (size_t i = 0; i < limbs; ++i) q_mod_t *= ctx.modulus(i).value();
  q_mod_t &= t_mask;
  RnsPoly out(ctx.n(), limbs, false);
  for (size_t i = 0; i < limbs; ++i) {
    const Modulus& q = ctx.modulus(i);
    const uint64_t t_inv = q.inverse(q.reduce(uint64_t{1} << ell));
    for (size_t j = 0; j < m.size(); ++j) {
      // round(Q·m/t) ≡ (t/2 − ρ)·t^{-1} (mod q_i), ρ = (Q·m + t/2) mod t (see rlwe.h).
      const uint64_t rho = ((q_mod_t * (m[j] & t_mask)) + half_t) & t_mask;
      const int64_t num = int64_t(half_t) - int64_t(rho);
      out.limb(i)[j] = q.mul(q.from_signed(num), t_inv);
    }
  }
  return out;
}

i128 compose_centered(const RlweContext& ctx, const RnsPoly& x, size_t j) {
  if (x.limbs == 1) {
    const uint64_t q = ctx.modulus(0).value(), v = x.limb(0)[j];
    return v > q / 2 ? i128(v) - i128(q) : i128(v);
  }
  if (x.limbs != 2) throw std::invalid_argument("compose_centered: at most two primes");
  const Modulus& q0 = ctx.modulus(0);
  const Modulus& q1 = ctx.modulus(1);
  // CRT: x = x0 + q0 · ((x1 − x0) · q0^{-1} mod q1).
  const uint64_t x0 = x.limb(0)[j], x1 = x.limb(1)[j];
  const uint64_t k = q1.mul(q1.sub(x1, q1.reduce(x0)), q1.inverse(q1.reduce(q0.value())));
  const u128 big_q = u128(q0.value()) * q1.value();
  const u128 v = u128(x0) + u128(q0.value()) * k;
  return v > big_q / 2 ? i128(v) - i128(big_q) : i128(v);
}

uint64_t decode_scaled(const RlweContext& ctx, const RnsPoly& x, size_t j, int ell) {
  if (ell < 2 || ell > 62) throw std::invalid_argument("decode_scaled: ell must be in [2, 62]");
  u128 big_q = 1;
  for (size_t i = 0; i < x.limbs; ++i) big_q *= ctx.modulus(i).value();
  const i128 c = compose_centered(ctx, x, j);
  const u128 v = c < 0 ? u128(c + i128(big_q)) : u128(c);  // in [0, Q)
  // floor((v·2^ell + Q/2) / Q) by long division over the 190-bit numerator, bit by bit.
  u128 rem = 0;
  uint64_t quot = 0;
  const u128 half_q = big_q / 2;
  // Numerator N = v·2^ell + Q/2, processed from its top bit (v < 2^122, so 122 + ell bits).
  const int total_bits = 122 + ell;
  for (int b = total_bits - 1; b >= 0; --b) {
    // bit b of v·2^ell is bit (b − ell) of v.
    const uint64_t bit = b >= ell && b - ell < 128 ? uint64_t(v >> (b - ell)) & 1 : 0;
    rem = (rem << 1) | bit;
    quot <<= 1;
    if (rem >= big_q) {
      rem -= big_q;
      quot |= 1;
    }
  }
  // Add Q/2 to the numerator: rem + Q/2 may carry one more unit into the quotient.
  if (rem + half_q >= big_q) quot += 1;
  return quot & ((uint64_t{1} << ell) - 1);
}

}  // namespace pg::he
