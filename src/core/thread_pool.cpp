#include "core/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <memory>

namespace pg::core {
namespace {
thread_local bool t_inside_pool = false;
}  // namespace

ThreadPool::ThreadPool(size_t threads) {
  if (threads == 0) threads = hardware_threads();
  for (size_t i = 1; i < threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_start_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::run_chunks() {
  for (;;) {
    size_t c;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (next_chunk_ >= chunks_) return;
      c = next_chunk_++;
    }
    const size_t begin = job_n_ * c / chunks_;
    const size_t end = job_n_ * (c + 1) / chunks_;
    try {
      if (begin < end) (*job_)(begin, end);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!error_) error_ = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (--pending_ == 0) cv_done_.notify_all();
  }
}

void ThreadPool::worker_loop(size_t /*index*/) {
  t_inside_pool = true;
  size_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_start_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
    }
    run_chunks();
  }
}

void ThreadPool::parallel_for(size_t n, const std::function<void(size_t, size_t)>& fn) {
  if (n == 0) return;
  bool inline_run = workers_.empty() || t_inside_pool || n == 1;
  if (!inline_run) {
    std::lock_guard<std::mutex> lock(mu_);
    inline_run = busy_;  // another thread is using the pool: do not queue behind it
    busy_ = busy_ || !inline_run;
  }
  if (inline_run) {
    fn(0, n);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    job_ = &fn;
    job_n_ = n;
    // A few chunks per thread balance uneven work without much locking.
    chunks_ = std::min(n, size() * 4);
    next_chunk_ = 0;
    pending_ = chunks_;
    error_ = nullptr;
    ++generation_;
  }
  cv_start_.notify_all();
  t_inside_pool = true;
  run_chunks();
  t_inside_pool = false;
  std::exception_ptr err;
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_done_.wait(lock, [&] { return pending_ == 0; });
    job_ = nullptr;
    busy_ = false;
    err = error_;
  }
  if (err) std::rethrow_exception(err);
}

size_t hardware_threads() {
  const unsigned h = std::thread::hardware_concurrency();
  return h == 0 ? 1 : h;
}

namespace {
std::mutex g_pool_mu;
size_t g_threads = 0;  // 0: all cores
std::unique_ptr<ThreadPool> g_pool;
}  // namespace

void set_num_threads(size_t threads) {
  std::lock_guard<std::mutex> lock(g_pool_mu);
  g_threads = threads;
  g_pool.reset();
}

size_t num_threads() {
  std::lock_guard<std::mutex> lock(g_pool_mu);
  return g_threads == 0 ? hardware_threads() : g_threads;
}

ThreadPool& default_pool() {
  std::lock_guard<std::mutex> lock(g_pool_mu);
  if (!g_pool) g_pool = std::make_unique<ThreadPool>(g_threads);
  return *g_pool;
}

void parallel_for(size_t n, const std::function<void(size_t, size_t)>& fn) {
  default_pool().parallel_for(n, fn);
}

}  // namespace pg::core
