#include "mpc/aes_ctr.h"

#include <gtest/gtest.h>

#include "core/testing.h"

namespace pg::mpc {
namespace {

TEST(AesCtrStream, MatchesAes128OnCounterBlocksAcrossCalls) {
  core::testing::FixedSeedScope seed(core::testing::seed_of(0x73));
  auto prg = core::Prg::from_os();
  for (int trial = 0; trial < 4; ++trial) {
    const core::Seed s = prg.derive_seed();
    const core::Aes128 aes(std::span<const uint8_t, 16>(s.data(), 16));
    AesCtrStream stream(s);
    uint64_t k = 0;
    for (size_t n : {1, 2, 3, 16, 17, 40, 5}) {  // odd lengths and the 16-block fast path
      std::vector<Block> out(n);
      stream.fill(out.data(), n);
      for (size_t i = 0; i < n; ++i, ++k) {
        ASSERT_TRUE(block_eq(out[i], aes.encrypt(make_block(0, k)))) << "block " << k;
      }
    }
  }
}

}  // namespace
}  // namespace pg::mpc
