// The full Fashion-MNIST test set (label slow): the merged, quantised plan of every trained model
// agrees with the float model on at least 99.5% of the top-1 predictions. The accuracies it
// prints are the ones in models/README.md.
#include <gtest/gtest.h>

#include <atomic>

#include "core/thread_pool.h"
#include "dataset.h"
#include "model_cli.h"
#include "model_files.h"
#include "nn/fixed_point.h"
#include "nn/reference.h"

namespace pg::nn {
namespace {

class FullTestSet : public ::testing::TestWithParam<const char*> {};

TEST_P(FullTestSet, PlanAgreesWithTheFloatModel) {
  auto m = app::load_and_merge(testing::model_path(GetParam()), app::MergeSettings{});
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  auto ds = app::load_fashion_mnist("t10k", 10000);
  ASSERT_TRUE(ds.ok()) << ds.error().to_string();
  const auto& images = ds.value().images;
  const auto& labels = ds.value().labels;
  ASSERT_EQ(images.size(), 10000u);
  std::atomic<size_t> agree{0}, correct_float{0}, correct_plan{0};
  core::ThreadPool pool;
  pool.parallel_for(images.size(), [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const size_t a = app::argmax(evaluate(m.value().graph, images[i].pixels));
      const size_t b = app::argmax(run_plan_real(m.value().merged.plan, images[i].pixels));
      agree += a == b;
      correct_float += a == size_t(labels[i]);
      correct_plan += b == size_t(labels[i]);
    }
  });
  const double n = double(images.size());
  std::printf("%s: float %.2f%%, plan %.2f%% (ell %d, f %d, f_w %d), agreement %.2f%%\n",
              GetParam(), 100 * double(correct_float) / n, 100 * double(correct_plan) / n,
              m.value().merged.plan.ell, m.value().merged.plan.f, m.value().merged.plan.f_w,
              100 * double(agree) / n);
  EXPECT_GE(double(agree) / n, 0.995);
}

INSTANTIATE_TEST_SUITE_P(Models, FullTestSet, ::testing::Values("minionn", "minionn_bn", "resnet"));

}  // namespace
}  // namespace pg::nn
