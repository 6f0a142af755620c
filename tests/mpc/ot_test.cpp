#include <gtest/gtest.h>

#include <cstring>

#include "core/testing.h"
#include "mpc/base_ot.h"
#include "mpc/iknp.h"
#include "mpc/transpose.h"
#include "two_party.h"

namespace pg::mpc {
namespace {

using core::testing::FixedSeedScope;
using core::testing::seed_of;

std::vector<uint8_t> random_bits(core::Prg& prg, size_t n) {
  std::vector<uint8_t> bits(bit_bytes(n) + 1);
  prg.fill(bits);
  return bits;
}

TEST(Transpose, MatchesTheDefinition) {
  FixedSeedScope seed(seed_of(0x41));
  auto prg = core::Prg::from_os();
  for (size_t tiles : {1, 3}) {
    const size_t stride = 16 * tiles + 5;  // rows need not be adjacent
    std::vector<uint8_t> rows(128 * stride);
    prg.fill(rows);
    std::vector<Block> out(128 * tiles);
    transpose_128(rows.data(), stride, tiles, out.data());
    for (size_t j = 0; j < 128 * tiles; ++j) {
      for (size_t i = 0; i < 128; ++i) {
        ASSERT_EQ(get_bit(reinterpret_cast<const uint8_t*>(&out[j]), i),
                  get_bit(rows.data() + i * stride, j))
            << "column " << j << " row " << i;
      }
    }
  }
}

TEST(BaseOt, ReceiverGetsExactlyTheChosenKeys) {
  FixedSeedScope seed(seed_of(0x42));
  auto sprg = core::Prg::from_os();
  auto rprg = core::Prg::from_os();
  const size_t n = 64;
  const auto choices = random_bits(rprg, n);
  OtKeys k0, k1, kc;
  test::run_memory([&](Channel& ch) { base_ot_send(ch, sprg, n, k0, k1); },
                   [&](Channel& ch) { base_ot_recv(ch, rprg, choices.data(), n, kc); });
  ASSERT_EQ(kc.size(), n);
  for (size_t i = 0; i < n; ++i) {
    const bool c = get_bit(choices.data(), i) != 0;
    EXPECT_EQ(kc[i], c ? k1[i] : k0[i]) << i;
    // The other key is unrelated: a receiver that uses its key on the other message gets garbage.
    EXPECT_NE(kc[i], c ? k0[i] : k1[i]) << i;
    if (i > 0) {
      EXPECT_NE(kc[i], kc[i - 1]);
    }
  }
}

TEST(BaseOt, InvalidPointFromThePeerIsAnError) {
  FixedSeedScope seed(seed_of(0x43));
  auto prg = core::Prg::from_os();
  OtKeys kc;
  const std::vector<uint8_t> choices(2, 0);
  try {
    test::run_memory(
        [&](Channel& ch) {
          std::vector<uint8_t> junk(32, 0xff);  // not a canonical ristretto255 encoding
          ch.send(junk.data(), junk.size());
          ch.flush();
          uint8_t b;
          ch.recv(&b, 1);
        },
        [&](Channel& ch) { base_ot_recv(ch, prg, choices.data(), 4, kc); });
    FAIL() << "expected a ChannelError";
  } catch (const ChannelError& e) {
    EXPECT_TRUE(e.code() == core::ErrorCode::kMalformed || e.code() == core::ErrorCode::kNetwork)
        << e.what();
  }
}

// Both parties' CSPRNGs (drawn in a fixed order), Δ and the two OT-extension ends.
struct IknpPair {
  core::Prg sprg = core::Prg::from_os();
  core::Prg rprg = core::Prg::from_os();
  Block delta = sprg.next_block() | make_block(0, 1);
  IknpSender sender{delta};
  IknpReceiver receiver;
};

class Iknp : public ::testing::TestWithParam<size_t> {};

TEST_P(Iknp, CorrelatedRandomAndChosenOtAreCorrect) {
  FixedSeedScope seed(seed_of(0x44));
  IknpPair p;
  auto& sprg = p.sprg;
  auto& rprg = p.rprg;
  const Block delta = p.delta;
  const size_t n = GetParam();
  const auto choices = random_bits(rprg, n);
  std::vector<Block> q(n), t(n), m0(n), m1(n), mr(n), x0(n), x1(n), xr(n);
  sprg.fill_blocks(x0.data(), n);
  sprg.fill_blocks(x1.data(), n);
  test::run_memory(
      [&](Channel& ch) {
        p.sender.setup(ch, sprg);
        p.sender.send_cot(ch, q.data(), n);
        p.sender.send_rot(ch, m0.data(), m1.data(), n);
        p.sender.send_chosen(ch, x0.data(), x1.data(), n);
      },
      [&](Channel& ch) {
        p.receiver.setup(ch, rprg);
        p.receiver.recv_cot(ch, choices.data(), t.data(), n);
        p.receiver.recv_rot(ch, choices.data(), mr.data(), n);
        p.receiver.recv_chosen(ch, choices.data(), xr.data(), n);
      });
  for (size_t j = 0; j < n; ++j) {
    const bool c = get_bit(choices.data(), j) != 0;
    ASSERT_TRUE(block_eq(t[j], c ? (q[j] ^ delta) : q[j])) << "COT " << j;
    ASSERT_TRUE(block_eq(mr[j], c ? m1[j] : m0[j])) << "ROT " << j;
    ASSERT_FALSE(block_eq(mr[j], c ? m0[j] : m1[j])) << "ROT " << j;
    ASSERT_TRUE(block_eq(xr[j], c ? x1[j] : x0[j])) << "chosen " << j;
    ASSERT_FALSE(block_eq(xr[j], c ? x0[j] : x1[j])) << "chosen " << j;
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, Iknp, ::testing::Values(1, 127, 128, 1000, kIknpBatch + 77));

TEST(Iknp, ReceiversPadOpensOnlyItsChoiceAndThePadsShareNoCorrelation) {
  // Chosen-message OT is x_b ^ m_b with the random-OT pads m_b. The receiver holds only m_c:
  // using it on the other ciphertext gives garbage, and the pads carry no common correlation
  // (unlike raw correlated OT, where every pair differs by the same Δ).
  FixedSeedScope seed(seed_of(0x45));
  IknpPair p;
  auto& sprg = p.sprg;
  auto& rprg = p.rprg;
  const Block delta = p.delta;
  const size_t n = 256;
  const auto choices = random_bits(rprg, n);
  std::vector<Block> m0(n), m1(n), mr(n), x0(n), x1(n);
  sprg.fill_blocks(x0.data(), n);
  sprg.fill_blocks(x1.data(), n);
  test::run_memory(
      [&](Channel& ch) {
        p.sender.setup(ch, sprg);
        p.sender.send_rot(ch, m0.data(), m1.data(), n);
      },
      [&](Channel& ch) {
        p.receiver.setup(ch, rprg);
        p.receiver.recv_rot(ch, choices.data(), mr.data(), n);
      });
  for (size_t j = 0; j < n; ++j) {
    const bool c = get_bit(choices.data(), j) != 0;
    const Block y0 = x0[j] ^ m0[j];
    const Block y1 = x1[j] ^ m1[j];
    EXPECT_TRUE(block_eq((c ? y1 : y0) ^ mr[j], c ? x1[j] : x0[j]));
    const Block wrong = (c ? y0 : y1) ^ mr[j];
    EXPECT_FALSE(block_eq(wrong, c ? x0[j] : x1[j])) << j;
    EXPECT_FALSE(block_eq(m0[j] ^ m1[j], delta)) << j;
    if (j > 0) {
      EXPECT_FALSE(block_eq(m0[j] ^ m1[j], m0[j - 1] ^ m1[j - 1])) << j;
    }
  }
}

TEST(Iknp, UseBeforeSetupIsRefused) {
  IknpSender s(make_block(0, 1));
  IknpReceiver r;
  auto [a, b] = MemoryChannel::make_pair();
  Block out;
  uint8_t choice = 0;
  EXPECT_THROW(s.send_cot(*a, &out, 1), std::invalid_argument);
  EXPECT_THROW(r.recv_cot(*b, &choice, &out, 1), std::invalid_argument);
}

}  // namespace
}  // namespace pg::mpc
