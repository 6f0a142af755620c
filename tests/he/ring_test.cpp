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
      const ShoupConst c(b, qv);
      const uint64_t y = prg.next_u64();
      ASSERT_EQ(mul_shoup(y, c, qv), uint64_t(u128(y) * b % qv));
      ASSERT_LT(mul_shoup_lazy(y, c, qv), 2 * qv);
    }
    if (qv > 3) {
      const uint64_t a = 12345 % qv;
      EXPECT_EQ(q.mul(a, q.inverse(a)), 1u);
    }
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

// Schoolbook a·b mod (X^n + 1, q).
std::vector<uint64_t> naive(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b,
                            const Modulus& q) {
  const size_t n = a.size();
  std::vector<uint64_t> c(n, 0);
  for (size_t i = 0; i < n; ++i) {
    if (a[i] == 0) continue;
    for (size_t j = 0; j < n; ++j) {
      const uint64_t p = q.mul(a[i], b[j]);
      c[(i + j) % n] = (i + j < n) ? q.add(c[(i + j) % n], p) : q.sub(c[(i + j) % n], p);
    }
  }
  return c;
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

TEST_P(Ntt, ProductsMatchSchoolbookNegacyclicConvolution) {
  const size_t n = GetParam();
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(52));
  for (int bits : {30, 45, 60}) {
    for (uint64_t p : ntt_primes(bits, n, 2)) {
      const Modulus q(p);
      const NttTables t(n, q);
      std::vector<uint64_t> a(n), b(n, 0);
      for (auto& v : a) v = prg.uniform_below(p);
      // Dense b for small n; sparse (8 terms, incl. the edge values) for large n.
      if (n <= 2048) {
        for (auto& v : b) v = prg.uniform_below(p);
      } else {
        for (int k = 0; k < 8; ++k) b[prg.uniform_below(n)] = k % 2 ? p - 1 : prg.uniform_below(p);
        b[n - 1] = p - 1;
      }
      ASSERT_EQ(via_ntt(a, b, t), naive(a, b, q)) << "n=" << n << " q=" << p;
      // X · X^{n-1} = X^n = −1.
      std::vector<uint64_t> x(n, 0), y(n, 0);
      x[1] = 1;
      y[n - 1] = 1;
      auto z = via_ntt(x, y, t);
      EXPECT_EQ(z[0], p - 1);
      // Round trip, including the extreme residues.
      std::vector<uint64_t> r = a;
      r[0] = 0;
      r[1] = p - 1;
      auto s = r;
      t.forward(s.data());
      t.inverse(s.data());
      EXPECT_EQ(s, r);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Degrees, Ntt,
                         ::testing::Values(1024, 2048, 4096, 8192, 16384, 32768, 65536));

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
