// The double reference engine against hand-computed values, and its fast convolution path
// against the direct loops. (models_test.cpp checks it against PyTorch on real models.)
#include "nn/reference.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/testing.h"
#include "graph_builder.h"

namespace pg::nn {
namespace {

using testing::GraphBuilder;

TEST(ReferenceOps, ConvByHand) {
  // x = [[1,2,3],[4,5,6],[7,8,9]], w = [[1,0],[0,-1]], bias 10, pad 0 stride 1.
  ref::ConvParams p;
  p.kh = p.kw = 2;
  const std::vector<double> x = {1, 2, 3, 4, 5, 6, 7, 8, 9}, w = {1, 0, 0, -1}, b = {10};
  EXPECT_EQ(ref::conv(p, 1, 3, 3, 1, x, w, b), (std::vector<double>{6, 6, 6, 6}));
  // pad 1, stride 2: outputs at (−1,−1), (−1,1), (1,−1), (1,1) of the padded grid.
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
  p.stride_h = p.stride_w = 2;
  EXPECT_EQ(ref::conv(p, 1, 3, 3, 1, x, w, {}), (std::vector<double>{-1, -3, -7, -4}));
}

TEST(ReferenceOps, GroupedConvIsPerGroup) {
  ref::ConvParams p;
  p.groups = 2;
  // Two channels, 1x1 kernels; output o reads only its own channel.
  const std::vector<double> x = {1, 2, 3, 4}, w = {2, -1};
  EXPECT_EQ(ref::conv(p, 2, 1, 2, 2, x, w, {}), (std::vector<double>{2, 4, -3, -4}));
}

TEST(ReferenceOps, PoolsByHand) {
  ref::ConvParams p;
  p.kh = p.kw = 2;
  p.stride_h = p.stride_w = 2;
  p.pad_bottom = p.pad_right = 1;  // 3x3 → 2x2, the last windows overhang
  const std::vector<double> x = {1, -2, 3, -4, 5, -6, 7, -8, -9};
  EXPECT_EQ(ref::pool(p, true, 1, 3, 3, x), (std::vector<double>{5, 3, 7, -9}));
  // Average counts the padding (divisor always kh·kw).
  EXPECT_EQ(ref::pool(p, false, 1, 3, 3, x), (std::vector<double>{0, -0.75, -0.25, -2.25}));
}

TEST(Reference, ElementwiseOpsBroadcastPerChannel) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(51));
  GraphBuilder b({1, 2, 1, 2}, prg);
  const auto s = b.constant({2, 1, 1}, {10, 20});
  const auto k = b.constant({}, {4});
  auto v = b.add(OpKind::kMul, {"x", s});  // per channel
  v = b.add(OpKind::kSub, {k, v});         // 4 − v
  v = b.add(OpKind::kDiv, {v, k});         // /4
  v = b.add(OpKind::kAdd, {v, v});         // two computed operands
  const Graph g = b.finish(v);
  const auto y = evaluate(g, std::vector<double>{1, 2, 3, 4});
  EXPECT_EQ(y, (std::vector<double>{2 * (4 - 10) / 4.0, 2 * (4 - 20) / 4.0, 2 * (4 - 60) / 4.0,
                                    2 * (4 - 80) / 4.0}));
}

TEST(Reference, BatchNormPadSliceConcatSoftmax) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(52));
  GraphBuilder b({1, 1, 2, 2}, prg);
  Node bn;
  bn.epsilon = 0.0;
  const auto n = b.add(
      OpKind::kBatchNorm,
      {"x", b.constant({1}, {2}), b.constant({1}, {1}), b.constant({1}, {3}), b.constant({1}, {4})},
      bn);                                            // (x − 3)/2·2 + 1 = x − 2
  const auto p = b.pad(n, {0, 1, 0, 0, 0, 0, 1, 0});  // a zero channel first, a zero row after
  const auto s = b.slice(p, 2);                       // rows 0, 2 and column 0 of 3x2
  const auto c = b.add(OpKind::kConcat, {s, s});
  const auto f = b.flatten(c);
  const Graph g = b.finish(f);
  const auto all = evaluate_all(g, std::vector<double>{1, 2, 3, 4});
  EXPECT_EQ(all.at(n).data, (std::vector<double>{-1, 0, 1, 2}));
  EXPECT_EQ(all.at(p).data, (std::vector<double>{0, 0, 0, 0, 0, 0, -1, 0, 1, 2, 0, 0}));
  EXPECT_EQ(all.at(s).data, (std::vector<double>{0, 0, -1, 0}));
  EXPECT_EQ(all.at(f).data, (std::vector<double>{0, 0, -1, 0, 0, 0, -1, 0}));
  GraphBuilder b2({1, 3}, prg);
  const Graph g2 = b2.finish(b2.add(OpKind::kSoftmax, {"x"}));
  const auto y = evaluate(g2, std::vector<double>{0, std::log(2.0), std::log(5.0)});
  EXPECT_NEAR(y[0], 0.125, 1e-15);
  EXPECT_NEAR(y[1], 0.25, 1e-15);
  EXPECT_NEAR(y[2], 0.625, 1e-15);
}

struct ConvCase {
  int c, h, m, k, stride, pad, groups;
};

class FastConv : public ::testing::TestWithParam<ConvCase> {};

TEST_P(FastConv, MatchesTheDirectLoops) {
  const ConvCase cc = GetParam();
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(53));
  GraphBuilder b({1, cc.c, cc.h, cc.h + 1}, prg);
  const Graph g = b.finish(b.conv("x", cc.m, cc.k, cc.stride, cc.pad, cc.groups));
  const auto x = b.random_input();
  const auto slow = evaluate(g, x), fast = evaluate(g, x, EvalOptions{.fast_conv = true});
  ASSERT_EQ(slow.size(), fast.size());
  for (size_t i = 0; i < slow.size(); ++i) EXPECT_NEAR(slow[i], fast[i], 1e-12) << i;
}

INSTANTIATE_TEST_SUITE_P(Grid, FastConv,
                         ::testing::Values(ConvCase{1, 8, 4, 3, 1, 1, 1},
                                           ConvCase{3, 9, 5, 5, 2, 2, 1},
                                           ConvCase{4, 6, 4, 3, 1, 0, 4},
                                           ConvCase{4, 7, 6, 1, 2, 0, 2}));

TEST(Reference, MisuseIsNamed) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(54));
  GraphBuilder b({1, 1, 2, 2}, prg);
  const Graph g = b.finish(b.add(OpKind::kRelu, {"x"}));
  try {
    (void)evaluate(g, std::vector<double>{1, 2, 3});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "evaluate: the input has 3 values, the graph expects 1x1x2x2");
  }
}

}  // namespace
}  // namespace pg::nn
