#include "mpc/tccr.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "test_util.h"

namespace pg::mpc {
namespace {

TEST(Tccr, FixedKeyRoundKeysMatchTheDocumentedKey) {
  // kFixedKey = SHA-256("pangolin/gc/fixed-key-aes/v1")[0..16).
  const auto key = pg::test::from_hex("f826687dc2f86ecdf9104a28cd017cc3");
  const core::Aes128 aes(std::span<const uint8_t, 16>(key.data(), 16));
  core::testing::FixedSeedScope seed(core::testing::seed_of(0x71));
  auto prg = core::Prg::from_os();
  for (int i = 0; i < 100; ++i) {
    const Block x = prg.next_block();
    ASSERT_TRUE(block_eq(fixed_tccr().permute(x), aes.encrypt(x)));
  }
}

TEST(Tccr, BatchedHashMatchesTheDefinitionForEveryLength) {
  // H(x, i) = π(π(x) ⊕ i) ⊕ π(x), on the automatic path (VAES where the CPU has it) and on the
  // AES-NI path, including their tails.
  core::testing::FixedSeedScope seed(core::testing::seed_of(0x72));
  auto prg = core::Prg::from_os();
  const core::Aes128 aes(std::span<const uint8_t, 16>(
      pg::test::from_hex("f826687dc2f86ecdf9104a28cd017cc3").data(), 16));
  for (const AesPath path : {AesPath::kAuto, AesPath::kAesNi}) {
    const Tccr h(path);
    for (size_t n = 1; n <= 41; ++n) {
      std::vector<Block> x(n), tw(n), out(n);
      prg.fill_blocks(x.data(), n);
      prg.fill_blocks(tw.data(), n);
      h.hash(x.data(), tw.data(), out.data(), n);
      for (size_t i = 0; i < n; ++i) {
        const Block p = aes.encrypt(x[i]);  // the oracle: core's AES, not the hash's own code
        ASSERT_TRUE(block_eq(out[i], aes.encrypt(p ^ tw[i]) ^ p)) << n << " " << i;
      }
      h.hash(x.data(), tw.data(), x.data(), n);  // in place
      ASSERT_TRUE(block_eq(x[n - 1], out[n - 1]));
    }
  }
  EXPECT_FALSE(Tccr(AesPath::kAesNi).uses_vaes());
}

}  // namespace
}  // namespace pg::mpc
