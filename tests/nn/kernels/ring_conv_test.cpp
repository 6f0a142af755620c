// The exact online kernel against the direct wrap-around convolution (the oracle), on random
// shapes, random shares, and the ring's edge values; plus hand-computed known answers.
#include "nn/kernels/ring_conv.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/prg.h"
#include "core/testing.h"

namespace pg::nn::kernels {
namespace {

uint64_t mask_of(int ell) {
  return ell == 64 ? ~uint64_t{0} : (uint64_t{1} << ell) - 1;
}

std::vector<int64_t> random_weights(core::Prg& prg, size_t n, int bits) {
  std::vector<int64_t> w(n);
  const uint64_t range = uint64_t{1} << bits;
  for (auto& v : w) v = int64_t(prg.uniform_below(2 * range + 1)) - int64_t(range);
  return w;
}

// Shares: mostly uniform, with the edge values 0, 1, 2^{ℓ-1}-1, 2^{ℓ-1} (= -2^{ℓ-1}), 2^ℓ-1.
std::vector<uint64_t> random_shares(core::Prg& prg, size_t n, int ell) {
  const uint64_t m = mask_of(ell), half = uint64_t{1} << (ell - 1);
  const uint64_t edges[] = {0, 1, half - 1, half, m};
  std::vector<uint64_t> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = (i % 7 == 3) ? edges[(i / 7) % 5] : prg.next_u64() & m;
  return x;
}

void expect_exact(const ConvGeometry& g, int ell, int weight_bits, core::Prg& prg) {
  const auto w = random_weights(prg, g.weight_count(), weight_bits);
  const auto x = random_shares(prg, g.in_size(), ell);
  RingConv conv(g, w);
  std::vector<uint64_t> fast(g.out_size()), slow(g.out_size());
  conv.apply(x, ell, fast, RingMethod::kIm2colGemm);
  conv.apply(x, ell, slow, RingMethod::kDirect);
  for (size_t i = 0; i < fast.size(); ++i) {
    ASSERT_EQ(fast[i], slow[i]) << "element " << i << " ell=" << ell << " c=" << g.in_c << " "
                                << g.in_h << "x" << g.in_w << " k=" << g.kh << " s=" << g.stride_h
                                << " m=" << g.out_c << " groups=" << g.groups;
  }
}

TEST(RingConv, HandComputedKnownAnswer) {
  // 1 channel 3x3 input, 2x2 kernel, stride 1, no padding; ring 2^8.
  ConvGeometry g;
  g.in_h = g.in_w = 3;
  g.kh = g.kw = 2;
  const std::vector<int64_t> w = {1, -2, 3, 4};
  const std::vector<uint64_t> x = {1, 2, 3, 4, 5, 6, 7, 8, 255};  // 255 = -1 mod 2^8
  RingConv conv(g, w);
  std::vector<uint64_t> y(4);
  conv.apply(x, 8, y);
  // y00 = 1-4+12+20 = 29; y01 = 2-6+15+24 = 35; y10 = 4-10+21+32 = 47; y11 = 5-12+24-4 = 13.
  EXPECT_EQ(y, (std::vector<uint64_t>{29, 35, 47, 13}));
  // With padding 1 and stride 2: outputs at (-1,-1), (-1,1), (1,-1), (1,1) of the padded input.
  g.pad_top = g.pad_left = g.pad_bottom = g.pad_right = 1;
  g.stride_h = g.stride_w = 2;
  RingConv padded(g, w);
  std::vector<uint64_t> z(4);
  padded.apply(x, 8, z);
  // (0,0): only x00*w11 = 4; (0,1): x01*w10 + x02*w11 = 6+12 = 18;
  // (1,0): x10*w01 + x20*w11 = -8+28 = 20; (1,1): 5-12+24+4*255 -> 17 - 4 = 13.
  EXPECT_EQ(z, (std::vector<uint64_t>{4, 18, 20, 13}));
}

struct Shape {
  int c, h, w, m, k, s, p, groups;
};

class RingConvShapes : public ::testing::TestWithParam<Shape> {};

TEST_P(RingConvShapes, GemmIsBitExactAgainstDirectForEveryRing) {
  const Shape sh = GetParam();
  const ConvGeometry g = square_conv(sh.c, sh.h, sh.w, sh.m, sh.k, sh.s, sh.p, sh.groups);
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(11));
  for (int ell : {16, 32, 37, 41, 44, 64}) expect_exact(g, ell, 15, prg);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, RingConvShapes,
    ::testing::Values(Shape{1, 1, 1, 1, 1, 1, 0, 1}, Shape{1, 28, 28, 16, 5, 1, 0, 1},
                      Shape{16, 12, 12, 16, 5, 1, 0, 1}, Shape{3, 32, 32, 64, 3, 1, 1, 1},
                      Shape{64, 16, 16, 64, 3, 1, 1, 1}, Shape{64, 8, 8, 64, 1, 1, 0, 1},
                      Shape{8, 9, 7, 5, 7, 2, 2, 1}, Shape{4, 11, 11, 6, 3, 2, 0, 1},
                      Shape{128, 4, 4, 16, 3, 1, 2, 1}, Shape{32, 10, 10, 32, 3, 1, 1, 32},
                      Shape{6, 7, 7, 12, 3, 2, 1, 3}, Shape{2, 32, 32, 3, 5, 2, 2, 1}));

TEST(RingConv, RandomShapesAreBitExact) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(12));
  for (int trial = 0; trial < 40; ++trial) {
    ConvGeometry g;
    const int ks[] = {1, 3, 5, 7};
    g.kh = g.kw = ks[prg.uniform_below(4)];
    g.stride_h = g.stride_w = 1 + int(prg.uniform_below(2));
    const int p = int(prg.uniform_below(3));
    g.pad_top = g.pad_left = g.pad_bottom = g.pad_right = p;
    const int lo = std::max(1, g.kh - 2 * p);
    g.in_h = lo + int(prg.uniform_below(uint64_t(33 - lo)));
    g.in_w = lo + int(prg.uniform_below(uint64_t(33 - lo)));
    g.in_c = 1 + int(prg.uniform_below(24));
    g.out_c = 1 + int(prg.uniform_below(24));
    const int ells[] = {16, 32, 41, 64};
    expect_exact(g, ells[trial % 4], 1 + int(prg.uniform_below(16)), prg);
  }
}

TEST(RingConv, DenseLayersAreBitExact) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(13));
  for (auto [in, out] : {std::pair{10, 10}, {256, 100}, {100, 10}, {4096, 64}, {1024, 1000}}) {
    for (int ell : {32, 41, 64}) expect_exact(dense_geometry(in, out), ell, 14, prg);
  }
}

TEST(RingConv, ExtremeWeightsStillExact) {
  // Weights at ±(2^30 - 1) force small digits and many planes; still exact.
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(14));
  const ConvGeometry g = square_conv(64, 6, 6, 8, 3);
  std::vector<int64_t> w(g.weight_count());
  for (size_t i = 0; i < w.size(); ++i) w[i] = (i % 2 ? 1 : -1) * ((int64_t{1} << 30) - 1);
  auto x = random_shares(prg, g.in_size(), 64);
  RingConv conv(g, w);
  EXPECT_GE(conv.digit_planes(64), 3);
  std::vector<uint64_t> a(g.out_size()), b(g.out_size());
  conv.apply(x, 64, a, RingMethod::kIm2colGemm);
  conv.apply(x, 64, b, RingMethod::kDirect);
  EXPECT_EQ(a, b);
}

TEST(RingConv, DoubleKernelsAgreeWithTheExactOneOnSmallValues) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(15));
  const ConvGeometry g = square_conv(5, 9, 9, 7, 3, 1, 1);
  const auto w = random_weights(prg, g.weight_count(), 8);
  std::vector<uint64_t> xr(g.in_size());
  std::vector<double> xd(g.in_size());
  for (size_t i = 0; i < xr.size(); ++i) {
    const int64_t v = int64_t(prg.uniform_below(2001)) - 1000;
    xr[i] = uint64_t(v) & mask_of(32);
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
    EXPECT_EQ(uint64_t(int64_t(y1[i])) & mask_of(32), yr[i]);
  }
}

TEST(RingConv, MisuseIsRejectedWithAClearMessage) {
  ConvGeometry g;
  g.in_c = 3;
  g.in_h = g.in_w = 4;
  g.kh = g.kw = 3;
  std::vector<int64_t> w(5);
  try {
    RingConv conv(g, w);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "RingConv: expected 27 weights, got 5");
  }
  ConvGeometry bad = g;
  bad.groups = 2;
  try {
    bad.validate();
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "convolution geometry: groups must divide in_c and out_c");
  }
  bad = g;
  bad.kh = 9;
  EXPECT_THROW(bad.validate(), std::invalid_argument);
  std::vector<int64_t> huge(27, int64_t{1} << 41);
  EXPECT_THROW(RingConv(g, huge), std::invalid_argument);
  RingConv ok(g, std::vector<int64_t>(27, 1));
  std::vector<uint64_t> x(48), y(4);
  EXPECT_THROW(ok.apply(x, 0, y), std::invalid_argument);
  EXPECT_THROW(ok.apply(x, 65, y), std::invalid_argument);
  std::vector<uint64_t> short_x(10);
  EXPECT_THROW(ok.apply(short_x, 32, y), std::invalid_argument);
}

}  // namespace
}  // namespace pg::nn::kernels
