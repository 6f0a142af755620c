#include "mpc/ordered_steps.h"

#include <algorithm>
#include <stdexcept>

#include "core/assert.h"

namespace pg::mpc {

void OrderedSteps::Turn::wait() {
  owner_.wait_for(step_);
}

void OrderedSteps::Turn::pass() {
  if (passed_) return;
  passed_ = true;
  owner_.pass_from(step_);
}

void OrderedSteps::Turn::finish() {
  if (passed_) return;
  wait();
  pass();
}

void OrderedSteps::wait_for(size_t step) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return failed_ || next_ == step; });
  if (failed_) throw std::runtime_error("another step of this layer failed");
}

void OrderedSteps::pass_from(size_t step) {
  std::lock_guard<std::mutex> lock(mu_);
  PG_ASSERT(failed_ || next_ == step, "a step passed a turn it did not hold");
  if (!failed_) ++next_;
  cv_.notify_all();
}

void OrderedSteps::fail(std::exception_ptr error) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!failed_) error_ = std::move(error);  // later ones are the released waiters'
  failed_ = true;
  cv_.notify_all();
}

namespace {

// Calls step_fn(w, i) for the steps of workers [w0, w1): i = base + w for base = 0, t, 2t, ...,
// in increasing order of i.
template <typename StepFn>
void strided_steps(size_t t, size_t n, size_t w0, size_t w1, StepFn&& step_fn) {
  for (size_t base = 0; base < n; base += t) {
    for (size_t w = w0; w < w1 && base + w < n; ++w) step_fn(w, base + w);
  }
}

}  // namespace

void OrderedSteps::run(core::ThreadPool* pool, size_t n, const Body& body) {
  const size_t t = std::min(workers(pool), std::max<size_t>(n, 1));
  OrderedSteps seq;
  auto one = [&](size_t w, size_t i) {
    Turn turn(seq, i);
    body(w, i, turn);
    turn.finish();
  };
  if (t == 1) {
    strided_steps(1, n, 0, 1, one);
    return;
  }
  // parallel_for may hand one thread several workers (or run everything inline when the pool
  // is busy): a thread then interleaves their steps in increasing order, which keeps every
  // turn reachable.
  pool->parallel_for(t, [&](size_t w0, size_t w1) {
    try {
      strided_steps(t, n, w0, w1, one);
    } catch (...) {
      seq.fail(std::current_exception());
    }
  });
  if (seq.error_) std::rethrow_exception(seq.error_);
}

void OrderedSteps::run_unordered(core::ThreadPool* pool, size_t n,
                                 const std::function<void(size_t, size_t)>& body) {
  const size_t t = std::min(workers(pool), std::max<size_t>(n, 1));
  if (t == 1) {
    strided_steps(1, n, 0, 1, body);
    return;
  }
  pool->parallel_for(t, [&](size_t w0, size_t w1) { strided_steps(t, n, w0, w1, body); });
}

}  // namespace pg::mpc
