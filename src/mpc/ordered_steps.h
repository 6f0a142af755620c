// Runs the steps of a layer on a thread pool while the parties' channel sees them in order.
//
// Worker w of T takes steps w, w + T, w + 2T, ... in increasing order. Around its use of the
// channel a step waits for its turn (every earlier step has had its turn) and passes it on, so
// the channel is used by one thread at a time, in step order, and the bytes on the wire are
// those of a single thread. Work outside the turn (garbling, evaluation) overlaps across
// workers. With no pool, or a pool of one thread, everything runs on the caller in step order.
// If a step throws, the waiting workers are released instead of hanging, and run() rethrows the
// first error (e.g. the ChannelError) once all have stopped.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>

#include "core/thread_pool.h"

namespace pg::mpc {

class OrderedSteps {
 public:
  class Turn {
   public:
    // Blocks until every earlier step has passed its turn on.
    void wait();
    // Lets the next step take its turn.
    void pass();

   private:
    friend class OrderedSteps;
    Turn(OrderedSteps& owner, size_t step) : owner_(owner), step_(step) {}
    void finish();
    OrderedSteps& owner_;
    size_t step_;
    bool passed_ = false;
  };

  // body(worker, step, turn) for every step in [0, n); worker < workers(pool). The body calls
  // turn.wait() before and turn.pass() after its channel use (a step that did not pass its turn
  // waits for it and passes it on return).
  using Body = std::function<void(size_t worker, size_t step, Turn& turn)>;
  static void run(core::ThreadPool* pool, size_t n, const Body& body);
  // The same without turns, for steps that do not touch the channel.
  static void run_unordered(core::ThreadPool* pool, size_t n,
                            const std::function<void(size_t worker, size_t step)>& body);
  static size_t workers(const core::ThreadPool* pool) { return pool == nullptr ? 1 : pool->size(); }

 private:
  OrderedSteps() = default;
  void wait_for(size_t step);
  void pass_from(size_t step);
  void fail(std::exception_ptr error);

  std::mutex mu_;
  std::condition_variable cv_;
  size_t next_ = 0;  // the step whose turn it is
  bool failed_ = false;
  std::exception_ptr error_;  // the first failure, rethrown by run()
};

}  // namespace pg::mpc
