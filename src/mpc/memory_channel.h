// An in-memory channel pair for tests and benchmarks: both parties in one process, each on its
// own thread. Each direction is an unbounded queue, so both sides may send any amount before
// receiving without deadlock (the garbler streams tables while the evaluator is busy). A recv()
// that sees no progress for `timeout` throws ChannelError(kTimeout); once one end is closed or
// destroyed, the other end's recv() throws ChannelError(kNetwork) after draining what was sent.
#pragma once

#include <chrono>
#include <memory>
#include <utility>
#include <vector>

#include "mpc/channel.h"

namespace pg::mpc {

struct MemoryChannelOptions {
  std::chrono::milliseconds timeout{60'000};
  size_t buffer_bytes = size_t{1} << 18;  // sends are batched up to this size before a push
};

class MemoryChannel final : public Channel {
 public:
  static std::pair<std::unique_ptr<MemoryChannel>, std::unique_ptr<MemoryChannel>> make_pair(
      const MemoryChannelOptions& options = {});

  ~MemoryChannel() override;

  void send(const void* data, size_t n) override;
  void recv(void* data, size_t n) override;
  void flush() override;
  // Flushes, then marks both directions closed for the peer.
  void close();

  struct Pipe;

 private:
  MemoryChannel(std::shared_ptr<Pipe> out, std::shared_ptr<Pipe> in,
                const MemoryChannelOptions& options);
  void push(SecretBytes chunk);

  std::shared_ptr<Pipe> out_;
  std::shared_ptr<Pipe> in_;
  MemoryChannelOptions options_;
  SecretBytes wbuf_;
  bool closed_ = false;
};

}  // namespace pg::mpc
