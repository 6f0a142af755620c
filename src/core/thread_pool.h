// A small fork-join thread pool. parallel_for splits [0, n) into contiguous chunks; the calling
// thread takes part, so a pool of size 1 runs everything inline with no synchronisation.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace pg::core {

class ThreadPool {
 public:
  // threads = total workers including the caller; 0 means all cores.
  explicit ThreadPool(size_t threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  size_t size() const { return workers_.size() + 1; }

  // Calls fn(begin, end) on disjoint chunks covering [0, n). Blocks until all are done.
  // Re-entrant calls from inside fn run inline. The first exception thrown by fn is rethrown.
  void parallel_for(size_t n, const std::function<void(size_t, size_t)>& fn);

 private:
  void worker_loop(size_t index);
  void run_chunks();

  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_start_;
  std::condition_variable cv_done_;
  const std::function<void(size_t, size_t)>* job_ = nullptr;
  size_t job_n_ = 0;
  size_t next_chunk_ = 0;
  size_t chunks_ = 0;
  size_t pending_ = 0;
  size_t generation_ = 0;
  bool stop_ = false;
  bool busy_ = false;
  std::exception_ptr error_;
};

// The process-wide default thread count and pool (all cores unless set).
size_t hardware_threads();
void set_num_threads(size_t threads);
size_t num_threads();
ThreadPool& default_pool();

// parallel_for on the default pool.
void parallel_for(size_t n, const std::function<void(size_t, size_t)>& fn);

}  // namespace pg::core
