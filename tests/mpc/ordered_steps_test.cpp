#include "mpc/ordered_steps.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "mpc/channel.h"

namespace pg::mpc {
namespace {

class OrderedStepsTest : public ::testing::TestWithParam<size_t> {
 protected:
  std::unique_ptr<core::ThreadPool> pool() const {
    return GetParam() == 0 ? nullptr : std::make_unique<core::ThreadPool>(GetParam());
  }
};

TEST_P(OrderedStepsTest, TurnsComeInStepOrderAndEveryStepRunsOnce) {
  auto p = pool();
  std::vector<size_t> order;
  std::vector<std::atomic<int>> runs(37);
  std::atomic<size_t> max_worker{0};
  OrderedSteps::run(p.get(), runs.size(), [&](size_t w, size_t i, OrderedSteps::Turn& turn) {
    runs[i]++;
    size_t m = max_worker.load();
    while (w > m && !max_worker.compare_exchange_weak(m, w)) {
    }
    if (i % 3 == 0) std::this_thread::yield();
    turn.wait();
    order.push_back(i);  // guarded by the turn
    turn.pass();
  });
  ASSERT_EQ(order.size(), runs.size());
  for (size_t i = 0; i < order.size(); ++i) EXPECT_EQ(order[i], i);
  for (auto& r : runs) EXPECT_EQ(r.load(), 1);
  EXPECT_LT(max_worker.load(), OrderedSteps::workers(p.get()));
}

TEST_P(OrderedStepsTest, AStepThatNeverTakesItsTurnStillPassesItInOrder) {
  auto p = pool();
  std::mutex mu;
  std::vector<size_t> order;
  OrderedSteps::run(p.get(), 20, [&](size_t, size_t i, OrderedSteps::Turn& turn) {
    if (i % 2 == 1) return;  // no channel use
    turn.wait();
    std::lock_guard<std::mutex> lock(mu);
    order.push_back(i);
  });
  ASSERT_EQ(order.size(), 10u);
  for (size_t k = 0; k < order.size(); ++k) EXPECT_EQ(order[k], 2 * k);
}

TEST_P(OrderedStepsTest, TheFirstErrorIsRethrownAndNobodyHangs) {
  auto p = pool();
  EXPECT_THROW(OrderedSteps::run(p.get(), 50,
                                 [&](size_t, size_t i, OrderedSteps::Turn& turn) {
                                   turn.wait();
                                   if (i == 7) {
                                     throw ChannelError(core::ErrorCode::kNetwork,
                                                        "peer gone at step 7");
                                   }
                                   turn.pass();
                                 }),
               ChannelError);
}

TEST_P(OrderedStepsTest, UnorderedRunCoversEveryStep) {
  auto p = pool();
  std::vector<std::atomic<int>> runs(23);
  OrderedSteps::run_unordered(p.get(), runs.size(), [&](size_t, size_t i) { runs[i]++; });
  for (auto& r : runs) EXPECT_EQ(r.load(), 1);
}

INSTANTIATE_TEST_SUITE_P(Pools, OrderedStepsTest, ::testing::Values(0, 1, 2, 4),
                         [](const auto& param_info) {
                           return "t" + std::to_string(param_info.param);
                         });

TEST(OrderedSteps, ABusyPoolRunsTheStepsOnTheCallerInOrder) {
  core::ThreadPool pool(2);
  std::vector<size_t> inner;
  // Nested use: the pool is busy with the outer job, so the inner run goes inline.
  pool.parallel_for(2, [&](size_t b, size_t) {
    if (b != 0) return;
    OrderedSteps::run(&pool, 9, [&](size_t, size_t i, OrderedSteps::Turn& turn) {
      turn.wait();
      inner.push_back(i);
      turn.pass();
    });
  });
  ASSERT_EQ(inner.size(), 9u);
  for (size_t i = 0; i < inner.size(); ++i) EXPECT_EQ(inner[i], i);
}

}  // namespace
}  // namespace pg::mpc
