// The slot encoder against an independent O(N²) oracle (direct evaluation of the canonical
// embedding and its inverse), round-trip precision with stated thresholds, and known answers.
#include "he/ckks_encoder.h"

#include <gtest/gtest.h>

#include <numbers>

#include "he_test_util.h"

namespace pg::he {
namespace {

using test::Cx;
using LCx = std::complex<long double>;

// m_k = (2/N)·Re Σ_j z_j ζ^{−k·5^j}: the inverse canonical embedding, directly.
std::vector<long double> naive_inverse(const std::vector<Cx>& z, size_t n) {
  std::vector<long double> m(n, 0);
  const long double pi = std::numbers::pi_v<long double>;
  std::vector<uint64_t> five(z.size());
  uint64_t f = 1;
  for (auto& e : five) {
    e = f;
    f = f * 5 % (2 * n);
  }
  std::vector<long double> cs(2 * n), sn(2 * n);  // cos, sin of −π·e/N
  for (size_t e = 0; e < 2 * n; ++e) {
    cs[e] = std::cos(-pi * (long double)e / n);
    sn[e] = std::sin(-pi * (long double)e / n);
  }
  for (size_t k = 0; k < n; ++k) {
    long double acc = 0;
    for (size_t j = 0; j < z.size(); ++j) {
      const size_t e = (k * five[j]) % (2 * n);
      acc += z[j].real() * cs[e] - z[j].imag() * sn[e];
    }
    m[k] = 2 * acc / n;
  }
  return m;
}

// z_j = m(ζ^{5^j}) for integer coefficients m, divided by Δ: the embedding, directly.
Cx naive_slot(const std::vector<int64_t>& m, size_t j, double delta) {
  const size_t n = m.size();
  uint64_t e = 1;
  for (size_t i = 0; i < j; ++i) e = e * 5 % (2 * n);
  const long double pi = std::numbers::pi_v<long double>;
  LCx acc = 0;
  for (size_t k = 0; k < n; ++k) {
    const long double a = pi * (long double)((k * e) % (2 * n)) / n;
    acc += LCx((long double)m[k] * std::cos(a), (long double)m[k] * std::sin(a));
  }
  return Cx(double(acc.real() / delta), double(acc.imag() / delta));
}

std::vector<int64_t> centred_coeffs(const Context& ctx, const Plaintext& p) {
  RnsPoly c = p.poly();
  ctx.from_ntt(c);
  const uint64_t q = ctx.modulus(0).value();
  std::vector<int64_t> m(ctx.n());
  for (size_t k = 0; k < m.size(); ++k) {
    const uint64_t v = c.limb(0)[k];
    m[k] = v > q / 2 ? -int64_t(q - v) : int64_t(v);
  }
  return m;
}

TEST(CkksEncoder, MatchesTheCanonicalEmbeddingDirectly) {
  const auto ctx = Context::create(ParamsLiteral::from_bits(1024, {27}));
  const CkksEncoder enc(ctx);
  auto prg = test::prg_for(21);
  const auto z = test::random_slots(prg, 512, 4.0);
  const double delta = 0x1p16;
  Plaintext p;
  enc.encode(z, delta, 0, p);
  const auto m = centred_coeffs(*ctx, p);
  const auto want = naive_inverse(z, 1024);
  size_t off = 0;
  for (size_t k = 0; k < 1024; ++k) {
    const long double d = want[k] * delta;
    ASSERT_LE(std::fabs((long double)m[k] - d), 0.5L + 1e-6L) << k;
    off += (long double)m[k] != std::round(d);
  }
  EXPECT_EQ(off, 0u);  // no rounding tie flips at this precision
  for (size_t j : {size_t{0}, size_t{1}, size_t{100}, size_t{511}}) {
    EXPECT_LT(std::abs(naive_slot(m, j, delta) - z[j]), 0x1p-8) << j;
  }
  // Known answers (pins the layout): slots z_j = j + 1 for j < 4, Δ = 2^10.
  Plaintext k;
  enc.encode(std::vector<double>{1, 2, 3, 4}, 1024.0, 0, k);
  const auto km = centred_coeffs(*ctx, k);
  EXPECT_EQ(km[0], 20);  // 2/N · Σ z_j · Δ = 2·10·1024/1024
  const auto kw = naive_inverse({Cx(1, 0), Cx(2, 0), Cx(3, 0), Cx(4, 0)}, 1024);
  for (size_t i : {size_t{1}, size_t{2}, size_t{3}, size_t{511}, size_t{512}, size_t{513}}) {
    EXPECT_EQ(km[i], int64_t(std::round(kw[i] * 1024))) << i;
  }
  EXPECT_EQ(km[1], 19);
  EXPECT_EQ(km[3], 15);
  EXPECT_EQ(km[513], -4);
}

class EncoderPrecision : public ::testing::TestWithParam<size_t> {};

// Round trip at Δ = 2^40: the error is the coefficient rounding, about √N·2^-41 per slot.
TEST_P(EncoderPrecision, RoundTripWithinThreshold) {
  const size_t n = GetParam();
  const auto ctx = Context::create(ParamsLiteral::from_bits(n, {60, 40}));
  const CkksEncoder enc(ctx);
  auto prg = test::prg_for(22);
  const auto z = test::random_slots(prg, n / 2, 8.0);
  for (size_t level : {size_t{0}, size_t{1}}) {
    Plaintext p;
    enc.encode(z, 0x1p40, level, p);
    EXPECT_LT(test::log2_error(enc.decode(p), z), -30.0) << "n=" << n;
  }
  // Real slots and a constant.
  std::vector<double> x(n / 2);
  for (size_t j = 0; j < x.size(); ++j) x[j] = z[j].real();
  Plaintext p;
  enc.encode(x, 0x1p40, 1, p);
  const auto back = enc.decode(p);
  for (size_t j = 0; j < x.size(); ++j) {
    ASSERT_NEAR(back[j].real(), x[j], 0x1p-30);
    ASSERT_NEAR(back[j].imag(), 0.0, 0x1p-30);
  }
  enc.encode_constant(-3.25, 0x1p40, 1, p);
  for (const Cx& v : enc.decode(p)) ASSERT_LT(std::abs(v - Cx(-3.25, 0)), 0x1p-35);
  // Too large for the modulus.
  EXPECT_THROW(enc.encode_constant(0x1p30, 0x1p40, 0, p), std::invalid_argument);
  EXPECT_THROW(enc.encode(std::vector<Cx>(n / 2 + 1), 0x1p40, 0, p), std::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(Degrees, EncoderPrecision, ::testing::Values(4096, 8192, 16384));

}  // namespace
}  // namespace pg::he
