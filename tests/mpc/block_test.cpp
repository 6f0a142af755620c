#include "mpc/block.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/prg.h"
#include "core/testing.h"

namespace pg::mpc {
namespace {

TEST(BitWriter, PacksLikePutBitAndReadsBackForEveryWidth) {
  core::testing::FixedSeedScope seed(core::testing::seed_of(0x81));
  auto prg = core::Prg::from_os();
  for (size_t width = 1; width <= 64; ++width) {
    for (size_t n : {size_t{1}, size_t{7}, size_t{64}, size_t{131}}) {
      std::vector<uint64_t> v(n);
      for (auto& x : v) x = prg.next_u64();  // high garbage above `width` must be dropped
      std::vector<uint8_t> want(bit_bytes(n * width), 0);
      for (size_t k = 0; k < n; ++k) {
        for (size_t i = 0; i < width; ++i) put_bit(want.data(), k * width + i, v[k] >> i);
      }
      // One byte of slack after the buffer must stay untouched.
      std::vector<uint8_t> got(want.size() + 1, 0xa5);
      BitWriter w(got.data());
      for (uint64_t x : v) w.put(x, width);
      w.finish();
      ASSERT_EQ(got.back(), 0xa5) << "wrote past the end, width " << width << " n " << n;
      got.pop_back();
      ASSERT_EQ(got, want) << "width " << width << " n " << n;
      BitReader r(got.data(), got.size());
      for (size_t k = 0; k < n; ++k) {
        ASSERT_EQ(r.get(width), v[k] & low_bits_mask(width)) << width << " " << k;
      }
    }
  }
}

TEST(BitWriter, MixedWidthsRoundTrip) {
  core::testing::FixedSeedScope seed(core::testing::seed_of(0x82));
  auto prg = core::Prg::from_os();
  std::vector<size_t> widths(500);
  std::vector<uint64_t> values(500);
  size_t total = 0;
  for (size_t k = 0; k < widths.size(); ++k) {
    widths[k] = 1 + prg.uniform_below(64);
    values[k] = prg.next_u64() & low_bits_mask(widths[k]);
    total += widths[k];
  }
  std::vector<uint8_t> buf(bit_bytes(total));
  BitWriter w(buf.data());
  for (size_t k = 0; k < widths.size(); ++k) w.put(values[k], widths[k]);
  w.finish();
  BitReader r(buf.data(), buf.size());
  for (size_t k = 0; k < widths.size(); ++k) ASSERT_EQ(r.get(widths[k]), values[k]) << k;
}

TEST(ConsumedSecretBlocks, WipeZeroesItsRangeAndMoveAndReleaseEmpty) {
  ConsumedSecretBlocks b;
  b.reset(4);
  for (size_t i = 0; i < 4; ++i) b.data()[i] = make_block(i + 1, i + 1);
  b.wipe(1, 2);
  EXPECT_TRUE(block_eq(b.data()[1], zero_block()));
  EXPECT_TRUE(block_eq(b.data()[2], zero_block()));
  EXPECT_FALSE(block_eq(b.data()[3], zero_block()));
  ConsumedSecretBlocks moved(std::move(b));
  EXPECT_EQ(b.size(), 0u);  // NOLINT: moved-from state is specified
  EXPECT_EQ(moved.size(), 4u);
  moved.release();
  EXPECT_EQ(moved.size(), 0u);
}

}  // namespace
}  // namespace pg::mpc
