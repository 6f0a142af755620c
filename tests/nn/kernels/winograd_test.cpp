// Winograd F(2x2,3x3) and F(4x4,3x3) over the ring, on both GEMM engines, bit for bit against
// the oracle: odd image sizes (partial tiles), odd channel counts, padding 0/1/2, rings up to
// the largest ℓ each tile size allows, and weights large enough to need two int16 planes.
#include "nn/kernels/winograd.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "kernel_test_util.h"

namespace pg::nn::kernels {
namespace {

using testing::mask_of;

struct Case {
  int c, h, w, m, pad, weight_bits;
};

class WinogradCases : public ::testing::TestWithParam<Case> {};

TEST_P(WinogradCases, BitExactOnBothEnginesUpToTheLargestRing) {
  const Case k = GetParam();
  const ConvGeometry g = square_conv(k.c, k.h, k.w, k.m, 3, 1, k.pad);
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(31));
  const auto w = testing::random_weights(prg, g.weight_count(), k.weight_bits);
  const auto x = testing::random_shares(prg, g.in_size(), 64);
  const WeightBound bound = WeightBound::of(w, g.out_c, g.taps());
  const auto ref = testing::reference_conv(g, w, x, 64);
  core::ThreadPool pool(2);
  int ran = 0;
  for (WinogradTile tile : {WinogradTile::kF2, WinogradTile::kF4}) {
    for (GemmBackend backend : {GemmBackend::kInt16, GemmBackend::kFp64}) {
      WinogradConv conv(g, w, bound, tile, backend);
      const int max_ell = tile == WinogradTile::kF2 ? 62 : 58;
      for (int ell : {1, 16, 31, 32, 33, 37, 41, max_ell - 1, max_ell}) {
        if (!WinogradConv::possible(g, bound, ell, tile, backend)) continue;
        ++ran;
        std::vector<uint64_t> y(g.out_size());
        conv.apply(x, ell, y, pool);
        for (size_t i = 0; i < y.size(); ++i) {
          ASSERT_EQ(y[i], ref[i] & mask_of(ell))
              << "tile " << int(tile) << " backend " << int(backend) << " ell " << ell << " i " << i
              << " weight planes " << conv.weight_planes();
        }
      }
      EXPECT_THROW(conv.plan(max_ell + 1), std::invalid_argument);
    }
  }
  EXPECT_GT(ran, 20);
}

INSTANTIATE_TEST_SUITE_P(Cases, WinogradCases,
                         ::testing::Values(Case{1, 1, 1, 1, 1, 8}, Case{3, 32, 32, 8, 1, 12},
                                           Case{64, 8, 8, 64, 1, 13}, Case{5, 7, 9, 3, 0, 11},
                                           Case{7, 11, 6, 5, 2, 15}, Case{2, 3, 3, 2, 0, 20},
                                           Case{16, 16, 16, 16, 1, 16}, Case{9, 10, 10, 4, 2, 24}));

TEST(Winograd, TransformedBoundsHold) {
  // |U'| ≤ 9 max|g| and ‖U'‖₁ ≤ ‖W‖₁ for F(2,3); 49 max|g| and 16 ‖W‖₁ for F(4,3).
  const WeightBound b{12, 20};
  EXPECT_EQ(WinogradConv::transformed_bound(b, WinogradTile::kF2).max_abs_bits, 16);
  EXPECT_EQ(WinogradConv::transformed_bound(b, WinogradTile::kF2).row_l1_bits, 20);
  EXPECT_EQ(WinogradConv::transformed_bound(b, WinogradTile::kF4).max_abs_bits, 18);
  EXPECT_EQ(WinogradConv::transformed_bound(b, WinogradTile::kF4).row_l1_bits, 24);
  // The constructor checks the real transformed weights against these bounds, with weights that
  // reach them: all taps equal to the maximum.
  const ConvGeometry g = square_conv(4, 6, 6, 2, 3, 1, 1);
  const std::vector<int64_t> w(g.weight_count(), 4095);
  const WeightBound tight = WeightBound::of(w, g.out_c, g.taps());
  for (WinogradTile t : {WinogradTile::kF2, WinogradTile::kF4}) {
    EXPECT_NO_THROW(WinogradConv(g, w, tight, t, GemmBackend::kInt16));
  }
  EXPECT_FALSE(WinogradConv::applicable(square_conv(4, 6, 6, 2, 3, 2, 1)));
  EXPECT_FALSE(WinogradConv::applicable(square_conv(4, 6, 6, 4, 3, 1, 1, 2)));
  EXPECT_THROW(WinogradConv(square_conv(4, 6, 6, 2, 5), std::vector<int64_t>(200), WeightBound{},
                            WinogradTile::kF2, GemmBackend::kInt16),
               std::invalid_argument);
}

}  // namespace
}  // namespace pg::nn::kernels
