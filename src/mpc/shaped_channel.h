// A Channel wrapper that emulates a slower link (bandwidth and one-way latency) on top of a fast
// one (memory, loopback), for LAN/WAN benchmarks.
//
// Both ends must be wrapped, each with the shape of its outbound direction. The sender splits
// its output into frames of at most 64 KiB and stamps each with the time at which it would have
// arrived over the emulated link: it is serialised at `bandwidth` after the link's previous
// frame, then travels `latency`. The receiver sleeps until that time before it hands the bytes
// out. This models a link with unbounded buffers exactly, and a computation that overlaps with
// transfer overlaps here too. The stamps use CLOCK_MONOTONIC, so both ends must run on one host.
// Each frame adds a 12-byte header to the inner channel; wrap a CountingChannel around this one
// to count payload bytes only.
#pragma once

#include <chrono>
#include <cstdint>

#include "mpc/channel.h"

namespace pg::mpc {

struct LinkShape {
  double bandwidth_bytes_per_s = 0;  // 0 = unlimited
  std::chrono::microseconds latency{0};

  static LinkShape lan() { return {1.25e9, std::chrono::microseconds(100)}; }  // 10 Gbit/s, 0.1 ms
  static LinkShape wan() {
    return {12.5e6, std::chrono::microseconds(40'000)};
  }  // 100 Mbit/s, 40 ms
};

class ShapedChannel final : public Channel {
 public:
  static constexpr size_t kMaxFrame = size_t{1} << 16;

  // Does not own `inner`, which must outlive this wrapper.
  ShapedChannel(Channel& inner, const LinkShape& outbound);
  ~ShapedChannel() override;

  void send(const void* data, size_t n) override;
  void recv(void* data, size_t n) override;
  void flush() override;

 private:
  void emit_frame();
  void next_frame();

  Channel& inner_;
  LinkShape shape_;
  int64_t link_free_ns_ = 0;  // when the emulated link finishes serialising what was sent
  SecretBytes out_;
  FrameInbox in_;
};

}  // namespace pg::mpc
