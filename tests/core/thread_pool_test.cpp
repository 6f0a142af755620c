#include "core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace pg::core {
namespace {

class PoolSizes : public ::testing::TestWithParam<size_t> {};

TEST_P(PoolSizes, ChunksCoverTheRangeExactlyOnce) {
  ThreadPool pool(GetParam());
  EXPECT_EQ(pool.size(), GetParam());
  for (size_t n : {size_t{1}, size_t{2}, size_t{7}, size_t{1000}, size_t{100003}}) {
    std::vector<std::atomic<int>> hits(n);
    pool.parallel_for(n, [&](size_t b, size_t e) {
      for (size_t i = b; i < e; ++i) hits[i]++;
    });
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << "n=" << n << " i=" << i;
  }
  pool.parallel_for(0, [](size_t, size_t) { FAIL() << "called on an empty range"; });
}

TEST_P(PoolSizes, NestedCallsRunInlineAndSumsAgree) {
  ThreadPool pool(GetParam());
  std::atomic<uint64_t> total{0};
  pool.parallel_for(64, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) {
      pool.parallel_for(100, [&](size_t b2, size_t e2) {
        for (size_t j = b2; j < e2; ++j) total += i * 100 + j;
      });
    }
  });
  const uint64_t n = 6400;
  EXPECT_EQ(total.load(), n * (n - 1) / 2);
}

TEST_P(PoolSizes, ExceptionsPropagateToTheCaller) {
  ThreadPool pool(GetParam());
  EXPECT_THROW(pool.parallel_for(100,
                                 [](size_t b, size_t e) {
                                   if (b <= 50 && 50 < e) throw std::runtime_error("boom");
                                 }),
               std::runtime_error);
  // The pool is still usable afterwards.
  std::atomic<int> count{0};
  pool.parallel_for(10, [&](size_t b, size_t e) { count += static_cast<int>(e - b); });
  EXPECT_EQ(count.load(), 10);
}

INSTANTIATE_TEST_SUITE_P(Threads, PoolSizes, ::testing::Values(1, 2, 4));

TEST(DefaultPool, ThreadCountIsSettable) {
  set_num_threads(3);
  EXPECT_EQ(num_threads(), 3u);
  EXPECT_EQ(default_pool().size(), 3u);
  set_num_threads(0);
  EXPECT_EQ(num_threads(), hardware_threads());
  EXPECT_EQ(default_pool().size(), hardware_threads());
}

TEST(DefaultPool, ConcurrentCallersFromDifferentThreadsDoNotDeadlock) {
  ThreadPool pool(2);
  std::atomic<int> count{0};
  std::thread other([&] {
    for (int k = 0; k < 200; ++k) {
      pool.parallel_for(10, [&](size_t b, size_t e) { count += static_cast<int>(e - b); });
    }
  });
  for (int k = 0; k < 200; ++k) {
    pool.parallel_for(10, [&](size_t b, size_t e) { count += static_cast<int>(e - b); });
  }
  other.join();
  EXPECT_EQ(count.load(), 4000);
}

}  // namespace
}  // namespace pg::core
