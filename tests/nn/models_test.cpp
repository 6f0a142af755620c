// The reference engine on the bundled models against PyTorch's own logits.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "dataset.h"
#include "model_files.h"
#include "nn/reference.h"

namespace pg::nn {
namespace {

using testing::load_model;
using testing::read_logits;

const app::Dataset& test_images() {
  static const app::Dataset ds = [] {
    auto r = app::load_fashion_mnist("t10k", 100);
    if (!r.ok()) throw std::runtime_error(r.error().to_string());
    return std::move(r).value();
  }();
  return ds;
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

INSTANTIATE_TEST_SUITE_P(Models, TrainedModel,
                         ::testing::Values("minionn", "minionn_bn", "resnet"));

class SyntheticModel : public ::testing::TestWithParam<const char*> {};

TEST_P(SyntheticModel, LogitsMatchPyTorch) {
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
}

INSTANTIATE_TEST_SUITE_P(Models, SyntheticModel,
                         ::testing::Values("minionn_cifar", "resnet32", "squeezenet"));

}  // namespace
}  // namespace pg::nn
