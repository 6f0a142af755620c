#include "core/prg.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <vector>

#include "core/testing.h"
#include "test_util.h"

namespace pg::core {
namespace {

using pg::test::from_hex;
using pg::test::to_hex;

Seed seed_from(const std::string& key_hex, const std::string& ctr_hex) {
  Seed s{};
  const auto k = from_hex(key_hex), c = from_hex(ctr_hex);
  std::memcpy(s.data(), k.data(), 16);
  std::memcpy(s.data() + 16, c.data(), 16);
  return s;
}

// SP 800-38A F.5.1 CTR-AES128.Encrypt: keystream = ciphertext XOR plaintext, four blocks.
TEST(Prg, Sp80038aCtrAes128KnownAnswer) {
  Prg prg = Prg::from_seed(
      seed_from("2b7e151628aed2a6abf7158809cf4f3c", "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"));
  const auto pt = from_hex(
      "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
      "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
  std::vector<uint8_t> ks(64);
  prg.fill(ks);
  for (size_t i = 0; i < ks.size(); ++i) ks[i] ^= pt[i];
  EXPECT_EQ(to_hex(ks),
            "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
            "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee");
}

// The counter is a 128-bit big-endian integer: the carry crosses from the low to the high word.
TEST(Prg, CounterCarriesAcross64BitBoundary) {
  const std::string key = "000102030405060708090a0b0c0d0e0f";
  Prg prg = Prg::from_seed(seed_from(key, "0000000000000001ffffffffffffffff"));
  std::vector<uint8_t> ks(32);
  prg.fill(ks);
  const auto k = from_hex(key);
  Aes128 aes(std::span<const uint8_t, 16>(k.data(), 16));
  const auto next = from_hex("00000000000000020000000000000000");
  uint8_t want[16];
  _mm_storeu_si128(reinterpret_cast<Block*>(want),
                   aes.encrypt(_mm_loadu_si128(reinterpret_cast<const Block*>(next.data()))));
  EXPECT_EQ(to_hex(ks.data() + 16, 16), to_hex(want, 16));
}

// fill() and the word-wise readers consume one continuous stream, whatever the chunking.
TEST(Prg, ChunkingDoesNotChangeTheStream) {
  const Seed s = testing::seed_of(7);
  Prg a = Prg::from_seed(s), b = Prg::from_seed(s);
  std::vector<uint8_t> whole(5000);
  a.fill(whole);
  std::vector<uint8_t> pieces;
  const size_t sizes[] = {3, 16, 1, 1024, 8, 77, 2048, 5};
  for (size_t i = 0; pieces.size() < whole.size(); ++i) {
    size_t n = std::min(sizes[i % 8], whole.size() - pieces.size());
    if (i % 3 == 1 && n >= 8) {
      uint64_t w = b.next_u64();
      uint8_t tmp[8];
      std::memcpy(tmp, &w, 8);
      pieces.insert(pieces.end(), tmp, tmp + 8);
      continue;
    }
    std::vector<uint8_t> p(n);
    b.fill(p);
    pieces.insert(pieces.end(), p.begin(), p.end());
  }
  EXPECT_EQ(whole, pieces);
}

TEST(Prg, DerivedPrgsAreDeterministicAndDistinct) {
  Prg a = Prg::from_seed(testing::seed_of(1)), b = Prg::from_seed(testing::seed_of(1));
  Prg a1 = a.derive(), b1 = b.derive();
  Prg a2 = a.derive();
  EXPECT_EQ(a1.next_u64(), b1.next_u64());
  EXPECT_NE(a1.next_u64(), a2.next_u64());
}

TEST(Prg, OsSeedsDifferAndFixedSeedScopeMakesThemReproducible) {
  EXPECT_NE(os_seed(), os_seed());
  std::vector<uint64_t> first, second;
  {
    testing::FixedSeedScope scope(testing::seed_of(42));
    for (int i = 0; i < 3; ++i) first.push_back(Prg::from_os().next_u64());
  }
  {
    testing::FixedSeedScope scope(testing::seed_of(42));
    for (int i = 0; i < 3; ++i) second.push_back(Prg::from_os().next_u64());
  }
  EXPECT_EQ(first, second);
  EXPECT_NE(first[0], first[1]);
  // Outside a scope, the OS seeds again.
  EXPECT_NE(Prg::from_os().next_u64(), first[0]);
}

// Chi-square goodness of fit of uniform_below for bounds that are not powers of two (where a
// modulo bias would show) and for one that is. Fixed seed, so the test is deterministic; the
// thresholds are the 0.999 quantiles of chi-square with k-1 degrees of freedom.
struct ChiCase {
  uint64_t bound;
  double critical;
};

class UniformBelow : public ::testing::TestWithParam<ChiCase> {};

TEST_P(UniformBelow, ChiSquareAcceptsUniformity) {
  const auto [bound, critical] = GetParam();
  Prg prg = Prg::from_seed(testing::seed_of(3));
  const size_t draws = 200000;
  std::vector<size_t> counts(bound, 0);
  for (size_t i = 0; i < draws; ++i) {
    const uint64_t v = prg.uniform_below(bound);
    ASSERT_LT(v, bound);
    counts[v]++;
  }
  const double expected = static_cast<double>(draws) / static_cast<double>(bound);
  double chi = 0;
  for (size_t c : counts) chi += (c - expected) * (c - expected) / expected;
  EXPECT_LT(chi, critical) << "bound " << bound;
}

INSTANTIATE_TEST_SUITE_P(Bounds, UniformBelow,
                         ::testing::Values(ChiCase{3, 13.82}, ChiCase{10, 27.88},
                                           ChiCase{97, 139.0}, ChiCase{256, 330.5},
                                           ChiCase{1000, 1143.9}));

// A biased sampler (x mod 3 of a 2-bit value) must fail the same statistic: the test has power.
TEST(UniformBelow, ChiSquareRejectsAModuloBiasedSampler) {
  Prg prg = Prg::from_seed(testing::seed_of(3));
  std::vector<size_t> counts(3, 0);
  const size_t draws = 200000;
  for (size_t i = 0; i < draws; ++i) counts[(prg.next_u64() & 3) % 3]++;
  const double expected = draws / 3.0;
  double chi = 0;
  for (size_t c : counts) chi += (c - expected) * (c - expected) / expected;
  EXPECT_GT(chi, 13.82);
}

TEST(UniformBelow, LargeAndEdgeBounds) {
  Prg prg = Prg::from_seed(testing::seed_of(9));
  EXPECT_EQ(prg.uniform_below(1), 0u);
  const uint64_t big = (uint64_t{1} << 63) + 12345;
  bool high = false;
  for (int i = 0; i < 1000; ++i) {
    const uint64_t v = prg.uniform_below(big);
    ASSERT_LT(v, big);
    high |= v >= (uint64_t{1} << 62);
  }
  EXPECT_TRUE(high);
  const uint64_t full = ~uint64_t{0};
  for (int i = 0; i < 100; ++i) ASSERT_LT(prg.uniform_below(full), full);
}

TEST(UniformBelowDeath, ZeroBoundAborts) {
  Prg prg = Prg::from_seed(testing::seed_of(9));
  EXPECT_DEATH(prg.uniform_below(0), "uniform_below");
}

}  // namespace
}  // namespace pg::core
