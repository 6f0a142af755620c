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
//
// The stamps come from the peer, so the receiver trusts them only as far as its inbound link
// allows. It reads frame k only after frame k−1's stamp has passed, and an honest sender stamps
// frame k at most one frame's serialisation after frame k−1's departure or its own now, plus the
// latency; so an honest stamp is never more than kMaxFrame / bandwidth + latency (+ 1 ms for
// rounding) ahead of the receiver's now. A later stamp is an error at once, never a sleep.
#pragma once

#include <chrono>
#include <cstdint>

#include "mpc/channel.h"

namespace pg::mpc {

struct LinkShape {
  double bandwidth_bytes_per_s = 0;  // 0 = unlimited
  std::chrono::microseconds latency{0};

  // The settings of Cheetah's evaluation (Huang et al., USENIX Security 2022, §6.1), which
  // CrypTFlow2 and later work share: about 384 MB/s with a 0.3 ms round trip (LAN) and 44 MB/s
  // with a 40 ms round trip (WAN). The latency here is one way, half the round trip.
  static LinkShape lan() { return {384e6, std::chrono::microseconds(150)}; }
  static LinkShape wan() { return {44e6, std::chrono::microseconds(20'000)}; }
};

class ShapedChannel final : public Channel {
 public:
  static constexpr size_t kMaxFrame = size_t{1} << 16;

  // Does not own `inner`, which must outlive this wrapper. The inbound link is the outbound one
  // unless given (both directions of a benchmark link are shaped alike).
  ShapedChannel(Channel& inner, const LinkShape& outbound);
  ShapedChannel(Channel& inner, const LinkShape& outbound, const LinkShape& inbound);
  ~ShapedChannel() override;

  void send(const void* data, size_t n) override;
  void recv(void* data, size_t n) override;
  void flush() override;

 private:
  void emit_frame();
  void next_frame();

  Channel& inner_;
  LinkShape shape_;
  int64_t max_wait_ns_ = 0;   // the latest arrival the inbound link allows, from now
  int64_t link_free_ns_ = 0;  // when the emulated link finishes serialising what was sent
  SecretBytes out_;
  FrameInbox in_;
};

}  // namespace pg::mpc
