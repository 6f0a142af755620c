#include "mpc/aes_ctr.h"

#include <gtest/gtest.h>

#include <array>
#include <cstring>

#include "core/testing.h"

namespace pg::mpc {
namespace {

TEST(AesCtrStream, MatchesAes128OnCounterBlocksAcrossCalls) {
  core::testing::FixedSeedScope seed(core::testing::seed_of(0x73));
  auto prg = core::Prg::from_os();
  for (const AesPath path : {AesPath::kAuto, AesPath::kAesNi}) {
    for (int trial = 0; trial < 4; ++trial) {
      const core::Seed s = prg.derive_seed();
      const core::Aes128 aes(std::span<const uint8_t, 16>(s.data(), 16));
      AesCtrStream stream(s, path);
      uint64_t k = 0;
      for (size_t n : {1, 2, 3, 8, 9, 16, 17, 40, 5}) {  // odd lengths and the wide fast paths
        std::vector<Block> out(n);
        stream.fill(out.data(), n);
        for (size_t i = 0; i < n; ++i, ++k) {
          ASSERT_TRUE(block_eq(out[i], aes.encrypt(make_block(0, k)))) << "block " << k;
        }
      }
      std::vector<Block> at(23);
      stream.fill_at(uint64_t{1} << 40, at.data(), at.size());  // random access far ahead
      for (size_t i = 0; i < at.size(); ++i) {
        ASSERT_TRUE(block_eq(at[i], aes.encrypt(make_block(0, (uint64_t{1} << 40) + i))));
      }
    }
  }
}

TEST(AesCtrStream, AMovedStreamContinuesWhereItStopped) {
  core::testing::FixedSeedScope seed(core::testing::seed_of(0x74));
  auto prg = core::Prg::from_os();
  const core::Seed s = prg.derive_seed();
  const core::Aes128 aes(std::span<const uint8_t, 16>(s.data(), 16));
  AesCtrStream a(s);
  Block out[3];
  a.fill(out, 3);
  AesCtrStream b(std::move(a));
  b.fill(out, 1);
  EXPECT_TRUE(block_eq(out[0], aes.encrypt(make_block(0, 3))));
  AesCtrStream c(prg.derive_seed());
  c = std::move(b);
  c.fill(out, 1);
  EXPECT_TRUE(block_eq(out[0], aes.encrypt(make_block(0, 4))));
}

TEST(Aes128, RoundKeysFollowFips197AppendixA1) {
  // Key 2b7e1516 28aed2a6 abf71588 09cf4f3c; w[40..43] = d014f9a8 c9ee2589 e13f0cc8 b6630ca6.
  const std::array<uint8_t, 16> key = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                                       0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};
  const std::array<uint8_t, 16> last = {0xd0, 0x14, 0xf9, 0xa8, 0xc9, 0xee, 0x25, 0x89,
                                        0xe1, 0x3f, 0x0c, 0xc8, 0xb6, 0x63, 0x0c, 0xa6};
  const core::Aes128 aes(key);
  Block k0, k10;
  std::memcpy(&k0, key.data(), 16);
  std::memcpy(&k10, last.data(), 16);
  EXPECT_TRUE(block_eq(aes.round_keys()[0], k0));
  EXPECT_TRUE(block_eq(aes.round_keys()[core::Aes128::kRounds], k10));
}

}  // namespace
}  // namespace pg::mpc
