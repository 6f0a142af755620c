// The samplers: seeded expansion (pinned known answers and its definition through
// core::Prg::uniform_below), ternary and centred-binomial statistics, flooding range.
#include "he/sampling.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "he_test_util.h"

namespace pg::he {
namespace {

TEST(Sampling, SeededExpansionFollowsItsDefinitionAndIsPinned) {
  const auto ctx = Context::create(ParamsLiteral::from_bits(4096, {54, 30, 24}));
  RnsPoly a(4096, 3, true);
  expand_uniform(*ctx, core::testing::seed_of(7), a);
  // The definition: one AES-CTR stream, row by row, uniform_below(q_i) per coefficient.
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(7));
  for (size_t i = 0; i < 3; ++i) {
    for (size_t j = 0; j < 4096; ++j) {
      ASSERT_EQ(a.limb(i)[j], prg.uniform_below(ctx->modulus(i).value())) << i << "," << j;
    }
  }
  // Prefix stability: fewer rows are the leading rows of the longer expansion.
  RnsPoly b(4096, 2, true);
  expand_uniform(*ctx, core::testing::seed_of(7), b);
  EXPECT_TRUE(std::equal(b.data.begin(), b.data.end(), a.data.begin()));
  // Known answers (regression pins for the wire format of seeded objects).
  EXPECT_EQ(ctx->modulus(0).value(), 18014398509309953ull);
  EXPECT_EQ(a.limb(0)[0], 17351961823171291ull);
  EXPECT_EQ(a.limb(0)[4095], 2940091028654244ull);
  EXPECT_EQ(a.limb(1)[0], 149511265ull);
  EXPECT_EQ(a.limb(2)[17], 16408684ull);
}

TEST(Sampling, TernaryAndBinomialHaveTheirDistributions) {
  core::Prg prg = test::prg_for(91);
  const size_t n = 1 << 20;
  std::vector<int8_t> t(n), e(n);
  sample_ternary(prg, t);
  sample_cbd(prg, e);
  size_t count[3] = {0, 0, 0};
  for (int8_t x : t) {
    ASSERT_GE(x, -1);
    ASSERT_LE(x, 1);
    ++count[x + 1];
  }
  for (size_t c : count) EXPECT_NEAR(double(c) / n, 1.0 / 3, 0.003);  // > 6σ
  double sum = 0, sq = 0;
  for (int8_t x : e) {
    ASSERT_GE(x, -21);
    ASSERT_LE(x, 21);
    sum += x;
    sq += double(x) * x;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.02);
  EXPECT_NEAR(sq / n, 10.5, 0.1);  // σ ≈ 3.24
}

TEST(Sampling, FloodingIsUniformOnItsRange) {
  const auto ctx = Context::create(ParamsLiteral::from_bits(4096, {60, 48}));
  core::Prg prg = test::prg_for(92);
  for (int bits : {0, 10, 70, 100}) {
    RnsPoly p(4096, 2, false);
    sample_flooding(*ctx, prg, bits, p);
    const CrtComposer& crt = *ctx->level(1).crt;
    double lo = 0, hi = 0, sum = 0;
    for (size_t j = 0; j < 4096; ++j) {
      const uint64_t res[2] = {p.limb(0)[j], p.limb(1)[j]};
      const double v = double(crt.compose_centered_i128(res));
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      sum += v;
    }
    const double b = std::ldexp(1.0, bits);
    EXPECT_GE(lo, -b);
    EXPECT_LT(hi, b + (bits == 0 ? 0.5 : 0));
    if (bits >= 10) {
      EXPECT_LT(lo, -0.99 * b);
      EXPECT_GT(hi, 0.99 * b);
      EXPECT_LT(std::fabs(sum / 4096), 0.05 * b);
    }
  }
  RnsPoly p(4096, 1, false);
  EXPECT_THROW(sample_flooding(*ctx, prg, 121, p), std::invalid_argument);
}

}  // namespace
}  // namespace pg::he
