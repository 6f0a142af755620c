#include "nn/plan.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "nn/test_plans.h"

namespace pg::nn {
namespace {

using testing::residual_net;

void expect_invalid(const Plan& p, const std::string& message) {
  try {
    p.validate();
    FAIL() << "no exception, expected: " << message;
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), message);
  }
}

TEST(Plan, ValidationNamesTheProblem) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(32));
  const Plan s = residual_net(prg);
  ASSERT_NO_THROW(s.validate());
  Plan bad = s;
  std::swap(bad.steps[0], bad.steps[1]);
  expect_invalid(bad, "plan step 0: input tensor 1 is read before it is produced");
  bad = s;
  std::get<AffineStep>(bad.steps[2]).he_terms[0].in = 1;  // an affine output into an affine step
  expect_invalid(bad,
                 "plan step 2: input tensor 1 has the wrong kind (affine outputs feed only "
                 "non-linear steps)");
  bad = s;
  std::get<NonLinearStep>(bad.steps[1]).pool.stride_h = 0;  // found by the fuzzer: no division
  expect_invalid(bad, "plan step 1: invalid max-pool window");
  bad = s;
  std::get<NonLinearStep>(bad.steps[1]).pool.pad_bottom = 3;  // a window of padding only
  expect_invalid(bad, "plan step 1: invalid max-pool window");
  bad = s;
  std::get<AffineStep>(bad.steps[0]).bias.resize(3);
  expect_invalid(bad, "plan step 0: bias size mismatch");
  bad = s;
  std::get<AffineStep>(bad.steps[6]).public_terms[0].pad_after = 3;
  expect_invalid(bad, "plan step 6: a public term changes the shape");
  bad = s;
  std::get<NonLinearStep>(bad.steps[9]).out = 8;
  expect_invalid(bad, "plan step 9: tensor 8 is produced twice");
  bad = s;
  bad.f = 30;
  expect_invalid(bad, "plan: need 0 <= f, f_w and f + f_w < ell <= 64");
}

TEST(Plan, ArchitectureDropsWeightsAndKeepsTheRest) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(33));
  const Plan s = residual_net(prg);
  EXPECT_TRUE(s.has_weights());
  const Plan arch = s.architecture();
  EXPECT_NO_THROW(arch.validate());
  EXPECT_FALSE(arch.has_weights());
  EXPECT_TRUE(std::get<AffineStep>(arch.steps[0]).he_terms[0].weights.empty());
  EXPECT_TRUE(std::get<AffineStep>(arch.steps[0]).bias.empty());
  EXPECT_EQ(arch.masked(), s.masked());
  EXPECT_EQ(arch.tensors, s.tensors);
}

TEST(Plan, MaxPoolWindowsWithPaddingRepeatInBoundsElements) {
  NonLinearStep n;
  n.kind = NonLinearKind::kMaxPoolRelu;
  n.pool = PoolWindow{3, 3, 2, 2, 1, 1, 1, 1};
  const auto w = n.windows({1, 4, 4}, {1, 2, 2});
  ASSERT_EQ(w.size(), 4u);
  // Window (0,0) covers rows/cols -1..1: in-bounds 0..1, each tap clamped into it.
  EXPECT_EQ(w[0], (std::vector<uint32_t>{0, 0, 1, 0, 0, 1, 4, 4, 5}));
  // Window (1,1) covers rows/cols 1..3, all in bounds.
  EXPECT_EQ(w[3], (std::vector<uint32_t>{5, 6, 7, 9, 10, 11, 13, 14, 15}));
  for (const auto& win : w) EXPECT_EQ(win.size(), 9u);
}

TEST(Plan, CeilModeWindowsOverhangOnlyAtTheEnd) {
  NonLinearStep n;
  n.kind = NonLinearKind::kMaxPoolRelu;
  n.pool = PoolWindow{3, 3, 2, 2, 0, 0, 1, 1};  // 4x4 → 2x2, the last window overhangs by one
  const auto w = n.windows({1, 4, 4}, {1, 2, 2});
  EXPECT_EQ(w[3], (std::vector<uint32_t>{10, 11, 11, 14, 15, 15, 14, 15, 15}));
}

TEST(Plan, PublicTermSubsamplesAndPadsChannels) {
  PublicTerm t{0, 3, 2, 1, 2};
  const TensorInfo in{2, 3, 3};
  const TensorInfo out = t.output_shape(in);
  EXPECT_EQ(out, (TensorInfo{5, 2, 2}));
  std::vector<uint64_t> x(in.size());
  for (size_t i = 0; i < x.size(); ++i) x[i] = i + 1;
  std::vector<uint64_t> y(out.size(), 100);
  t.accumulate(in, x, y);
  // Channel 0 of the input lands in channel 1: rows/cols 0 and 2 of 3x3, times 3.
  const std::vector<uint64_t> expect = {100, 100, 100, 100,  // padded channel 0
                                        103, 109, 121, 127,  // in channel 0: 1, 3, 7, 9
                                        130, 136, 148, 154,  // in channel 1: 10, 12, 16, 18
                                        100, 100, 100, 100, 100, 100, 100, 100};
  EXPECT_EQ(y, expect);
}

}  // namespace
}  // namespace pg::nn
