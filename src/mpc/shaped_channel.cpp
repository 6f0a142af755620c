#include "mpc/shaped_channel.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>

namespace pg::mpc {
namespace {

constexpr size_t kHeader = 12;  // u32 payload length, u64 arrival time (ns, CLOCK_MONOTONIC)
constexpr int64_t kMaxWaitNs = int64_t{600} * 1'000'000'000;  // an absolute bound on one delay

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ShapedChannel::ShapedChannel(Channel& inner, const LinkShape& outbound)
    : ShapedChannel(inner, outbound, outbound) {}

ShapedChannel::ShapedChannel(Channel& inner, const LinkShape& outbound, const LinkShape& inbound)
    : inner_(inner), shape_(outbound) {
  for (const LinkShape* s : {&outbound, &inbound}) {
    if (s->bandwidth_bytes_per_s < 0 || s->latency.count() < 0) {
      throw std::invalid_argument("ShapedChannel: bandwidth and latency must not be negative");
    }
  }
  // The bound on an honest stamp (see the header); 1 ms covers the rounding of the stamps.
  const double frame_ns = inbound.bandwidth_bytes_per_s > 0
                              ? 1e9 * double(kMaxFrame) / inbound.bandwidth_bytes_per_s
                              : 0;
  const double bound_ns =
      frame_ns + double(std::chrono::nanoseconds(inbound.latency).count()) + 1e6;
  max_wait_ns_ = static_cast<int64_t>(std::min(bound_ns, double(kMaxWaitNs)));
  out_.reserve(kMaxFrame);
}

ShapedChannel::~ShapedChannel() = default;

void ShapedChannel::emit_frame() {
  if (out_.empty()) return;
  const int64_t start = std::max(now_ns(), link_free_ns_);
  const double tx_ns = shape_.bandwidth_bytes_per_s > 0
                           ? 1e9 * static_cast<double>(out_.size()) / shape_.bandwidth_bytes_per_s
                           : 0.0;
  link_free_ns_ = start + static_cast<int64_t>(tx_ns);
  const int64_t arrival =
      link_free_ns_ + std::chrono::duration_cast<std::chrono::nanoseconds>(shape_.latency).count();
  std::array<uint8_t, kHeader> h;
  const auto len = static_cast<uint32_t>(out_.size());
  for (size_t i = 0; i < 4; ++i) h[i] = static_cast<uint8_t>(len >> (8 * i));
  for (size_t i = 0; i < 8; ++i)
    h[4 + i] = static_cast<uint8_t>(static_cast<uint64_t>(arrival) >> (8 * i));
  inner_.send(h.data(), h.size());
  inner_.send(out_.data(), out_.size());
  out_.clear();
}

void ShapedChannel::send(const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  while (n > 0) {
    const size_t take = std::min(n, kMaxFrame - out_.size());
    append_bytes(out_, p, take);
    p += take;
    n -= take;
    if (out_.size() == kMaxFrame) emit_frame();
  }
}

void ShapedChannel::flush() {
  emit_frame();
  inner_.flush();
}

void ShapedChannel::next_frame() {
  std::array<uint8_t, kHeader> h;
  inner_.recv(h.data(), h.size());
  uint32_t len = 0;
  uint64_t arrival = 0;
  for (size_t i = 0; i < 4; ++i) len |= static_cast<uint32_t>(h[i]) << (8 * i);
  for (size_t i = 0; i < 8; ++i) arrival |= static_cast<uint64_t>(h[4 + i]) << (8 * i);
  if (len == 0 || len > kMaxFrame) {
    throw ChannelError(core::ErrorCode::kMalformed,
                       "shaped channel: the peer sent a frame of " + std::to_string(len) +
                           " bytes (allowed 1.." + std::to_string(kMaxFrame) +
                           "); is the peer's channel shaped too?");
  }
  in_.refill(len);
  inner_.recv(in_.bytes.data(), len);
  // The stamp comes from the peer: compare without overflow before anything is computed from it.
  const auto now = static_cast<uint64_t>(now_ns());
  const int64_t wait = arrival > now ? static_cast<int64_t>(std::min<uint64_t>(
                                           arrival - now, static_cast<uint64_t>(max_wait_ns_) + 1))
                                     : 0;
  if (wait > max_wait_ns_) {
    throw ChannelError(core::ErrorCode::kMalformed,
                       "shaped channel: the peer stamped a frame to arrive later than the link "
                       "allows (more than " +
                           std::to_string(max_wait_ns_ / 1'000'000) +
                           " ms from now); are both ends on one host, shaped alike?");
  }
  if (wait > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(wait));
}

void ShapedChannel::recv(void* data, size_t n) {
  flush();
  in_.read(data, n, [this] { next_frame(); });
}

}  // namespace pg::mpc
