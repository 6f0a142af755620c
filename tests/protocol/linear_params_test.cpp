// The parameter derivation of linear_params.h, re-checked from the returned sets with the actual
// primes: flooding at least 2^σ' times the computed-noise bound, exact decryption with the
// dropped bits, no wrap of the statistically masked value, and the 128-bit bound on log2(QP).
#include "protocol/linear/linear_params.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <string>

#include "nn/kernels/conv_geometry.h"
#include "protocol/linear/slot_layout.h"
#include "protocol/linear/term_setup.h"

namespace pg::protocol {
namespace {

double log2_prod(const std::vector<uint64_t>& p, size_t from, size_t to) {
  double s = 0;
  for (size_t i = from; i < to; ++i) s += std::log2(double(p[i]));
  return s;
}

void expect_secure(const TermParams& p) {
  int bits = 0;
  for (uint64_t q : p.primes) bits += std::bit_width(q);
  for (uint64_t q : p.special) bits += std::bit_width(q);
  EXPECT_LE(bits, he::max_log2_qp_128(p.n)) << describe(p);
}

double half_drop(const TermParams& p) {
  return p.drop_bits ? std::ldexp(1.0, p.drop_bits - 1) : 0.0;
}

// The derivation's conditions, recomputed independently from the shape and the returned primes.
void expect_sound(const TermParams& p, const TermShape& s, double comp) {
  expect_secure(p);
  const double w = std::ldexp(1.0, s.weight_bits) - 1;
  const double kw = double(s.taps) * w;
  EXPECT_GE(std::ldexp(1.0, p.flood_bits + 1), std::ldexp(comp, s.sigma)) << "flooding too small";
  const double nq = comp + std::ldexp(1.0, p.flood_bits) + pk_zero_noise(p.n) + 1;
  const size_t r = p.reply_level, top = p.primes.size();
  const double lq = log2_prod(p.primes, 0, top), lr = log2_prod(p.primes, 0, r + 1);
  const double ms = r + 1 == top ? 0.0 : mod_switch_noise(p.n);
  if (p.packing == HePacking::kCoefficient && p.scheme == HeScheme::kPow2) {
    // N_Q·q_r/Q + B_ms + 2^(d−1) < q_r/(2t)
    const double noise = std::exp2(std::log2(nq) + lr - lq) + ms + half_drop(p);
    EXPECT_LT(std::log2(noise), lr - s.ell - 1) << describe(p);
  } else if (p.packing == HePacking::kCoefficient) {
    EXPECT_GE(double(p.mask_bits), s.sigma + std::log2(kw)) << "statistical mask too small";
    const double noise = std::exp2(std::log2(nq) - (lq - lr)) + ms + half_drop(p);
    EXPECT_LT(noise, std::ldexp(1.0, p.scale_bits - 1)) << describe(p);
    const double m = std::ldexp(1.0, s.ell + p.mask_bits) + kw * std::ldexp(1.0, s.ell);
    EXPECT_LT(p.scale_bits + std::log2(m) + 1, lr) << "the masked value wraps";
  } else {
    EXPECT_GE(double(p.mask_bits), s.sigma + std::log2(2 * kw)) << "statistical mask too small";
    const double lt = log2_prod(p.primes, 0, p.plain_primes);
    EXPECT_GE(lt, s.ell + p.mask_bits + 2) << "the masked value wraps mod t";
    const double le = std::log2(double(p.primes[p.plain_primes]));
    const double noise = std::exp2(std::log2(nq) - (lq - lr)) + ms + half_drop(p);
    EXPECT_LT(noise, std::exp2(le - 1)) << describe(p);
  }
}

// K_e (noise products per output coefficient) sizes the computed noise, and so the flooding:
// a dense block of 32 rows sums 32·K noise products, √32 times the noise of K.
TEST(LinearParams, NoiseTermsSizeTheComputedNoise) {
  for (const HeScheme scheme : {HeScheme::kPow2, HeScheme::kCkks}) {
    TermShape k{37, 256, 8, 50};
    TermShape ke = k;
    ke.noise_terms = 32 * 256;
    const auto a = coeff_params(scheme, k, 16384);
    const auto b = coeff_params(scheme, ke, 16384);
    ASSERT_TRUE(a && b);
    EXPECT_NEAR(b->log2_comp_noise - a->log2_comp_noise, 0.5 * std::log2(32.0), 1e-9);
    EXPECT_GE(b->flood_bits, a->flood_bits + 2);
  }
  TermShape bad{37, 256, 8, 50};
  bad.noise_terms = 255;
  try {
    (void)coeff_params(HeScheme::kCkks, bad, 16384);
    ADD_FAILURE() << "fewer noise terms than taps were accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "HE term: fewer noise terms than taps");
  }
}

TEST(LinearParams, PlanSigmaAddsTheLogOfTheRevealedCount) {
  EXPECT_EQ(plan_sigma(1), 40);
  EXPECT_EQ(plan_sigma(2), 41);
  EXPECT_EQ(plan_sigma(1u << 20), 60);
  EXPECT_EQ(plan_sigma((1u << 20) + 1), 61);
}

class CoeffParams : public ::testing::TestWithParam<std::tuple<int, size_t, int, HeScheme>> {};

TEST_P(CoeffParams, SoundAtEveryFeasibleDegree) {
  const auto [ell, taps, wbits, scheme] = GetParam();
  TermShape s{ell, taps, wbits, 58};
  const double w = std::ldexp(1.0, wbits) - 1;
  const double var = scheme == HeScheme::kPow2 ? 10.75 : 10.5;
  const double comp = kTailZ * std::sqrt(double(taps) * var) * w;
  int feasible = 0;
  for (size_t n : {4096u, 8192u, 16384u, 32768u}) {
    const auto p = coeff_params(scheme, s, n);
    if (!p) continue;
    ++feasible;
    EXPECT_EQ(p->n, n);
    EXPECT_NEAR(p->log2_comp_noise, std::log2(comp), 1e-9);
    expect_sound(*p, s, comp);
  }
  EXPECT_GT(feasible, 0);
}

INSTANTIATE_TEST_SUITE_P(Grid, CoeffParams,
                         ::testing::Combine(::testing::Values(16, 37, 44, 63),
                                            ::testing::Values(9, 576, 4608, 65536),
                                            ::testing::Values(1, 13, 24),
                                            ::testing::Values(HeScheme::kPow2, HeScheme::kCkks)));

TEST(LinearParams, SlotParamsAreSound) {
  for (const auto& g :
       {nn::kernels::square_conv(16, 8, 8, 16, 3, 1, 1),
        nn::kernels::square_conv(64, 32, 32, 64, 3, 1, 1), nn::kernels::dense_geometry(1024, 10)}) {
    const bool dense = g.in_h == 1 && g.kh == 1 && g.in_c == 1024;
    const TermShape s{37, g.taps(), 12, 60};
    for (size_t n : {16384u, 32768u}) {
      const SlotLayout l = dense ? SlotLayout::dense(g.in_c, g.out_c, n) : SlotLayout::conv(g, n);
      const auto p = slot_params(s, n, l);
      if (!p) continue;
      EXPECT_FALSE(p->special.empty() && l.rotates());
      // Recompute the computed-noise bound with the final key-switch noise.
      const size_t a = p->special.size();
      double worst = 0;
      for (size_t d = 0; a && d * a < p->primes.size(); ++d) {
        worst = std::max(worst, log2_prod(p->primes, d * a, std::min(p->primes.size(), d * a + a)));
      }
      const double bks = a ? key_switch_noise(n, (p->primes.size() + a - 1) / a, worst,
                                              log2_prod(p->special, 0, a))
                           : 0.0;
      expect_sound(*p, s, l.noise(n, log2_prod(p->primes, 0, p->plain_primes), bks));
    }
  }
}

TEST(LinearParams, Pow2StopsBelow2To64AndAutoFallsBackToCkks) {
  const TermShape s{64, 9, 8, 45};
  for (size_t n : {4096u, 8192u, 16384u, 32768u}) EXPECT_FALSE(coeff_params(HeScheme::kPow2, s, n));
  nn::HeTerm t;
  t.geometry = nn::kernels::square_conv(1, 4, 4, 1, 3);
  t.weight_bits = 8;
  const auto a = setup_term(t, 64, 45, HeScheme::kAuto, HePacking::kCoefficient);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->params.scheme, HeScheme::kCkks);
  const auto b = setup_term(t, 40, 45, HeScheme::kAuto, HePacking::kCoefficient);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->params.scheme, HeScheme::kPow2) << "2^l is cheaper whenever it exists";
}

TEST(LinearParams, ImpossibleCombinationsAreRejectedWithAReason) {
  EXPECT_THROW((void)coeff_params(HeScheme::kPow2, TermShape{1, 9, 8, 40}, 8192),
               std::invalid_argument);
  EXPECT_THROW((void)coeff_params(HeScheme::kPow2, TermShape{37, 0, 8, 40}, 8192),
               std::invalid_argument);
  EXPECT_THROW((void)coeff_params(HeScheme::kAuto, TermShape{37, 9, 8, 40}, 8192),
               std::invalid_argument);
  // ℓ = 64 with 40-bit weights over a million taps and σ' = 100 fits no ring up to 2^15.
  nn::HeTerm t;
  t.geometry = nn::kernels::dense_geometry(1 << 20, 1);
  t.dense = true;
  t.weight_bits = 40;
  EXPECT_FALSE(setup_term(t, 64, 100, HeScheme::kAuto, HePacking::kCoefficient).has_value());
  // The 2^l plaintext space stops at l = 63: asking for it at l = 64 names the term.
  nn::HeTerm small;
  small.geometry = nn::kernels::dense_geometry(16, 4);
  small.dense = true;
  small.weight_bits = 8;
  nn::Plan plan;
  plan.ell = 64;
  plan.tensors = {{16, 1, 1}, {4, 1, 1}};
  nn::AffineStep a;
  a.out = 1;
  a.he_terms.push_back(small);
  plan.steps.push_back(a);
  plan.output = 1;
  try {
    (void)PlanSetup::build(plan, HeOptions{HeScheme::kPow2, HePacking::kCoefficient, nullptr});
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("no 128-bit-secure exact parameters"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(setup_term(t, 37, 45, HeScheme::kPow2, HePacking::kSlot), std::invalid_argument);
}

}  // namespace
}  // namespace pg::protocol
