// Every merge pass alone, on small random graphs, against the reference engine: the rewritten
// graph must compute the same values to 1e-9 relative, and the rewrite must have happened.
#include "nn/passes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "core/testing.h"
#include "graph_builder.h"
#include "nn/reference.h"

namespace pg::nn {
namespace {

using testing::GraphBuilder;

double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::fabs(x));
  return m;
}

// The largest |a − b| relative to max |a|, over a few random inputs.
double relative_gap(const Graph& before, const Graph& after, core::Prg& prg,
                    const std::string& value = "") {
  double worst = 0;
  for (int trial = 0; trial < 3; ++trial) {
    const auto x = testing::random_values(prg, size_t(element_count(before.input_shape)));
    const auto a = value.empty() ? evaluate(before, x) : evaluate_all(before, x).at(value).data;
    const auto b = evaluate(after, x);
    EXPECT_EQ(a.size(), b.size());
    double gap = 0;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i)
      gap = std::max(gap, std::fabs(a[i] - b[i]));
    worst = std::max(worst, gap / std::max(max_abs(a), 1e-300));
  }
  return worst;
}

size_t count(const Graph& g, OpKind op) {
  return size_t(
      std::count_if(g.nodes.begin(), g.nodes.end(), [op](const Node& n) { return n.op == op; }));
}

TEST(RemoveIdentities, DropsIdentityDropoutAndTheFinalSoftmax) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(61));
  GraphBuilder b({1, 2, 6, 6}, prg);
  auto v = b.conv("x", 3, 3);
  v = b.add(OpKind::kIdentity, {v});
  v = b.add(OpKind::kDropout, {v});
  v = b.add(OpKind::kRelu, {v});
  const auto logits = b.gemm(v, 5);
  const Graph g = b.finish(b.add(OpKind::kSoftmax, {logits}));
  Graph h = g;
  PassLog log;
  ASSERT_TRUE(remove_identities(h, &log).ok());
  EXPECT_EQ(log.size(), 3u);
  EXPECT_EQ(count(h, OpKind::kIdentity) + count(h, OpKind::kDropout) + count(h, OpKind::kSoftmax),
            0u);
  EXPECT_LE(relative_gap(g, h, prg, logits), 1e-9);  // the logits before the Softmax
}

TEST(RemoveIdentities, ASoftmaxInsideTheNetworkIsAnError) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(62));
  GraphBuilder b({1, 4}, prg);
  auto v = b.add(OpKind::kSoftmax, {"x"});
  Graph g = b.finish(b.gemm(v, 3));
  const auto st = remove_identities(g);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message, "node 'Softmax_0' (Softmax): only a final Softmax is supported");
}

struct ConvCase {
  int k, stride, pad, groups;
};
const ConvCase kConvs[] = {{3, 1, 1, 1}, {5, 2, 2, 1}, {2, 2, 0, 4}, {1, 1, 0, 2}, {3, 2, 0, 1}};

TEST(FoldBatchNorm, IntoTheProducingConvOrGemm) {
  for (const ConvCase& cc : kConvs) {
    core::Prg prg = core::Prg::from_seed(core::testing::seed_of(63));
    GraphBuilder b({1, 4, 9, 9}, prg);
    auto v = b.batch_norm(b.conv("x", 4, cc.k, cc.stride, cc.pad, cc.groups, cc.k != 2));
    v = b.add(OpKind::kRelu, {v});
    const Graph g = b.finish(b.batch_norm(b.gemm(v, 6)));
    Graph h = g;
    ASSERT_TRUE(fold_batch_norm(h).ok());
    EXPECT_EQ(count(h, OpKind::kBatchNorm), 0u);
    EXPECT_EQ(h.nodes.size(), 3u);
    EXPECT_LE(relative_gap(g, h, prg), 1e-9) << cc.k << " " << cc.stride;
  }
}

TEST(FoldBatchNorm, StandaloneBecomesMulAndAddThenFolds) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(64));
  GraphBuilder b({1, 3, 6, 6}, prg);
  const auto r = b.add(OpKind::kRelu, {b.conv("x", 3, 3)});
  const Graph g = b.finish(b.conv(b.batch_norm(r), 2, 3));  // BN between ReLU and an unpadded conv
  Graph h = g;
  ASSERT_TRUE(fold_batch_norm(h).ok());
  EXPECT_EQ(count(h, OpKind::kMul), 1u);
  EXPECT_EQ(count(h, OpKind::kAdd), 1u);
  EXPECT_LE(relative_gap(g, h, prg), 1e-9);
  ASSERT_TRUE(fold_constants(h).ok());
  EXPECT_EQ(h.nodes.size(), 3u);  // conv, relu, conv: both folded forward into the second conv
  EXPECT_LE(relative_gap(g, h, prg), 1e-9);
}

TEST(FoldConstants, BackwardForwardAndStandalone) {
  struct Case {
    OpKind op;
    bool per_channel, left, after_relu;
    int pad;
    size_t nodes_left;  // after the pass
  };
  const Case cases[] = {
      {OpKind::kMul, true, false, false, 1, 3},  // into the conv before
      {OpKind::kAdd, false, true, false, 1, 3},  // c + x into the conv before
      {OpKind::kSub, true, true, false, 1, 3},   // c − x
      {OpKind::kDiv, true, false, false, 0, 3},
      {OpKind::kMul, true, false, true, 1, 3},   // after the ReLU: into the conv after
      {OpKind::kSub, false, false, true, 0, 3},  // a shift into an unpadded conv after
      {OpKind::kAdd, true, false, true, 1, 4},   // a shift before a padded conv: standalone
  };
  for (const Case& c : cases) {
    core::Prg prg = core::Prg::from_seed(core::testing::seed_of(65));
    GraphBuilder b({1, 3, 7, 7}, prg);
    auto v = b.conv("x", 4, 3, 1, 1);
    if (c.after_relu) v = b.add(OpKind::kRelu, {v});
    v = b.arith(c.op, v, c.per_channel, c.left);
    if (!c.after_relu) v = b.add(OpKind::kRelu, {v});
    const Graph g = b.finish(b.conv(v, 2, 3, 1, c.pad));
    Graph h = g;
    PassLog log;
    ASSERT_TRUE(fold_constants(h, &log).ok());
    EXPECT_EQ(h.nodes.size(), c.nodes_left) << op_name(c.op) << " " << c.after_relu;
    EXPECT_EQ(count(h, c.op), 0u);
    EXPECT_LE(relative_gap(g, h, prg), 1e-9);
  }
}

TEST(FoldConstants, IntoAGemmOverAFlattenedTensorAndAsADiagonalGemm) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(66));
  GraphBuilder b({1, 2, 3, 3}, prg);
  auto v = b.add(OpKind::kRelu, {b.conv("x", 3, 1)});
  v = b.arith(OpKind::kAdd, v, true);
  auto w = b.add(OpKind::kRelu, {b.gemm(v, 4)});  // Gemm reads the 1x3x3x3 tensor flattened
  w = b.arith(OpKind::kMul, w, true);
  const Graph g = b.finish(b.add(OpKind::kRelu, {w}));  // the Mul sits between two ReLUs
  Graph h = g;
  ASSERT_TRUE(fold_constants(h).ok());
  EXPECT_EQ(count(h, OpKind::kAdd) + count(h, OpKind::kMul), 0u);
  EXPECT_EQ(count(h, OpKind::kGemm), 2u);  // the trailing Mul became a diagonal Gemm
  EXPECT_LE(relative_gap(g, h, prg), 1e-9);
}

TEST(FoldPads, IntoConvAndAveragePool) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(67));
  GraphBuilder b({1, 2, 6, 6}, prg);
  auto v = b.pad("x", {0, 0, 1, 2, 0, 0, 2, 1});
  v = b.add(OpKind::kRelu, {b.conv(v, 3, 3, 1, 1)});
  v = b.pad(v, {0, 0, 0, 0, 0, 0, 0, 0});
  v = b.pool(OpKind::kAveragePool, b.pad(v, {0, 0, 1, 1, 0, 0, 1, 1}), 2, 2);
  const auto keep = b.pad(v, {0, 1, 0, 0, 0, 2, 0, 0});  // channel padding stays
  const Graph g = b.finish(keep);
  Graph h = g;
  ASSERT_TRUE(fold_pads(h).ok());
  EXPECT_EQ(count(h, OpKind::kPad), 1u);
  EXPECT_LE(relative_gap(g, h, prg), 1e-9);
}

struct FuseCase {
  const char* what;
  int conv_k, conv_stride, conv_pad, pool_k, pool_stride;
  bool pool_first;
};

class FuseConvPool : public ::testing::TestWithParam<FuseCase> {};

TEST_P(FuseConvPool, FusesExactly) {
  const FuseCase c = GetParam();
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(68));
  GraphBuilder b({1, 3, 12, 12}, prg);
  std::string v = b.add(OpKind::kRelu, {"x"});
  if (c.pool_first) {
    v = b.conv(b.pool(OpKind::kAveragePool, v, c.pool_k, c.pool_stride), 4, c.conv_k, c.conv_stride,
               c.conv_pad);
  } else {
    v = b.pool(OpKind::kAveragePool, b.conv(v, 4, c.conv_k, c.conv_stride, c.conv_pad), c.pool_k,
               c.pool_stride);
  }
  const Graph g = b.finish(b.add(OpKind::kRelu, {v}));
  Graph h = g;
  ASSERT_TRUE(fuse_linear(h).ok());
  EXPECT_EQ(h.nodes.size(), 3u) << c.what;  // relu, fused conv, relu
  EXPECT_LE(relative_gap(g, h, prg), 1e-9) << c.what;
}

INSTANTIATE_TEST_SUITE_P(Grid, FuseConvPool,
                         ::testing::Values(FuseCase{"conv5-avg2", 5, 1, 0, 2, 2, false},
                                           FuseCase{"conv3p1-avg2", 3, 1, 1, 2, 2, false},
                                           FuseCase{"conv3s2p1-avg2", 3, 2, 1, 2, 2, false},
                                           FuseCase{"conv3p1-avg3s1", 3, 1, 1, 3, 1, false},
                                           FuseCase{"avg2-conv3p1", 3, 1, 1, 2, 2, true},
                                           FuseCase{"avg2-conv3", 3, 1, 0, 2, 2, true},
                                           FuseCase{"avg3s3-conv3p1", 3, 1, 1, 3, 3, true},
                                           FuseCase{"avg2-conv1s2", 1, 2, 0, 2, 2, true}));

TEST(FuseLinear, PoolingAndFlattenIntoGemmAndGemmChains) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(69));
  GraphBuilder b({1, 4, 8, 8}, prg);
  auto v = b.add(OpKind::kRelu, {"x"});
  auto gap = b.flatten(b.pool(OpKind::kGlobalAveragePool, v, 1, 1));
  auto w = b.gemm(b.gemm(gap, 6), 5);  // GAP → Flatten → Gemm → Gemm
  w = b.add(OpKind::kRelu, {w});
  auto avg = b.reshape(b.pool(OpKind::kAveragePool, v, 2, 2), {1, 4, 16});
  const Graph g = b.finish(b.add(OpKind::kAdd, {b.gemm(avg, 3), b.gemm(w, 3)}));
  Graph h = g;
  PassLog log;
  ASSERT_TRUE(fuse_linear(h, {}, &log).ok());
  EXPECT_EQ(count(h, OpKind::kGemm), 3u);
  EXPECT_EQ(count(h, OpKind::kGlobalAveragePool) + count(h, OpKind::kAveragePool) +
                count(h, OpKind::kFlatten) + count(h, OpKind::kReshape),
            0u);
  EXPECT_LE(relative_gap(g, h, prg), 1e-9);
}

TEST(FuseLinear, ConvConvOnlyWhenExactAndCheaper) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(70));
  // 1x1 after 3x3, no padding in the second: exact, and one block instead of two: fused.
  GraphBuilder b({1, 8, 10, 10}, prg);
  const Graph g = b.finish(b.conv(b.conv(b.add(OpKind::kRelu, {"x"}), 8, 3, 1, 1), 4, 1));
  Graph h = g;
  ASSERT_TRUE(fuse_linear(h).ok());
  EXPECT_EQ(count(h, OpKind::kConv), 1u);
  EXPECT_LE(relative_gap(g, h, prg), 1e-9);
  // A padded second conv reads zeros where the first conv's bias would be: not exact, not fused.
  GraphBuilder b2({1, 8, 10, 10}, prg);
  const Graph g2 = b2.finish(b2.conv(b2.conv(b2.add(OpKind::kRelu, {"x"}), 8, 3), 8, 3, 1, 1));
  Graph h2 = g2;
  ASSERT_TRUE(fuse_linear(h2).ok());
  EXPECT_EQ(count(h2, OpKind::kConv), 2u);
  // Without the bias it is exact; two 3x3 convs of 64 channels fuse into one 5x5 that costs more
  // HE products than it saves, and the cost model refuses.
  GraphBuilder b3({1, 64, 16, 16}, prg);
  const Graph g3 =
      b3.finish(b3.conv(b3.conv(b3.add(OpKind::kRelu, {"x"}), 64, 3, 1, 1, 1, false), 64, 3, 1, 1));
  Graph h3 = g3;
  ASSERT_TRUE(fuse_linear(h3).ok());
  EXPECT_EQ(count(h3, OpKind::kConv), 2u);
}

// Gemm→Gemm goes through the same cost model as Conv→Conv: an expanding pair (64 → 256 → 10)
// fuses into one smaller block, a bottleneck (4096 → 8 → 4096) would become a 4096x4096 matrix
// with ~2000 times the products, so it stays two Gemms.
TEST(FuseLinear, GemmGemmOnlyWhenCheaper) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(73));
  GraphBuilder b({1, 64}, prg);
  const Graph g = b.finish(b.gemm(b.gemm(b.add(OpKind::kRelu, {"x"}), 256), 10));
  Graph h = g;
  ASSERT_TRUE(fuse_linear(h).ok());
  EXPECT_EQ(count(h, OpKind::kGemm), 1u);
  EXPECT_LE(relative_gap(g, h, prg), 1e-9);

  GraphBuilder b2({1, 4096}, prg);
  const Graph g2 = b2.finish(b2.gemm(b2.gemm(b2.add(OpKind::kRelu, {"x"}), 8), 4096));
  Graph h2 = g2;
  PassLog log;
  ASSERT_TRUE(fuse_linear(h2, {}, &log).ok());
  EXPECT_EQ(count(h2, OpKind::kGemm), 2u);
  EXPECT_TRUE(log.empty()) << log[0];
}

// No fusion builds a block beyond what a plan term may hold (kMaxTermWeights), even a pooling
// fusion that is otherwise always taken: GlobalAveragePool over 64x128x128 → Gemm 64 → 100 would
// be a 100 x 1048576 dense matrix (800 MB of doubles).
TEST(FuseLinear, NeverBuildsAnOversizeBlock) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(74));
  // ReLU → GlobalAveragePool → Flatten → Gemm 100 on a 64 x side x side input.
  auto pooled_gemm = [&](int side) {
    GraphBuilder b({1, 64, side, side}, prg);
    return b.finish(b.gemm(
        b.flatten(b.pool(OpKind::kGlobalAveragePool, b.add(OpKind::kRelu, {"x"}), 1, 1)), 100));
  };
  const Graph g = pooled_gemm(128);
  Graph h = g;
  ASSERT_TRUE(fuse_linear(h).ok());
  EXPECT_EQ(count(h, OpKind::kGlobalAveragePool), 1u);
  EXPECT_EQ(count(h, OpKind::kGemm), 1u);
  // The same pooling into a small Gemm still fuses.
  const Graph g2 = pooled_gemm(8);
  Graph h2 = g2;
  ASSERT_TRUE(fuse_linear(h2).ok());
  EXPECT_EQ(count(h2, OpKind::kGlobalAveragePool), 0u);
  EXPECT_LE(relative_gap(g2, h2, prg), 1e-9);
}

// The merged structure must not depend on weight or bias values (they are secret and the
// structure is public): a zero bias or a zero additive constant is treated like any other.
TEST(FuseLinear, DecisionsDoNotDependOnBiasValues) {
  auto ops_after_merge = [](bool zero) {
    core::Prg prg = core::Prg::from_seed(core::testing::seed_of(75));
    GraphBuilder b({1, 2, 6, 6}, prg);
    // 1x1 Conv (bias) → padded AveragePool: the pool's padding would see the bias.
    const std::string c = b.conv(b.add(OpKind::kRelu, {"x"}), 2, 1);
    const std::string p = b.pool(OpKind::kAveragePool, c, 3, 1, {1, 1, 1, 1});
    // An Add of a constant before a padded Conv: the padding would see the constant.
    const std::string r = b.add(OpKind::kRelu, {p});
    const std::string k =
        b.constant({2, 1, 1}, zero ? std::vector<double>{0, 0} : std::vector<double>{0.5, -0.25});
    const std::string out = b.conv(b.add(OpKind::kAdd, {r, k}), 3, 3, 1, 1);
    Graph g = b.finish(out);
    for (auto& n : g.nodes) {
      if (n.op == OpKind::kConv && n.output == c) {
        auto& bias = g.constants.at(n.inputs[2]).data;
        if (zero) std::fill(bias.begin(), bias.end(), 0.0);
      }
    }
    EXPECT_TRUE(run_merge_passes(g).ok());
    std::vector<OpKind> ops;
    for (const auto& n : g.nodes) ops.push_back(n.op);
    return ops;
  };
  const auto nonzero = ops_after_merge(false), zero = ops_after_merge(true);
  EXPECT_EQ(nonzero, zero);
  EXPECT_EQ(std::count(zero.begin(), zero.end(), OpKind::kTruncate), 2);
}

TEST(ReorderMaxPool, MovesMaxPoolBeforeReluAndThroughConcat) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(71));
  GraphBuilder b({1, 2, 9, 9}, prg);
  auto a = b.add(OpKind::kRelu, {b.conv("x", 3, 3, 1, 1)});
  auto p = b.pool(OpKind::kMaxPool, a, 3, 2, {0, 0, 1, 1});  // ceil-mode style end padding
  auto e1 = b.add(OpKind::kRelu, {b.conv(p, 2, 1)});
  auto e2 = b.add(OpKind::kRelu, {b.conv(p, 3, 3, 1, 1)});
  auto cat = b.add(OpKind::kConcat, {e1, e2});
  const Graph g = b.finish(b.gemm(b.pool(OpKind::kMaxPool, cat, 2, 2), 4));
  Graph h = g;
  PassLog log;
  ASSERT_TRUE(reorder_maxpool(h, &log).ok());
  EXPECT_EQ(count(h, OpKind::kMaxPool), 3u);  // one per concatenated branch, one before
  for (const auto& n : h.nodes) {
    if (n.op != OpKind::kMaxPool) continue;
    const auto users = h.consumers(n.output);
    ASSERT_EQ(users.size(), 1u);
    EXPECT_EQ(h.nodes[users[0]].op, OpKind::kRelu) << n.name;  // MaxPool+ReLU pairs
  }
  EXPECT_LE(relative_gap(g, h, prg), 1e-9);
}

TEST(InsertTruncations, BetweenUnfusedLinearOps) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(72));
  GraphBuilder b({1, 2, 6, 6}, prg);
  auto r = b.add(OpKind::kRelu, {"x"});
  auto c1 = b.conv(r, 3, 3, 2, 1);
  auto c2 = b.conv(c1, 3, 3, 1, 1);  // reads an affine output
  auto sum = b.add(OpKind::kAdd, {c2, b.pad(b.slice(r, 2), {0, 0, 0, 0, 0, 1, 0, 0})});
  const Graph g = b.finish(b.conv(sum, 2, 1));  // reads an affine output
  Graph h = g;
  PassLog log;
  ASSERT_TRUE(insert_truncations(h, &log).ok());
  EXPECT_EQ(count(h, OpKind::kTruncate), 2u);  // none between the Slice and the Pad
  EXPECT_LE(relative_gap(g, h, prg), 1e-9);
}

}  // namespace
}  // namespace pg::nn
