// RNS arithmetic against big-integer arithmetic (GMP): CRT composition, fast base conversion
// (exact up to the documented multiple of the source modulus), and divide-and-round by the last
// prime (rescale / modulus switching), for several bases of mixed prime sizes.
#include "he/rns.h"

#include <gmp.h>
#include <gtest/gtest.h>

#include <vector>

#include "he/ciphertext.h"
#include "he/evaluator.h"
#include "he/primes.h"
#include "he_test_util.h"

namespace pg::he {
namespace {

// RAII mpz_t.
struct Z {
  mpz_t v;
  Z() { mpz_init(v); }
  explicit Z(uint64_t x) { mpz_init_set_ui(v, x); }
  ~Z() { mpz_clear(v); }
  Z(const Z&) = delete;
  Z& operator=(const Z&) = delete;
};

void product(const std::vector<Modulus>& b, Z& out) {
  mpz_set_ui(out.v, 1);
  for (const Modulus& m : b) mpz_mul_ui(out.v, out.v, m.value());
}

void from_words(const uint64_t* w, size_t k, Z& out) {
  mpz_import(out.v, k, -1, 8, 0, 0, w);
}

std::vector<Modulus> basis(const std::vector<int>& bits, size_t n = 4096) {
  std::vector<Modulus> out;
  std::vector<uint64_t> used;
  for (int b : bits) {
    const uint64_t p = ntt_primes(b, n, 1, used)[0];
    used.push_back(p);
    out.emplace_back(p);
  }
  return out;
}

const std::vector<std::vector<int>> kBases{
    {60}, {60, 40}, {30, 60, 50}, {60, 60, 60, 60, 60}, {36, 37, 38, 39, 40, 41, 42, 43, 44}};

TEST(Rns, CrtCompositionMatchesGmp) {
  auto prg = test::prg_for(41);
  for (const auto& bits : kBases) {
    const auto b = basis(bits);
    const CrtComposer crt(b);
    Z q, x, got, r, half;
    product(b, q);
    mpz_fdiv_q_2exp(half.v, q.v, 1);
    for (int t = 0; t < 300; ++t) {
      // x uniform in [0, Q) (and the edges 0, 1, Q − 1, floor(Q/2), floor(Q/2) + 1).
      std::vector<uint64_t> words(b.size() + 1);
      for (auto& w : words) w = prg.next_u64();
      from_words(words.data(), words.size(), x);
      mpz_mod(x.v, x.v, q.v);
      if (t == 0) mpz_set_ui(x.v, 0);
      if (t == 1) mpz_set_ui(x.v, 1);
      if (t == 2) mpz_sub_ui(x.v, q.v, 1);
      if (t == 3) mpz_set(x.v, half.v);
      if (t == 4) mpz_add_ui(x.v, half.v, 1);
      std::vector<uint64_t> res(b.size());
      for (size_t i = 0; i < b.size(); ++i) res[i] = mpz_fdiv_ui(x.v, b[i].value());
      std::vector<uint64_t> out(crt.words());
      crt.compose(res.data(), out.data());
      from_words(out.data(), out.size(), got);
      ASSERT_EQ(mpz_cmp(got.v, x.v), 0) << "basis size " << b.size() << " t=" << t;
      // Centred: x − Q when x > Q/2.
      if (mpz_cmp(x.v, half.v) > 0) mpz_sub(x.v, x.v, q.v);
      const double want = mpz_get_d(x.v);
      ASSERT_NEAR(crt.compose_centered_double(res.data()), want, std::fabs(want) * 1e-15 + 1e-300);
      if (b.size() <= 2) {
        const i128 c = crt.compose_centered_i128(res.data());
        const u128 mag = c < 0 ? u128(-c) : u128(c);
        const uint64_t mw[2] = {uint64_t(mag), uint64_t(mag >> 64)};
        Z m;
        from_words(mw, 2, m);
        if (c < 0) mpz_neg(m.v, m.v);
        ASSERT_EQ(mpz_cmp(m.v, x.v), 0);
      }
    }
  }
}

TEST(Rns, FastBaseConversionIsExactUpToMultiplesOfTheSource) {
  auto prg = test::prg_for(42);
  const auto all = basis({60, 40, 50, 30, 59, 45, 58});
  for (size_t k : {size_t{1}, size_t{2}, size_t{3}}) {
    const std::vector<Modulus> from(all.begin(), all.begin() + long(k));
    const std::vector<Modulus> to(all.begin() + long(k), all.end());
    const BaseConverter conv(from, to);
    Z b, x, y;
    product(from, b);
    const size_t n = 256;
    std::vector<std::vector<uint64_t>> in(k, std::vector<uint64_t>(n));
    std::vector<std::vector<uint64_t>> out(to.size(), std::vector<uint64_t>(n));
    std::vector<Z> xs(n);
    for (size_t t = 0; t < n; ++t) {
      std::vector<uint64_t> words(k + 1);
      for (auto& w : words) w = prg.next_u64();
      from_words(words.data(), words.size(), xs[t]);
      mpz_mod(xs[t].v, xs[t].v, b.v);
      for (size_t i = 0; i < k; ++i) in[i][t] = mpz_fdiv_ui(xs[t].v, from[i].value());
    }
    std::vector<const uint64_t*> ip;
    std::vector<uint64_t*> op;
    for (auto& r : in) ip.push_back(r.data());
    for (auto& r : out) op.push_back(r.data());
    conv.convert(ip.data(), op.data(), n);
    for (size_t t = 0; t < n; ++t) {
      // Some u in [0, k) makes every output equal to (x + u·B) mod c_j.
      bool found = false;
      for (uint64_t u = 0; u < k && !found; ++u) {
        mpz_set(y.v, b.v);
        mpz_mul_ui(y.v, y.v, u);
        mpz_add(y.v, y.v, xs[t].v);
        bool all_match = true;
        for (size_t j = 0; j < to.size(); ++j) {
          all_match = all_match && out[j][t] == mpz_fdiv_ui(y.v, to[j].value());
        }
        found = all_match;
      }
      ASSERT_TRUE(found) << "k=" << k << " t=" << t;
    }
  }
}

// Rescale's arithmetic: every coefficient becomes round(c / q_l) mod Q', c in [0, Q).
TEST(Rns, DivideAndRoundByTheLastPrimeMatchesGmp) {
  auto prg = test::prg_for(43);
  const auto ctx = Context::create(ParamsLiteral::from_bits(4096, {36, 30, 40}));
  const Evaluator ev(ctx);
  Ciphertext ct;
  ct.reset(*ctx, 2, 2, 1.0);
  for (size_t c = 0; c < 2; ++c) {
    for (size_t i = 0; i < 3; ++i) {
      for (size_t j = 0; j < 4096; ++j)
        ct.poly(c).limb(i)[j] = prg.uniform_below(ctx->modulus(i).value());
    }
  }
  Ciphertext low;
  ev.mod_switch_round_to(ct, 1, low);
  ASSERT_EQ(low.level(), 1u);
  RnsPoly before = ct.poly(1), after = low.poly(1);
  ctx->from_ntt(before);
  ctx->from_ntt(after);
  const CrtComposer big(std::vector<Modulus>{ctx->modulus(0), ctx->modulus(1), ctx->modulus(2)});
  const CrtComposer small(std::vector<Modulus>{ctx->modulus(0), ctx->modulus(1)});
  Z x, want, got, ql(ctx->modulus(2).value()), qp;
  mpz_set_ui(qp.v, ctx->modulus(0).value());
  mpz_mul_ui(qp.v, qp.v, ctx->modulus(1).value());
  for (size_t j = 0; j < 4096; ++j) {
    uint64_t res[3] = {before.limb(0)[j], before.limb(1)[j], before.limb(2)[j]};
    if (j == 0) res[0] = res[1] = res[2] = 0;
    if (j == 1) {  // c = q_l·k + (q_l − 1)/2: the rounding boundary
      for (size_t i = 0; i < 3; ++i) res[i] = ctx->modulus(i).reduce(ctx->modulus(2).value() >> 1);
    }
    if (j < 2) {
      for (size_t i = 0; i < 3; ++i) before.limb(i)[j] = res[i];
    }
    uint64_t w[3];
    big.compose(res, w);
    from_words(w, 3, x);
    // round(x / q_l) = floor((x + floor(q_l/2)) / q_l), then mod Q'.
    mpz_add_ui(want.v, x.v, ctx->modulus(2).value() >> 1);
    mpz_fdiv_q(want.v, want.v, ql.v);
    mpz_mod(want.v, want.v, qp.v);
    if (j < 2) continue;  // the edge rows were edited after the switch: checked below
    uint64_t r2[2] = {after.limb(0)[j], after.limb(1)[j]}, w2[2];
    small.compose(r2, w2);
    from_words(w2, 2, got);
    ASSERT_EQ(mpz_cmp(got.v, want.v), 0) << j;
  }
  // The edge values through the same path.
  ctx->to_ntt(before);
  ct.poly(1) = before;
  ev.mod_switch_round_to(ct, 1, low);
  after = low.poly(1);
  ctx->from_ntt(after);
  EXPECT_EQ(after.limb(0)[0], 0u);
  EXPECT_EQ(after.limb(1)[0], 0u);
  // (q_l − 1)/2 rounds down to 0 (q_l is odd: no tie).
  EXPECT_EQ(after.limb(0)[1], 0u);
}

}  // namespace
}  // namespace pg::he
