// Every exact online method against an independent oracle (kernel_test_util.h), bit for bit, on
// a grid and on random shapes, random shares with the ring's edge values, weights at their
// bounds, every ring size of interest, and 1 or 2 threads; plus known answers and misuse.
#include "nn/kernels/ring_conv.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/testing.h"
#include "kernel_test_util.h"

namespace pg::nn::kernels {
namespace {

using testing::describe;
using testing::mask_of;
using testing::random_shares;
using testing::random_weights;
using testing::reference_conv;

constexpr int kElls[] = {16, 32, 37, 41, 64};

// Runs every method that supports (layer, ell) and compares it with the oracle. Returns how many
// (method, ell) pairs ran.
int expect_all_methods_exact(const RingConv& conv, const std::vector<int64_t>& w,
                             const std::vector<uint64_t>& x, core::ThreadPool& pool) {
  const ConvGeometry& g = conv.geometry();
  const std::vector<uint64_t> ref64 = reference_conv(g, w, x, 64);
  int ran = 0;
  std::vector<uint64_t> y(g.out_size());
  for (int ell : kElls) {
    for (RingMethod m : kExactMethods) {
      if (!conv.supports(m, ell)) continue;
      if (m == RingMethod::kDirect && g.out_size() * g.taps() > 4'000'000) continue;
      ++ran;
      std::fill(y.begin(), y.end(), 0xdeadbeef);
      conv.apply(x, ell, y, m, &pool);
      for (size_t i = 0; i < y.size(); ++i) {
        if (y[i] != (ref64[i] & mask_of(ell))) {
          ADD_FAILURE() << method_name(m) << " ell=" << ell << " element " << i << " "
                        << describe(g) << " bound=" << conv.bound().max_abs_bits << "/"
                        << conv.bound().row_l1_bits;
          return ran;
        }
      }
    }
  }
  return ran;
}

int expect_exact(const ConvGeometry& g, int weight_bits, core::Prg& prg, core::ThreadPool& pool) {
  const auto w = random_weights(prg, g.weight_count(), weight_bits);
  const auto x = random_shares(prg, g.in_size(), 64);
  RingConv conv(g, w);
  return expect_all_methods_exact(conv, w, x, pool);
}

TEST(RingConv, HandComputedKnownAnswer) {
  // 1 channel 3x3 input, 2x2 kernel, stride 1, no padding; ring 2^8.
  ConvGeometry g;
  g.in_h = g.in_w = 3;
  g.kh = g.kw = 2;
  const std::vector<int64_t> w = {1, -2, 3, 4};
  const std::vector<uint64_t> x = {1, 2, 3, 4, 5, 6, 7, 8, 255};  // 255 = -1 mod 2^8
  RingConv conv(g, w);
  for (RingMethod m : kExactMethods) {
    if (!conv.supports(m, 8)) continue;
    std::vector<uint64_t> y(4);
    conv.apply(x, 8, y, m);
    // y00 = 1-4+12+20 = 29; y01 = 2-6+15+24 = 35; y10 = 4-10+21+32 = 47; y11 = 5-12+24-4 = 13.
    EXPECT_EQ(y, (std::vector<uint64_t>{29, 35, 47, 13})) << method_name(m);
  }
  // With padding 1 and stride 2: outputs at (-1,-1), (-1,1), (1,-1), (1,1) of the padded input.
  g.pad_top = g.pad_left = g.pad_bottom = g.pad_right = 1;
  g.stride_h = g.stride_w = 2;
  RingConv padded(g, w);
  std::vector<uint64_t> z(4);
  padded.apply(x, 8, z, RingMethod::kInt16);
  // (0,0): only x00*w11 = 4; (0,1): x01*w10 + x02*w11 = 6+12 = 18;
  // (1,0): x10*w01 + x20*w11 = -8+28 = 20; (1,1): 5-12+24+4*255 -> 17 - 4 = 13.
  EXPECT_EQ(z, (std::vector<uint64_t>{4, 18, 20, 13}));
}

struct Shape {
  int c, h, w, m, k, s, p, groups;
};

class RingConvShapes : public ::testing::TestWithParam<Shape> {};

TEST_P(RingConvShapes, EveryMethodIsBitExactForEveryRing) {
  const Shape sh = GetParam();
  const ConvGeometry g = square_conv(sh.c, sh.h, sh.w, sh.m, sh.k, sh.s, sh.p, sh.groups);
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(11));
  core::ThreadPool pool(2);
  EXPECT_GT(expect_exact(g, 12, prg, pool), 0);
  EXPECT_GT(expect_exact(g, 15, prg, pool), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, RingConvShapes,
    ::testing::Values(Shape{1, 1, 1, 1, 1, 1, 0, 1}, Shape{1, 28, 28, 16, 5, 1, 0, 1},
                      Shape{16, 12, 12, 16, 5, 1, 0, 1}, Shape{3, 32, 32, 64, 3, 1, 1, 1},
                      Shape{64, 16, 16, 64, 3, 1, 1, 1}, Shape{64, 8, 8, 64, 1, 1, 0, 1},
                      Shape{64, 8, 8, 16, 1, 1, 0, 1}, Shape{8, 9, 7, 5, 7, 2, 2, 1},
                      Shape{4, 11, 11, 6, 3, 2, 0, 1}, Shape{128, 4, 4, 16, 3, 1, 2, 1},
                      Shape{32, 10, 10, 32, 3, 1, 1, 32}, Shape{6, 7, 7, 12, 3, 2, 1, 3},
                      Shape{2, 32, 32, 3, 5, 2, 2, 1}, Shape{16, 16, 16, 32, 3, 2, 1, 1},
                      Shape{5, 13, 9, 7, 3, 1, 0, 1}, Shape{7, 6, 5, 9, 3, 1, 2, 1},
                      Shape{3, 2, 2, 4, 3, 1, 1, 1}, Shape{1, 1, 1, 3, 3, 1, 1, 1}));

TEST(RingConv, RandomShapesAreBitExact) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(12));
  core::ThreadPool pool(2);
  for (int trial = 0; trial < 60; ++trial) {
    ConvGeometry g;
    const int ks[] = {1, 3, 5, 7};
    g.kh = g.kw = ks[prg.uniform_below(4)];
    g.stride_h = g.stride_w = 1 + int(prg.uniform_below(2));
    const int p = int(prg.uniform_below(3));
    g.pad_top = g.pad_left = g.pad_bottom = g.pad_right = p;
    const int lo = std::max(1, g.kh - 2 * p);
    g.in_h = lo + int(prg.uniform_below(uint64_t(33 - lo)));
    g.in_w = lo + int(prg.uniform_below(uint64_t(33 - lo)));
    const int mode = trial % 4;  // 0, 1: dense-ish channels; 2: grouped; 3: depthwise
    const int big = 1 + int(prg.uniform_below(128));
    g.groups = mode == 2 ? 1 + int(prg.uniform_below(4)) : 1;
    g.in_c = mode == 3 ? big : g.groups * (1 + int(prg.uniform_below(mode == 0 ? 24 : 8)));
    g.out_c = mode == 3 ? big : g.groups * (1 + int(prg.uniform_below(mode == 1 ? 128 : 24)));
    if (mode == 3) g.groups = big;
    // Keep the oracle cheap: at most ~3M multiply-accumulates.
    while (g.out_size() * g.taps() > 3'000'000 && g.in_h > 1) g.in_h = std::max(lo, g.in_h / 2);
    if (g.out_size() * g.taps() > 3'000'000) continue;
    EXPECT_GT(expect_exact(g, 1 + int(prg.uniform_below(20)), prg, pool), 0) << describe(g);
  }
}

TEST(RingConv, DenseLayersAreBitExact) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(13));
  core::ThreadPool pool(2);
  for (auto [in, out] : {std::pair{10, 10},
                         {256, 100},
                         {100, 10},
                         {4096, 64},
                         {1024, 1000},
                         {17, 4096},
                         {2048, 1000}}) {
    EXPECT_GT(expect_exact(dense_geometry(in, out), 14, prg, pool), 0);
  }
}

// Weights at the int16 boundary (±(2^15 - 1), -2^15) and just beyond (±2^15, which needs a
// second weight plane), and every share's digits at their most negative value, which drives
// every partial sum to the exactness bound.
TEST(RingConv, WeightsAndDigitsAtTheirBounds) {
  core::ThreadPool pool(2);
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(14));
  for (int64_t wmax : {int64_t{32767}, int64_t{-32768}, int64_t{32768}, (int64_t{1} << 30) + 7,
                       (int64_t{1} << 39) + 12345}) {
    // Row L1 must stay below 2^48: 300 · 2^39 < 2^48, but not 576 · 2^39.
    const ConvGeometry conv_g = wmax > (int64_t{1} << 31) ? square_conv(16, 6, 6, 8, 3, 1, 1)
                                                          : square_conv(64, 6, 6, 8, 3, 1, 1);
    for (const ConvGeometry& g : {conv_g, dense_geometry(300, 20)}) {
      std::vector<int64_t> w(g.weight_count(), wmax);
      for (size_t i = 0; i < w.size(); i += 5) w[i] = -wmax;  // mixed signs, same magnitude
      RingConv conv(g, w);
      auto x = random_shares(prg, g.in_size(), 64);
      EXPECT_GT(expect_all_methods_exact(conv, w, x, pool), 0) << wmax;
      // Shares whose balanced digits are all -2^{b-1}: the pattern 0b1000..1000 at every plane
      // boundary, for a range of widths.
      for (int b = 1; b <= 52; b += 3) {
        uint64_t v = 0;
        for (int o = b - 1; o < 64; o += b) v |= uint64_t{1} << o;
        std::fill(x.begin(), x.end(), v);
        EXPECT_GT(expect_all_methods_exact(conv, std::vector<int64_t>(w), x, pool), 0);
      }
    }
  }
}

// Weights in [2^31 - 2^15, 2^31) need a third balanced 16-bit digit (two reach only
// 2^31 - 2^15 - 1): the review's repro (a 2-input dense layer, w = 2^31 - 1, x = 1, ℓ = 64, int16
// gave -2^31 - 1), then the same edge weights under every bound up to 40 bits, in dense and
// convolutional layers, through int16 forced and every other method, against the oracle.
TEST(RingConv, Int16WeightsJustBelow2To31AreExact) {
  const ConvGeometry dense2 = dense_geometry(2, 1);
  const RingConv repro(dense2, std::vector<int64_t>{(int64_t{1} << 31) - 1, 0},
                       WeightBound::public_bound(31, 2));
  std::vector<uint64_t> y(1);
  repro.apply(std::vector<uint64_t>{1, 0}, 64, y, RingMethod::kInt16);
  EXPECT_EQ(y[0], uint64_t{2147483647});

  core::ThreadPool pool(2);
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(19));
  const int64_t edges[] = {(int64_t{1} << 31) - (int64_t{1} << 15) - 1,
                           (int64_t{1} << 31) - (int64_t{1} << 15), (int64_t{1} << 31) - 1,
                           -((int64_t{1} << 31) - 1), -(int64_t{1} << 31)};
  for (const ConvGeometry& g : {dense_geometry(2, 1), dense_geometry(64, 10),
                                square_conv(1, 12, 12, 4, 5), square_conv(8, 6, 6, 8, 1)}) {
    for (int64_t wmax : edges) {
      const int need = bit_length(uint64_t(wmax < 0 ? -wmax : wmax));
      for (int bits = need; bits <= 40; bits += (bits < 33 ? 1 : 7)) {
        std::vector<int64_t> w = random_weights(prg, g.weight_count(), 10);
        for (size_t i = 0; i < w.size(); i += 3) w[i] = wmax;
        const RingConv conv(g, w, WeightBound::public_bound(bits, g.taps()));
        ASSERT_TRUE(conv.supports(RingMethod::kInt16, 64)) << describe(g) << " bits=" << bits;
        auto x = random_shares(prg, g.in_size(), 64);
        x[0] = 1;
        EXPECT_GT(expect_all_methods_exact(conv, w, x, pool), 0)
            << describe(g) << " w=" << wmax << " bits=" << bits;
      }
    }
  }
}

// The plan follows the public bound, not the weights: a looser bound means more or narrower
// planes, and the result is still exact; weights outside the bound are refused.
TEST(RingConv, PublicBoundLooserThanTheWeights) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(17));
  core::ThreadPool pool(2);
  const ConvGeometry g = square_conv(32, 9, 9, 16, 3, 1, 1);
  const auto w = random_weights(prg, g.weight_count(), 9);
  const auto x = random_shares(prg, g.in_size(), 64);
  const WeightBound tight = WeightBound::of(w, g.out_c, g.taps());
  for (const WeightBound& loose : {WeightBound{15, 24}, WeightBound{20, 30}, WeightBound{40, 48}}) {
    RingConv conv(g, w, loose);
    EXPECT_GE(conv.gemm_passes(RingMethod::kInt16, 41),
              RingConv(g, w, tight).gemm_passes(RingMethod::kInt16, 41));
    EXPECT_GT(expect_all_methods_exact(conv, w, x, pool), 0);
  }
}

// Two layers with different weights under the same public bound run the same method with the
// same number of passes: nothing about the weights beyond the bound reaches the timing.
TEST(RingConv, ChoiceDependsOnlyOnPublicData) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(18));
  const WeightBound bound{13, 22};
  for (const ConvGeometry& g : {square_conv(64, 16, 16, 64, 3, 1, 1), square_conv(16, 8, 8, 32, 5),
                                dense_geometry(512, 64)}) {
    const RingConv a(g, random_weights(prg, g.weight_count(), 2), bound);
    const RingConv b(g, random_weights(prg, g.weight_count(), 9), bound);
    for (int ell : kElls) {
      for (size_t threads : {size_t{1}, size_t{2}}) {
        ASSERT_EQ(a.choose(ell, threads), b.choose(ell, threads));
      }
      for (RingMethod m : kExactMethods) {
        ASSERT_EQ(a.supports(m, ell), b.supports(m, ell));
        if (a.supports(m, ell)) {
          ASSERT_EQ(a.gemm_passes(m, ell), b.gemm_passes(m, ell));
        }
      }
    }
  }
}

TEST(RingConv, OneAndTwoThreadsAgree) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(15));
  const ConvGeometry g = square_conv(16, 20, 20, 24, 3, 1, 1);
  const auto w = random_weights(prg, g.weight_count(), 13);
  const auto x = random_shares(prg, g.in_size(), 64);
  RingConv conv(g, w);
  core::ThreadPool one(1), two(2);
  for (RingMethod m : kExactMethods) {
    if (!conv.supports(m, 41)) continue;
    std::vector<uint64_t> a(g.out_size()), b(g.out_size());
    conv.apply(x, 41, a, m, &one);
    conv.apply(x, 41, b, m, &two);
    EXPECT_EQ(a, b) << method_name(m);
  }
}

TEST(RingConv, AutoPicksASupportedFastMethod) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(16));
  const ConvGeometry g = square_conv(64, 16, 16, 64, 3, 1, 1);
  const auto w = random_weights(prg, g.weight_count(), 12);
  RingConv conv(g, w);
  for (int ell : kElls) {
    for (size_t threads : {size_t{1}, size_t{2}}) {
      const RingMethod m = conv.choose(ell, threads);
      EXPECT_TRUE(conv.supports(m, ell));
      EXPECT_NE(m, RingMethod::kDirect);
    }
  }
  const auto x = random_shares(prg, g.in_size(), 64);
  std::vector<uint64_t> y(g.out_size());
  conv.apply(x, 37, y);
  const auto ref = reference_conv(g, w, x, 37);
  EXPECT_EQ(y, ref);
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
  std::vector<int64_t> fine(27, 1000);
  EXPECT_THROW(RingConv(g, fine, WeightBound{8, 20}), std::invalid_argument);   // |w| ≥ 2^8
  EXPECT_THROW(RingConv(g, fine, WeightBound{10, 14}), std::invalid_argument);  // L1 ≥ 2^14
  RingConv ok(g, std::vector<int64_t>(27, 1));
  std::vector<uint64_t> x(48), y(4);
  EXPECT_THROW(ok.apply(x, 0, y), std::invalid_argument);
  EXPECT_THROW(ok.apply(x, 65, y), std::invalid_argument);
  std::vector<uint64_t> short_x(10);
  EXPECT_THROW(ok.apply(short_x, 32, y), std::invalid_argument);
  // Winograd needs a 3x3 stride-1 kernel and ell + 2 (F(2,3)) or ell + 6 (F(4,3)) ≤ 64.
  RingConv five(square_conv(2, 8, 8, 2, 5), std::vector<int64_t>(100, 1));
  std::vector<uint64_t> x5(128), y5(32);
  EXPECT_FALSE(five.supports(RingMethod::kWinograd2Int16, 32));
  EXPECT_THROW(five.apply(x5, 32, y5, RingMethod::kWinograd2Int16), std::invalid_argument);
  RingConv three(square_conv(2, 8, 8, 2, 3), std::vector<int64_t>(36, 1));
  std::vector<uint64_t> y3(72);
  EXPECT_TRUE(three.supports(RingMethod::kWinograd4Int16, 58));
  EXPECT_FALSE(three.supports(RingMethod::kWinograd4Int16, 59));
  EXPECT_FALSE(three.supports(RingMethod::kWinograd2Fp64, 63));
  EXPECT_THROW(three.apply(x5, 59, y3, RingMethod::kWinograd4Fp64), std::invalid_argument);
  // A layer beyond 2^28 elements.
  EXPECT_THROW(RingConv(square_conv(1 << 12, 1 << 9, 1 << 9, 1, 1), std::vector<int64_t>(1 << 12)),
               std::invalid_argument);
}

}  // namespace
}  // namespace pg::nn::kernels
