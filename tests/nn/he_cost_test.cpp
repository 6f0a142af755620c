// The HE cost estimator against counts worked out by hand from the algorithms that he_cost.h
// specifies. (tests/protocol/coeff_layout_test.cpp checks the coefficient counts against the
// real layout.)
#include "nn/he_cost.h"

#include <gtest/gtest.h>

namespace pg::nn {
namespace {

using kernels::dense_geometry;
using kernels::square_conv;

HeOpCount count(uint64_t mults, uint64_t adds, uint64_t rots, uint64_t in, uint64_t out) {
  return HeOpCount{mults, adds, rots, in, out};
}

TEST(CoeffCost, ConvolutionByHand) {
  // 4x10x10, 3x3, pad 1 → 6 channels; tiles of 2x6x6 (4x4 outputs each): 12x12 padded, 10x10
  // stride-1 outputs → 3x3 tiles; 2 channel blocks. In 2·9, out 6·9, mults 18·6, adds 54·1.
  const auto g = square_conv(4, 10, 10, 6, 3, 1, 1);
  EXPECT_EQ(coeff_conv_count(g, {2, 6, 6}, 128), count(108, 54, 0, 18, 54));
  // Depthwise 4x10x10, 3x3: one product per (channel, tile), no additions.
  EXPECT_EQ(coeff_conv_count(square_conv(4, 10, 10, 4, 3, 1, 1, 4), {1, 6, 6}, 128),
            count(36, 0, 0, 36, 36));
  // The chooser: 1x6x6 with a 3x3 kernel fits one 6x6 tile at N = 64.
  EXPECT_EQ(choose_conv_tiling(square_conv(1, 6, 6, 2, 3), 64), (ConvTiling{1, 6, 6}));
}

TEST(CoeffCost, DenseByHand) {
  // 32 → 3 at N = 64: nc = 16 gives 2 input cts, 3 rows per output ct, 1 output ct: cost
  // 2 + 8·3 = 26, the first minimum (nc = 32 ties: 1 input ct, 2 rows per ct, 2 output cts).
  EXPECT_EQ(choose_dense_columns(32, 3, 64), 16);
  EXPECT_EQ(coeff_dense_count(32, 3, 16, 64), count(2, 1, 0, 2, 1));
  EXPECT_EQ(coeff_dense_count(32, 3, 32, 64), count(2, 0, 0, 1, 2));
}

TEST(SlotCost, ConvolutionByHand) {
  // 3x4x4, pad 1 → P = 36 slots per channel; S = 128 holds cn = 3 channels in one ct; M = 5.
  // tap rotations 8; products 5·1·9 + masks 5; sums 5·8; rotate-and-sum ⌈log2 3⌉ = 2 per
  // output channel; packing: outputs 1, 2, 4 move (5 − ⌈5/3⌉ = 3 rotations and additions).
  EXPECT_EQ(slot_conv_count(square_conv(3, 4, 4, 5, 3, 1, 1), 256), count(50, 53, 21, 1, 2));
  // 1x6x6 at S = 32: bands of 5 rows advancing by 3: 2 bands, one channel each.
  EXPECT_EQ(slot_conv_count(square_conv(1, 6, 6, 2, 3), 64), count(36, 32, 16, 2, 4));
  // Depthwise 2x4x4, 2x2 stride 2: both channels in one ct; 4 products, 3 sums, 3 rotations.
  EXPECT_EQ(slot_conv_count(square_conv(2, 4, 4, 2, 2, 2, 0, 2), 64), count(4, 3, 3, 1, 1));
}

TEST(SlotCost, DenseByHand) {
  // 1000 → 10 at S = 512: d = 512, k = 2 chunks, one block of r' = 16 rows: b = 4, g = 4,
  // rotate-and-sum log2(512/16) = 5. Mults 32, adds 31 + 5, rots 3 + 5 + 2·3.
  EXPECT_EQ(slot_dense_count(1000, 10, 1024), count(32, 36, 14, 2, 1));
  // 8 → 20 at S = 16: d = 8, blocks of 8, 8, 4 rows (b = 4, 4, 2; g = 2, 2, 2; fold 0, 0, 1).
  EXPECT_EQ(slot_dense_count(8, 20, 32), count(20, 18, 7, 1, 3));
}

TEST(HeCost, ErrorsNameTheProblem) {
  try {
    (void)choose_conv_tiling(square_conv(1, 20, 20, 1, 9), 64);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "choose_conv_tiling: a 9x9 kernel does not fit N = 64");
  }
  EXPECT_THROW((void)choose_conv_tiling(square_conv(4, 6, 6, 4, 3, 1, 0, 2), 64),
               std::invalid_argument);
  EXPECT_THROW((void)slot_conv_count(square_conv(1, 6, 40, 1, 3), 64), std::invalid_argument);
  EXPECT_THROW((void)coeff_dense_count(10, 3, 11, 64), std::invalid_argument);
}

}  // namespace
}  // namespace pg::nn
