// The merge report's counts against a hand count on two tiny models (N = 64 for every block;
// he_cost_test.cpp derives the per-layer counts used here).
#include "nn/merge_report.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "graph_builder.h"

namespace pg::nn {
namespace {

using testing::GraphBuilder;

size_t n64(size_t, uint64_t) {
  return 64;
}

MergeResult merged(const Graph& g, GraphBuilder& b) {
  MergeOptions o;
  o.calibration = {b.random_input()};
  auto m = merge(g, o);
  if (!m.ok()) throw std::runtime_error(m.error().to_string());
  return std::move(m).value();
}

TEST(MergeReport, HandCountOfConvReluDense) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(91));
  GraphBuilder b({1, 1, 6, 6}, prg);
  const Graph g = b.finish(b.gemm(b.flatten(b.add(OpKind::kRelu, {b.conv("x", 2, 3)})), 3));
  const MergeReport r = make_report(g, merged(g, b), 2, n64);
  for (const NetworkCounts* c : {&r.before, &r.after}) {
    EXPECT_EQ(c->linear_layers, 2u);
    EXPECT_EQ(c->levels, 1);
    EXPECT_EQ(c->relus, 32u);             // 2x4x4
    EXPECT_EQ(c->macs, 384u);             // 2·4·4·9 + 32·3
    EXPECT_EQ(c->coeff.ct_pt_mults, 4u);  // conv 2 (one 6x6 tile, 2 outputs) + dense 2
    EXPECT_EQ(c->coeff.additions, 1u);    // dense: 2 input cts into 1 output ct
    EXPECT_EQ(c->coeff.rotations, 0u);
    EXPECT_EQ(c->slot.ct_pt_mults, 40u);  // conv 36 + dense 4
    EXPECT_EQ(c->slot.additions, 38u);    // conv 32 + dense 6
    EXPECT_EQ(c->slot.rotations, 21u);    // conv 16 + dense 5
  }
}

TEST(MergeReport, HandCountOfConvBatchNormAvgPoolShowsTheReduction) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(92));
  GraphBuilder b({1, 1, 6, 6}, prg);
  auto v = b.pool(OpKind::kAveragePool, b.batch_norm(b.conv("x", 2, 3)), 2, 2);
  const Graph g = b.finish(b.gemm(b.flatten(b.add(OpKind::kRelu, {v})), 3));
  const MergeReport r = make_report(g, merged(g, b), 2, n64);
  // Before: conv, BN (1x1 depthwise), avg-pool (2x2 depthwise), dense: a chain of 3 levels.
  EXPECT_EQ(r.before.linear_layers, 4u);
  EXPECT_EQ(r.before.levels, 3);
  EXPECT_EQ(r.before.relus, 8u);
  EXPECT_EQ(r.before.macs, 376u);             // 288 + 32 + 2·2·2·4 + 8·3
  EXPECT_EQ(r.before.coeff.ct_pt_mults, 7u);  // 2 + 2 + 2 + 1
  EXPECT_EQ(r.before.coeff.additions, 0u);
  EXPECT_EQ(r.before.slot.ct_pt_mults, 45u);  // 36 + 1 + 4 + 4
  EXPECT_EQ(r.before.slot.additions, 39u);    // 32 + 0 + 3 + 4
  EXPECT_EQ(r.before.slot.rotations, 22u);    // 16 + 0 + 3 + 3
  // After: one 4x4 stride-2 conv (1→2) and the dense layer.
  EXPECT_EQ(r.after.linear_layers, 2u);
  EXPECT_EQ(r.after.levels, 1);
  EXPECT_EQ(r.after.relus, 8u);
  EXPECT_EQ(r.after.macs, 152u);             // 2·2·2·16 + 24
  EXPECT_EQ(r.after.coeff.ct_pt_mults, 3u);  // 2 + 1
  EXPECT_EQ(r.after.slot.ct_pt_mults, 68u);  // 2 bands: 2·2·16 + 4
  EXPECT_EQ(r.after.slot.additions, 64u);    // 2·2·15 + 4
  EXPECT_EQ(r.after.slot.rotations, 33u);    // 2·15 + 3
  const std::string text = format_report(r);
  EXPECT_NE(text.find("multiplicative levels"), std::string::npos);
  EXPECT_NE(text.find("ell = "), std::string::npos);
}

}  // namespace
}  // namespace pg::nn
