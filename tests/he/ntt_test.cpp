// Modular arithmetic, prime generation and the NTT against independent oracles: 128-bit `%`,
// trial division, and schoolbook negacyclic convolution.
#include <gtest/gtest.h>

#include <vector>

#include "core/prg.h"
#include "core/testing.h"
#include "he/modarith.h"
#include "he/ntt.h"
#include "he/primes.h"

namespace pg::he {
namespace {

TEST(Modulus, BarrettAndShoupMatchDivision) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(51));
  for (uint64_t qv : {uint64_t{3}, uint64_t{65537}, uint64_t{1152921504606830593ULL},
                      (uint64_t{1} << 61) - 1, uint64_t{0x7fffffffe0001ULL}}) {
    const Modulus q(qv);
    for (int i = 0; i < 20000; ++i) {
      const u128 x = ((u128(prg.next_u64()) << 64) | prg.next_u64()) >> (4 + (i % 60));
      ASSERT_EQ(q.reduce(x), uint64_t(x % qv)) << qv;
      const uint64_t a = prg.uniform_below(qv), b = prg.uniform_below(qv);
      ASSERT_EQ(q.mul(a, b), uint64_t(u128(a) * b % qv));
      const u128 top = u128(qv) * qv * 15 + (u128(prg.next_u64()) % qv);  // sums of products
      ASSERT_EQ(q.reduce(top), uint64_t(top % qv));
      // reduce_product on its whole range [0, 2^(2·bits + 1)).
      const u128 below = ((u128(prg.next_u64()) << 64) | prg.next_u64()) >> (127 - 2 * q.bits());
      ASSERT_EQ(q.reduce_product(below), uint64_t(below % qv)) << qv;
      ASSERT_EQ(q.mul_residues(a, b), uint64_t(u128(a) * b % qv));
      const u128 two = u128(a) * b + u128(b) * a;
      ASSERT_EQ(q.reduce_product(two), uint64_t(two % qv));
      const ShoupConst c = ShoupConst::make(b, qv);
      const uint64_t y = prg.next_u64();
      ASSERT_EQ(mul_shoup(y, c, qv), uint64_t(u128(y) * b % qv));
      ASSERT_EQ(q.shoup(b), c.w_shoup);
      ASSERT_LT(mul_shoup_lazy(y, c, qv), 2 * qv);
      ASSERT_EQ(q.reduce_word(y), y % qv);
      const int64_t s = int64_t(y);
      ASSERT_EQ(q.reduce_signed(s), uint64_t((s % int64_t(qv) + int64_t(qv)) % int64_t(qv)));
    }
    if (qv > 3) {
      const uint64_t a = 12345 % qv;
      EXPECT_EQ(q.mul(a, q.inverse(a)), 1u);
    }
  }
  for (uint64_t qv :
       {uint64_t{3}, uint64_t{65537}, (uint64_t{1} << 61) - 1, uint64_t{1152921504606830593ULL}}) {
    const Modulus q(qv);
    const u128 top = (u128(1) << (2 * q.bits() + 1)) - 1;
    for (u128 x : {u128(0), u128(qv - 1) * (qv - 1), u128(qv - 1) * (qv - 1) * 2, top,
                   u128(qv) * qv, u128(qv) * (u128(1) << q.bits())}) {
      EXPECT_EQ(q.reduce_product(x), uint64_t(x % qv)) << qv;
    }
  }
  const Modulus q(1152921504606830593ULL);
  for (int64_t s : {int64_t{0}, int64_t{-1}, INT64_MIN, INT64_MAX}) {
    const i128 want = (i128(s) % i128(q.value()) + q.value()) % q.value();
    EXPECT_EQ(q.reduce_signed(s), uint64_t(want));
  }
  EXPECT_THROW(Modulus(1), std::invalid_argument);
  EXPECT_THROW(Modulus(uint64_t{1} << 62), std::invalid_argument);
  EXPECT_THROW(Modulus(7).inverse(14), std::invalid_argument);
}

TEST(Primes, MillerRabinMatchesTrialDivisionAndKnownPrimes) {
  for (uint64_t n = 0; n < 20000; ++n) {
    bool p = n >= 2;
    for (uint64_t d = 2; d * d <= n && p; ++d) p = n % d != 0;
    ASSERT_EQ(is_prime(n), p) << n;
  }
  EXPECT_TRUE(is_prime((uint64_t{1} << 61) - 1));  // Mersenne prime
  EXPECT_FALSE(is_prime(uint64_t{3215031751}));    // strong pseudoprime to 2,3,5,7
  EXPECT_TRUE(is_prime(18446744073709551557ULL));  // largest 64-bit prime
  EXPECT_FALSE(is_prime(uint64_t{4294967297}));    // 2^32 + 1 = 641 · 6700417
}

TEST(Primes, NttPrimesAreOneModTwoN) {
  for (size_t n : {size_t{4096}, size_t{8192}, size_t{65536}}) {
    for (int bits : {30, 36, 50, 60}) {
      const auto ps = ntt_primes(bits, n, 3);
      ASSERT_EQ(ps.size(), 3u);
      for (uint64_t p : ps) {
        EXPECT_TRUE(is_prime(p));
        EXPECT_EQ(p % (2 * n), 1u);
        EXPECT_EQ(64 - __builtin_clzll(p), bits);
        const uint64_t psi = primitive_root_2n(p, n);
        const Modulus q(p);
        EXPECT_EQ(q.pow(psi, n), p - 1);
      }
    }
  }
  EXPECT_THROW(ntt_primes(14, 65536, 1), std::invalid_argument);
}

// Coefficient k of the schoolbook product a·b mod (X^n + 1, q): an O(n) oracle per coefficient.
uint64_t naive_coeff(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b, size_t k,
                     const Modulus& q) {
  const size_t n = a.size();
  u128 pos = 0, neg = 0;  // reduced every step: each term < q^2 < 2^122
  for (size_t i = 0; i < n; ++i) {
    if (i <= k) {
      pos = q.reduce(pos + u128(a[i]) * b[k - i]);
    } else {
      neg = q.reduce(neg + u128(a[i]) * b[n + k - i]);
    }
  }
  return q.sub(uint64_t(pos), uint64_t(neg));
}

std::vector<uint64_t> via_ntt(std::vector<uint64_t> a, std::vector<uint64_t> b,
                              const NttTables& t) {
  t.forward(a.data());
  t.forward(b.data());
  for (size_t i = 0; i < a.size(); ++i) a[i] = t.modulus().mul(a[i], b[i]);
  t.inverse(a.data());
  return a;
}

class Ntt : public ::testing::TestWithParam<size_t> {};

// Dense random products against the schoolbook oracle: every coefficient for n ≤ 2048, a random
// sample of 48 coefficients (plus the first and last) above, for three primes of each size.
TEST_P(Ntt, ProductsMatchSchoolbookNegacyclicConvolution) {
  const size_t n = GetParam();
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(52));
  for (int bits : {30, 45, 60}) {
    for (uint64_t p : ntt_primes(bits, n, 3)) {
      const Modulus q(p);
      const NttTables t(n, q);
      std::vector<uint64_t> a(n), b(n);
      for (auto& v : a) v = prg.uniform_below(p);
      for (auto& v : b) v = prg.uniform_below(p);
      a[0] = p - 1;  // edge residues
      b[n - 1] = p - 1;
      a[n / 2] = 0;
      const auto c = via_ntt(a, b, t);
      std::vector<size_t> ks{0, n - 1};
      if (n <= 2048) {
        for (size_t k = 1; k + 1 < n; ++k) ks.push_back(k);
      } else {
        for (int s = 0; s < 48; ++s) ks.push_back(prg.uniform_below(n));
      }
      for (size_t k : ks) ASSERT_EQ(c[k], naive_coeff(a, b, k, q)) << "n=" << n << " q=" << p;
      // X · X^{n-1} = X^n = −1.
      std::vector<uint64_t> x(n, 0), y(n, 0);
      x[1] = 1;
      y[n - 1] = 1;
      const auto z = via_ntt(x, y, t);
      EXPECT_EQ(z[0], p - 1);
      for (size_t k = 1; k < n; ++k) ASSERT_EQ(z[k], 0u);
    }
  }
}

// The AVX2 stages against the scalar reference, on inputs spanning the whole lazy range
// ([0, 4q) forward, [0, 2q) inverse), and the round trip.
TEST_P(Ntt, VectorStagesMatchScalarReference) {
  const size_t n = GetParam();
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(53));
  for (int bits : {20, 40, 59, 60}) {
    const uint64_t p = ntt_primes(bits, n, 1)[0];
    const NttTables t(n, Modulus(p));
    std::vector<uint64_t> a(n);
    for (auto& v : a) v = prg.uniform_below(4 * p);
    a[0] = 4 * p - 1;
    auto b = a;
    t.forward(a.data());
    t.forward_scalar(b.data());
    ASSERT_EQ(a, b) << "forward n=" << n << " q=" << p;
    for (auto& v : a) v = prg.uniform_below(2 * p);
    a[1] = 2 * p - 1;
    b = a;
    t.inverse(a.data());
    t.inverse_scalar(b.data());
    ASSERT_EQ(a, b) << "inverse n=" << n << " q=" << p;
    for (auto& v : a) v = prg.uniform_below(p);
    b = a;
    t.forward(a.data());
    t.inverse(a.data());
    ASSERT_EQ(a, b) << "round trip";
  }
}

INSTANTIATE_TEST_SUITE_P(Degrees, Ntt,
                         ::testing::Values(8, 16, 1024, 2048, 4096, 8192, 16384, 32768, 65536));

TEST(Ntt, KnownAnswerForTheSmallestRing) {
  // Pins the bit-reversed output order: slot k holds the evaluation at ψ^{2·bitrev(k)+1}, so
  // NTT(1 + X) starts with 1 + ψ (k = 0) and 1 + ψ^{1025} = 1 − ψ (k = 1, bitrev = 512).
  const uint64_t p = ntt_primes(30, 1024, 1)[0];
  const Modulus q(p);
  const NttTables t(1024, q);
  std::vector<uint64_t> a(1024, 0);
  a[0] = 1;
  a[1] = 1;
  t.forward(a.data());
  const uint64_t psi = primitive_root_2n(p, 1024);
  EXPECT_EQ(a[0], q.add(1, psi));
  EXPECT_EQ(a[1], q.sub(1, psi));
  EXPECT_EQ(a[2], q.add(1, q.pow(psi, 2 * 256 + 1)));  // bitrev(2) = 256
}

}  // namespace
}  // namespace pg::he
