// The bundled models end to end: the reference engine against PyTorch's logits, the merged graph
// against the imported one, and the quantised plan's top-1 agreement on Fashion-MNIST.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "dataset.h"
#include "model_cli.h"
#include "model_files.h"
#include "nn/fixed_point.h"
#include "nn/merge.h"
#include "nn/merge_report.h"
#include "nn/reference.h"

namespace pg::nn {
namespace {

using testing::load_model;
using testing::read_logits;

const app::Dataset& test_images() {
  static const app::Dataset ds = [] {
    auto r = app::load_fashion_mnist("t10k", 300);
    if (!r.ok()) throw std::runtime_error(r.error().to_string());
    return std::move(r).value();
  }();
  return ds;
}

// Each model merged once (default settings: f = f_w = 12, 500 training images to calibrate).
const app::MergedModel& merged_model(const std::string& name) {
  static std::map<std::string, app::MergedModel> cache;
  auto it = cache.find(name);
  if (it == cache.end()) {
    auto m = app::load_and_merge(testing::model_path(name), app::MergeSettings{});
    if (!m.ok()) throw std::runtime_error(m.error().to_string());
    it = cache.emplace(name, std::move(m).value()).first;
  }
  return it->second;
}

class TrainedModel : public ::testing::TestWithParam<const char*> {};

TEST_P(TrainedModel, LogitsMatchPyTorchWithin1e5) {
  const Graph g = load_model(GetParam());
  const auto want = read_logits(GetParam());
  ASSERT_EQ(want.size(), 100u);
  double worst = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const auto got = evaluate(g, test_images().images[i].pixels);
    ASSERT_EQ(got.size(), want[i].size());
    for (size_t k = 0; k < got.size(); ++k) worst = std::max(worst, std::fabs(got[k] - want[i][k]));
  }
  EXPECT_LT(worst, 1e-5) << GetParam();
}

TEST_P(TrainedModel, MergedGraphMatchesTheImportedOneWithin1e9Relative) {
  const auto& m = merged_model(GetParam());
  double worst = 0;
  for (size_t i = 0; i < 20; ++i) {
    const auto& x = test_images().images[i].pixels;
    const auto a = evaluate(m.graph, x), b = evaluate(m.merged.merged, x);
    double gap = 0, scale = 0;
    for (size_t k = 0; k < a.size(); ++k) {
      gap = std::max(gap, std::fabs(a[k] - b[k]));
      scale = std::max(scale, std::fabs(a[k]));
    }
    worst = std::max(worst, gap / scale);
  }
  EXPECT_LT(worst, 1e-9) << GetParam();
}

TEST_P(TrainedModel, QuantisedPlanAgreesOnTheTop1Class) {
  const auto& m = merged_model(GetParam());
  const auto& ds = test_images();
  size_t agree = 0, correct_float = 0, correct_plan = 0;
  for (size_t i = 0; i < ds.images.size(); ++i) {
    const size_t a = app::argmax(evaluate(m.graph, ds.images[i].pixels));
    const size_t b = app::argmax(run_plan_real(m.merged.plan, ds.images[i].pixels));
    agree += a == b;
    correct_float += a == size_t(ds.labels[i]);
    correct_plan += b == size_t(ds.labels[i]);
  }
  const double n = double(ds.images.size());
  std::printf("%s: %zu images, float %.2f%%, plan %.2f%%, agreement %.2f%%, ell %d\n", GetParam(),
              ds.images.size(), 100 * correct_float / n, 100 * correct_plan / n, 100 * agree / n,
              m.merged.plan.ell);
  EXPECT_GE(double(agree) / n, 0.995) << GetParam();
  EXPECT_GE(double(correct_float) / n, 0.85) << GetParam();  // a trained model, not noise
  EXPECT_LE(m.merged.plan.ell, 40);
}

INSTANTIATE_TEST_SUITE_P(Models, TrainedModel,
                         ::testing::Values("minionn", "minionn_bn", "resnet"));

TEST(MergeReportOnModels, TheBatchNormAvgPoolModelShrinks) {
  const auto& m = merged_model("minionn_bn");
  const MergeReport r =
      make_report(m.graph, m.merged, 2, app::protocol_ring_degree(m.merged.plan.ell));
  EXPECT_EQ(r.before.linear_layers, 8u);  // 2 conv, 2 BN, 2 avg-pool, 2 dense
  EXPECT_EQ(r.after.linear_layers, 4u);
  EXPECT_EQ(r.before.levels, 3);  // conv → BN → avg-pool
  EXPECT_EQ(r.after.levels, 1);
  EXPECT_EQ(r.before.relus, r.after.relus);
  EXPECT_LT(r.after.macs, r.before.macs);
  EXPECT_LT(r.after.coeff.ct_pt_mults, r.before.coeff.ct_pt_mults);
  EXPECT_LT(r.after.coeff.input_cts + r.after.coeff.output_cts,
            r.before.coeff.input_cts + r.before.coeff.output_cts);
  // MiniONN: MaxPool before ReLU cuts the ReLUs from 10,340 to 2,660 (FACTS.md counts 2,560
  // without the 100 of the dense layer); the MACs are FACTS.md's 666,600.
  const auto& mini = merged_model("minionn");
  const MergeReport r2 =
      make_report(mini.graph, mini.merged, 2, app::protocol_ring_degree(mini.merged.plan.ell));
  EXPECT_EQ(r2.before.relus, 10340u);
  EXPECT_EQ(r2.after.relus, 2660u);
  EXPECT_EQ(r2.before.macs, 666600u);
  EXPECT_EQ(r2.after.macs, 666600u);
}

TEST(FashionMnist, MalformedFilesGetClearErrors) {
  auto bad_magic = app::decode_idx_labels({0, 0, 8, 3, 0, 0, 0, 1, 7}, 10, "labels");
  ASSERT_FALSE(bad_magic.ok());
  EXPECT_EQ(bad_magic.error().message, "'labels' is not an IDX1 label file (magic 0x00000801)");
  auto short_file = app::decode_idx_labels({0, 0, 8, 1, 0, 0, 0, 5, 1, 2}, 10, "labels");
  ASSERT_FALSE(short_file.ok());
  EXPECT_EQ(short_file.error().message, "'labels' holds fewer labels than it claims");
  auto ok = app::decode_idx_labels({0, 0, 8, 1, 0, 0, 0, 3, 4, 5, 6}, 2, "labels");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value(), (std::vector<int>{4, 5}));
  auto missing = app::load_fashion_mnist("t10k", 5, "/nonexistent");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "cannot open '/nonexistent/t10k-images-idx3-ubyte.gz'");
  EXPECT_FALSE(app::load_fashion_mnist("validation", 5).ok());
  // The installed test split: 10,000 images of 1x28x28 with labels 0..9.
  const auto& ds = test_images();
  EXPECT_EQ(ds.images[0].height, 28);
  EXPECT_EQ(ds.labels[0], 9);  // the first Fashion-MNIST test image is an ankle boot
}

class SyntheticModel : public ::testing::TestWithParam<const char*> {};

TEST_P(SyntheticModel, LogitsMatchPyTorchAndTheMergeIsExact) {
  const Graph g = load_model(GetParam());
  const auto want = read_logits(GetParam());
  ASSERT_EQ(want.size(), 1u);
  const auto x = testing::synthetic_input(size_t(element_count(g.input_shape)));
  const auto got = evaluate(g, x, EvalOptions{.fast_conv = true});
  ASSERT_EQ(got.size(), want[0].size());
  double scale = 0, worst = 0;
  for (size_t k = 0; k < got.size(); ++k) {
    scale = std::max(scale, std::fabs(want[0][k]));
    worst = std::max(worst, std::fabs(got[k] - want[0][k]));
  }
  // PyTorch computes in float32: agreement to float precision relative to the logits' scale.
  EXPECT_LT(worst, 1e-5 * std::max(1.0, scale)) << GetParam() << " scale " << scale;
  Graph merged = g;
  ASSERT_TRUE(run_merge_passes(merged).ok());
  const auto y = evaluate(merged, x, EvalOptions{.fast_conv = true});
  double gap = 0;
  for (size_t k = 0; k < y.size(); ++k) gap = std::max(gap, std::fabs(y[k] - got[k]));
  EXPECT_LT(gap / scale, 1e-9) << GetParam();
  EXPECT_TRUE(lower(merged).ok()) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Models, SyntheticModel,
                         ::testing::Values("minionn_cifar", "resnet32", "squeezenet"));

}  // namespace
}  // namespace pg::nn
