// The plain double kernels (the "what exactness costs" baselines) against each other and against
// the exact ring kernel on small integer values, where doubles are exact too.
#include "nn/kernels/fp64_gemm.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "kernel_test_util.h"
#include "nn/kernels/ring_conv.h"

namespace pg::nn::kernels {
namespace {

TEST(Fp64Gemm, DoubleKernelsAgreeWithTheExactOneOnSmallValues) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(51));
  for (const ConvGeometry& g :
       {square_conv(5, 9, 9, 7, 3, 1, 1), square_conv(6, 10, 9, 4, 5, 2, 2, 2),
        square_conv(8, 6, 6, 8, 1), square_conv(4, 7, 7, 4, 3, 1, 1, 4), dense_geometry(300, 7)}) {
    const auto w = testing::random_weights(prg, g.weight_count(), 8);
    std::vector<uint64_t> xr(g.in_size());
    std::vector<double> xd(g.in_size());
    for (size_t i = 0; i < xr.size(); ++i) {
      const int64_t v = int64_t(prg.uniform_below(2001)) - 1000;
      xr[i] = uint64_t(v) & testing::mask_of(32);
      xd[i] = double(v);
    }
    std::vector<double> wd(w.begin(), w.end()), y1(g.out_size()), y2(g.out_size());
    conv2d_double(g, wd, xd, y1);
    conv2d_double_direct(g, wd, xd, y2);
    RingConv conv(g, w);
    std::vector<uint64_t> yr(g.out_size());
    conv.apply(xr, 32, yr);
    for (size_t i = 0; i < yr.size(); ++i) {
      EXPECT_EQ(y1[i], y2[i]);
      EXPECT_EQ(uint64_t(int64_t(y1[i])) & testing::mask_of(32), yr[i]);
    }
  }
  std::vector<double> bad(3);
  EXPECT_THROW(conv2d_double(square_conv(1, 3, 3, 1, 3), bad, bad, bad), std::invalid_argument);
}

}  // namespace
}  // namespace pg::nn::kernels
