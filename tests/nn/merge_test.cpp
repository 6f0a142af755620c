// Lowering, quantisation and calibration: the plan must compute what the merged graph computes
// (to quantisation precision), with the structure the protocol expects (split terms for a
// Concat, public terms for residual branches and shortcut "A", truncation steps).
#include "nn/merge.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>

#include "core/testing.h"
#include "graph_builder.h"
#include "nn/fixed_point.h"
#include "nn/plan_io.h"
#include "nn/reference.h"

namespace pg::nn {
namespace {

using testing::GraphBuilder;

MergeOptions options(GraphBuilder& b, int f = 16, int f_w = 16) {
  MergeOptions o;
  o.f = f;
  o.f_w = f_w;
  for (int i = 0; i < 4; ++i) o.calibration.push_back(b.random_input());
  return o;
}

// max |plan − graph| relative to max |graph| over a few inputs.
double plan_gap(const Graph& g, const Plan& p, GraphBuilder& b) {
  double worst = 0;
  for (int t = 0; t < 3; ++t) {
    const auto x = b.random_input();
    const auto want = evaluate(g, x), got = run_plan_real(p, x);
    double gap = 0, scale = 0;
    for (size_t i = 0; i < want.size(); ++i) {
      gap = std::max(gap, std::fabs(want[i] - got[i]));
      scale = std::max(scale, std::fabs(want[i]));
    }
    worst = std::max(worst, gap / scale);
  }
  return worst;
}

// The first affine step with more than one homomorphic term.
const AffineStep* split_step(const Plan& p) {
  for (const auto& step : p.steps) {
    const auto* a = std::get_if<AffineStep>(&step);
    if (a != nullptr && a->he_terms.size() > 1) return a;
  }
  return nullptr;
}

TEST(Merge, FireModuleSplitsTheConsumingConvPerConcatenatedTensor) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(81));
  GraphBuilder b({1, 3, 11, 11}, prg);
  auto s = b.add(OpKind::kRelu, {b.conv("x", 4, 3, 2)});  // 4x5x5
  auto e1 = b.add(OpKind::kRelu, {b.conv(s, 3, 1)});
  auto e3 = b.add(OpKind::kRelu, {b.conv(s, 5, 3, 1, 1)});
  auto cat = b.add(OpKind::kConcat, {e1, e3});                    // 8x5x5
  auto pool = b.pool(OpKind::kMaxPool, cat, 3, 2, {0, 0, 1, 1});  // ceil mode: 8x3x3
  auto c = b.add(OpKind::kRelu, {b.conv(pool, 6, 1)});
  const Graph g = b.finish(b.flatten(b.pool(OpKind::kGlobalAveragePool, c, 1, 1)));
  auto m = merge(g, options(b));
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  const Plan& p = m.value().plan;
  const auto* split = split_step(p);
  ASSERT_NE(split, nullptr);
  ASSERT_EQ(split->he_terms.size(), 2u);   // one term per concatenated tensor
  for (const auto& t : split->he_terms) {  // each reads a MaxPool+ReLU output
    size_t producer = 0;
    while (!(std::holds_alternative<NonLinearStep>(p.steps[producer]) &&
             std::get<NonLinearStep>(p.steps[producer]).out == t.in)) {
      ++producer;
    }
    EXPECT_EQ(std::get<NonLinearStep>(p.steps[producer]).kind, NonLinearKind::kMaxPoolRelu);
  }
  EXPECT_EQ(split->he_terms[0].geometry.in_c, 3);
  EXPECT_EQ(split->he_terms[1].geometry.in_c, 5);
  EXPECT_LT(plan_gap(g, p, b), 1e-3);
}

TEST(Merge, ResidualBlockWithShortcutAUsesPublicTerms) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(82));
  GraphBuilder b({1, 2, 8, 8}, prg);
  auto r = b.add(OpKind::kRelu, {b.conv("x", 4, 3, 1, 1)});  // 4x8x8
  auto h = b.add(OpKind::kRelu, {b.conv(r, 8, 3, 2, 1)});    // 8x4x4
  auto c = b.conv(h, 8, 3, 1, 1);
  auto shortcut = b.pad(b.slice(r, 2), {0, 2, 0, 0, 0, 2, 0, 0});  // 8x4x4
  auto y = b.add(OpKind::kRelu, {b.add(OpKind::kAdd, {c, shortcut})});
  auto z = b.add(OpKind::kRelu, {b.add(OpKind::kAdd, {b.conv(y, 8, 3, 1, 1), y})});  // identity
  const Graph g = b.finish(b.gemm(b.flatten(z), 5));
  auto m = merge(g, options(b, 14, 14));
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  const Plan& p = m.value().plan;
  int shortcuts = 0, identities = 0;
  for (const auto& step : p.steps) {
    const auto* a = std::get_if<AffineStep>(&step);
    if (a == nullptr) continue;
    for (const auto& t : a->public_terms) {
      EXPECT_EQ(t.factor, int64_t{1} << 14);
      shortcuts += t.stride == 2 && t.pad_before == 2 && t.pad_after == 2;
      identities += t.stride == 1 && t.pad_before == 0 && t.pad_after == 0;
    }
  }
  EXPECT_EQ(shortcuts, 1);
  EXPECT_EQ(identities, 1);
  EXPECT_LT(plan_gap(g, p, b), 1e-3);
}

TEST(Merge, AnUnfusedChainGetsATruncateStep) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(83));
  GraphBuilder b({1, 2, 6, 6}, prg);
  auto c = b.conv(b.conv("x", 3, 3), 3, 3, 1, 1);  // padded after a biased conv: not fusable
  const Graph g = b.finish(b.add(OpKind::kRelu, {c}));
  auto m = merge(g, options(b));
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  const Plan& p = m.value().plan;
  ASSERT_EQ(p.steps.size(), 5u);  // affine, truncate, affine, relu, identity affine (the output)
  EXPECT_EQ(std::get<NonLinearStep>(p.steps[1]).kind, NonLinearKind::kTruncate);
  EXPECT_EQ(std::get<AffineStep>(p.steps[4]).public_terms.size(), 1u);
  EXPECT_LT(plan_gap(g, p, b), 1e-3);
}

TEST(Merge, UnsupportedStructuresAreNamed) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(84));
  GraphBuilder b({1, 2, 6, 6}, prg);
  const Graph g = b.finish(b.gemm(b.pool(OpKind::kMaxPool, b.conv("x", 2, 3), 2, 2), 3));
  auto m = merge(g, options(b));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().message,
            "node 'MaxPool_3' (MaxPool): a MaxPool must be followed by a ReLU (MaxPool+ReLU is one "
            "step)");
  GraphBuilder b2({1, 2, 6, 6}, prg);
  const Graph g2 = b2.finish(
      b2.add(OpKind::kRelu, {b2.pad(b2.add(OpKind::kRelu, {"x"}), {0, 0, 1, 0, 0, 0, 0, 0})}));
  auto m2 = merge(g2, options(b2));
  ASSERT_FALSE(m2.ok());
  EXPECT_EQ(m2.error().message,
            "node 'Pad_1' (Pad): a spatial Pad that was not folded into a convolution");
}

// Sub of two activations is a residual whose second operand carries the factor −1: a public
// term of factor −2^{f_w} for a masked operand, negated weights and bias for an affine one.
TEST(Merge, SubOfTwoActivationsNegatesTheSecondOperand) {
  for (bool conv_second : {false, true}) {
    SCOPED_TRACE(conv_second);
    core::Prg prg = core::Prg::from_seed(core::testing::seed_of(88));
    GraphBuilder b({1, 2, 6, 6}, prg);
    auto r = b.add(OpKind::kRelu, {b.conv("x", 2, 3, 1, 1)});
    auto c = b.conv(r, 2, 3, 1, 1);
    const Graph g = b.finish(b.add(
        OpKind::kRelu, {b.add(OpKind::kSub, conv_second ? std::vector{r, c} : std::vector{c, r})}));
    // Hand check of the graph's meaning: y = relu(c − r) (or relu(r − c)).
    const auto x = b.random_input();
    const auto all = evaluate_all(g, x);
    const auto& cv = all.at(c).data;
    const auto& rv = all.at(r).data;
    const auto y = evaluate(g, x);
    for (size_t i = 0; i < y.size(); ++i) {
      EXPECT_NEAR(y[i], std::max(0.0, conv_second ? rv[i] - cv[i] : cv[i] - rv[i]), 1e-12);
    }
    auto m = merge(g, options(b, 14, 14));
    ASSERT_TRUE(m.ok()) << m.error().to_string();
    const Plan& p = m.value().plan;
    int residuals = 0;
    for (const auto& step : p.steps) {
      const auto* a = std::get_if<AffineStep>(&step);
      if (a == nullptr || a->public_terms.empty() || a->he_terms.empty()) continue;
      ++residuals;
      EXPECT_EQ(a->public_terms[0].factor, conv_second ? int64_t{1} << 14 : -(int64_t{1} << 14));
    }
    EXPECT_EQ(residuals, 1);
    EXPECT_LT(plan_gap(g, p, b), 1e-3);
  }
}

// Two networks that differ only in a bias value (one exactly zero) get the same architecture and
// hash: fusion looks at whether a bias exists, never at its values.
TEST(Merge, ArchitectureHashDoesNotDependOnBiasValues) {
  auto hash_with_bias = [](double bias0) {
    core::Prg prg = core::Prg::from_seed(core::testing::seed_of(89));
    GraphBuilder b({1, 2, 6, 6}, prg);
    const std::string c = b.conv(b.add(OpKind::kRelu, {"x"}), 2, 1);  // 1x1, bias
    Graph g = b.finish(b.add(OpKind::kRelu, {b.pool(OpKind::kAveragePool, c, 3, 1, {1, 1, 1, 1})}));
    for (auto& n : g.nodes) {
      if (n.output == c) g.constants.at(n.inputs[2]).data = {bias0, 0.0};
    }
    MergeOptions o = options(b, 12, 12);
    o.ell = 40;  // ℓ is calibrated from values; pin it to compare the structure
    auto m = merge(g, o);
    EXPECT_TRUE(m.ok()) << m.error().to_string();
    return std::pair{hex(architecture_hash(m.value().plan.architecture())),
                     m.value().plan.steps.size()};
  };
  const auto with = hash_with_bias(0.125), without = hash_with_bias(0.0);
  EXPECT_EQ(with.second, without.second);
  EXPECT_EQ(with.first, without.first);
}

// The review's gemm_gemm_bottleneck.onnx: [1, 2^20] → Gemm 8 → Gemm 16384. Fused, it would be a
// 16384 x 2^20 matrix (128 GiB, std::bad_alloc); the cost model and the size cap keep the two
// Gemms, with a truncation between them, and the whole merge succeeds.
TEST(Merge, AHugeBottleneckStaysUnfusedAndMerges) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(90));
  GraphBuilder b({1, int64_t{1} << 20}, prg);
  const Graph g = b.finish(b.gemm(b.gemm("x", 8), 16384));
  MergeOptions o;
  o.calibration = {b.random_input()};
  auto m = merge(g, o);
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  const Plan& p = m.value().plan;
  size_t terms = 0, truncations = 0;
  for (const auto& step : p.steps) {
    if (const auto* a = std::get_if<AffineStep>(&step)) terms += a->he_terms.size();
    if (const auto* n = std::get_if<NonLinearStep>(&step)) {
      truncations += n->kind == NonLinearKind::kTruncate;
    }
  }
  EXPECT_EQ(terms, 2u);
  EXPECT_EQ(truncations, 1u);
}

TEST(Quantize, ScalesWeightsBiasesAndFactors) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(85));
  GraphBuilder b({1, 2, 5, 5}, prg);
  auto r = b.add(OpKind::kRelu, {"x"});
  const Graph g = b.finish(b.add(OpKind::kAdd, {b.conv(r, 2, 3, 1, 1), r}));
  auto m = merge(g, options(b, 10, 7));
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  const auto& lowered = m.value().lowered;
  const Plan& p = m.value().plan;
  const auto& step = std::get<AffineStep>(p.steps[2]);
  const auto& real = lowered.real[2];
  int64_t largest = 0;
  for (size_t i = 0; i < step.he_terms[0].weights.size(); ++i) {
    EXPECT_EQ(step.he_terms[0].weights[i], std::llround(real.he_weights[0][i] * 128));
    largest = std::max<int64_t>(largest, std::llabs(step.he_terms[0].weights[i]));
  }
  // The bound is public policy (f_w + 3 bits), not the weights' own bit length.
  EXPECT_EQ(step.he_terms[0].weight_bits, 7 + 3);
  EXPECT_LT(largest, int64_t{1} << (7 + 3));
  for (size_t i = 0; i < step.bias.size(); ++i) {
    EXPECT_EQ(step.bias[i], std::llround(real.bias[i] * 131072));
  }
  EXPECT_EQ(step.public_terms[0].factor, 128);
}

// The weight bound the client sees never depends on the weights: two models that differ only in
// their weights' magnitudes get the same bound and, at one ℓ, the same architecture hash (which
// used to carry each layer's largest-weight bit length); a weight beyond
// the bound is an error that names the bits it needs.
TEST(Quantize, ThePublicWeightBoundIsPolicyNotData) {
  auto merged = [](double scale, int weight_bits) {
    core::Prg prg = core::Prg::from_seed(core::testing::seed_of(88));
    GraphBuilder b({1, 2, 6, 6}, prg);
    const Graph g0 = b.finish(b.gemm(b.add(OpKind::kRelu, {b.conv("x", 3, 3, 1, 1)}), 4));
    Graph g = g0;
    for (auto& [name, t] : g.constants) {
      for (double& v : t.data) v *= scale;
    }
    MergeOptions o = options(b, 12, 12);
    o.weight_bits = weight_bits;
    o.ell = 48;  // ℓ is calibrated from the activations (public by design): pin it here
    return merge(g, o);
  };
  auto small = merged(0.01, 0);
  auto large = merged(1.0, 0);
  ASSERT_TRUE(small.ok() && large.ok());
  for (const auto* m : {&small.value(), &large.value()}) {
    for (const auto& step : m->plan.steps) {
      if (const auto* a = std::get_if<AffineStep>(&step)) {
        for (const auto& t : a->he_terms) EXPECT_EQ(t.weight_bits, 15);
      }
    }
  }
  EXPECT_EQ(architecture_hash(small.value().plan.architecture()),
            architecture_hash(large.value().plan.architecture()));
  auto beyond = merged(100.0, 0);
  ASSERT_FALSE(beyond.ok());
  EXPECT_NE(beyond.error().message.find("--weight-bits"), std::string::npos)
      << beyond.error().message;
  auto raised = merged(100.0, 24);
  ASSERT_TRUE(raised.ok()) << raised.error().message;
}

TEST(Quantize, AWeightBoundOutsideItsRangeIsRefused) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(89));
  GraphBuilder b({1, 2, 6, 6}, prg);
  const Graph g = b.finish(b.gemm(b.add(OpKind::kRelu, {b.conv("x", 3, 3, 1, 1)}), 4));
  for (const int bits : {-1, 41}) {
    MergeOptions o = options(b, 12, 12);
    o.weight_bits = bits;
    auto m = merge(g, o);
    ASSERT_FALSE(m.ok()) << bits;
    EXPECT_EQ(m.error().message, "the weight bound must lie in [1, 40] bits");
  }
}

// Conv 3x3 (4 channels) → ReLU → Gemm 6 on the builder's input: the calibration tests' network.
Graph conv_relu_gemm(GraphBuilder& b) {
  auto v = b.add(OpKind::kRelu, {b.conv("x", 4, 3, 1, 1)});
  return b.finish(b.gemm(v, 6));
}

TEST(Calibrate, EllIsTheCalibratedBoundPlusTheMargin) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(86));
  GraphBuilder b({1, 3, 8, 8}, prg);
  const Graph g = conv_relu_gemm(b);
  MergeOptions o = options(b, 12, 12);
  auto m = merge(g, o);
  ASSERT_TRUE(m.ok());
  // Recompute the bound independently from the engine's values at ℓ = 64.
  Plan p64 = m.value().plan;
  p64.ell = 64;
  uint64_t largest = 0;
  for (const auto& x : o.calibration) {
    const auto values = run_plan_all(p64, encode_input(p64, x));
    for (const auto& step : p64.steps) {
      if (const auto* a = std::get_if<AffineStep>(&step)) {
        for (uint64_t y : values[a->out])
          largest = std::max(largest, uint64_t(std::llabs(int64_t(y))));
      }
    }
  }
  const int bits = int(std::bit_width(largest));
  EXPECT_EQ(m.value().calibration.max_abs, largest);
  EXPECT_EQ(m.value().calibration.bound_bits, bits - 24);
  EXPECT_EQ(m.value().plan.ell, bits + 1 + o.margin_bits);
  // Past 64 bits it is an error that says what to do.
  o.f = o.f_w = 30;
  auto big = merge(g, o);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message.find("lower f or f_w"), std::string::npos) << big.error().message;
}

TEST(Calibrate, PinnedEllMayOnlyWidenTheRingAndKeepsEveryValue) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(87));
  GraphBuilder b({1, 3, 8, 8}, prg);
  const Graph g = conv_relu_gemm(b);
  MergeOptions o = options(b, 12, 12);
  auto calibrated = merge(g, o);
  ASSERT_TRUE(calibrated.ok());
  const int ell = calibrated.value().plan.ell;

  for (int wider : {ell, ell + 1, ell + 9, 64}) {
    SCOPED_TRACE(wider);
    o.ell = wider;
    auto m = merge(g, o);
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(m.value().plan.ell, wider);
    EXPECT_EQ(m.value().calibration.ell, ell);  // the calibration itself is unchanged
    // A wider ring holds the same signed values: the outputs agree as integers.
    const Plan& p = m.value().plan;
    const Plan& q = calibrated.value().plan;
    for (const auto& x : o.calibration) {
      const auto wide = run_plan(p, encode_input(p, x));
      const auto narrow = run_plan(q, encode_input(q, x));
      ASSERT_EQ(wide.size(), narrow.size());
      for (size_t i = 0; i < wide.size(); ++i) {
        EXPECT_EQ(to_signed(wide[i], wider), to_signed(narrow[i], ell)) << i;
      }
    }
  }
  o.ell = ell - 1;
  auto narrow = merge(g, o);
  ASSERT_FALSE(narrow.ok());
  EXPECT_NE(narrow.error().message.find("too small"), std::string::npos) << narrow.error().message;
  EXPECT_NE(narrow.error().message.find(std::to_string(ell)), std::string::npos);
  o.ell = 65;
  auto huge = merge(g, o);
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.error().message.find("at most 64"), std::string::npos) << huge.error().message;
}

}  // namespace
}  // namespace pg::nn
