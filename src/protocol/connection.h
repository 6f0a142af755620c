// One connection of a session as the driver uses it: typed frames (wire.h) for protocol
// messages, and a framed byte stream (kStream frames) that carries the two-party layer's OT and
// garbled-circuit traffic, all counted per phase (mpc::CountingChannel, frame headers included).
//
// Errors: the peer's bytes are checked by recv_msg/recv_any (Result). Transport failures
// (closed, reset, timed out) throw mpc::ChannelError, as everything on an mpc::Channel does, and
// so does a stream read that meets a frame other than kStream; the session catches them at its
// boundary. A Connection is used by one thread at a time; abort() is the exception.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "core/bytes.h"
#include "core/result.h"
#include "mpc/block.h"
#include "mpc/channel.h"
#include "mpc/counting_channel.h"
#include "protocol/transport.h"
#include "protocol/wire.h"

namespace pg::protocol {

// The largest stream frame a receiver accepts, and the size at which a sender cuts one.
inline constexpr uint32_t kMaxStreamFrame = 1u << 20;
inline constexpr size_t kStreamChunk = size_t{1} << 18;

// The two-party layer's byte stream as kStream frames over another channel.
class FramedStream final : public mpc::Channel {
 public:
  explicit FramedStream(mpc::Channel& inner) : inner_(inner) {}

  void send(const void* data, size_t n) override;
  void recv(void* data, size_t n) override;
  void flush() override;
  // Bytes of a received stream frame that nobody has read yet.
  bool has_unread() const { return in_.has_unread(); }

 private:
  void emit();
  void next_frame();

  mpc::Channel& inner_;
  mpc::SecretBytes out_;
  mpc::FrameInbox in_;
};

class Connection {
 public:
  explicit Connection(Link link);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void send_msg(MsgType type, std::span<const uint8_t> payload);
  core::Result<core::Bytes> recv_msg(MsgType type, uint32_t max_len);
  core::Result<Frame> recv_any(std::span<const Accept> accepted);
  mpc::Channel& stream() { return stream_; }

  // After a transport failure of our own (a send into a connection the peer closed), looks for
  // the kError frame the peer may have sent before closing, and returns its report in place of
  // `local`. Reads at most a few frames, only when `local` is a closed or reset link (never
  // after a timeout, so it cannot stall); never throws.
  core::Error peer_reason(const core::Error& local) noexcept;
  // Best effort: tells the peer why the session ends; never throws.
  void send_error(const std::string& message) noexcept;
  // Flushes and closes (the peer reads end-of-stream); never throws.
  void close() noexcept;
  // Wakes a recv blocked in another thread (a no-op on transports without the means).
  void abort() noexcept;

  // A deadline that another thread enforces (Server aborts a connection whose hello and
  // handshake are not done by then): the I/O timeout only bounds the gap between two bytes, so a
  // peer trickling one byte at a time would otherwise hold the connection for ever.
  void set_deadline(std::chrono::steady_clock::time_point at) noexcept {
    deadline_ns_.store(at.time_since_epoch().count());
  }
  void clear_deadline() noexcept { deadline_ns_.store(kNoDeadline); }
  bool past_deadline(std::chrono::steady_clock::time_point now) const noexcept {
    return now.time_since_epoch().count() > deadline_ns_.load();
  }

  void set_phase(const std::string& phase) { counter_.set_phase(phase); }
  mpc::TrafficStats phase_stats(const std::string& phase) const {
    return counter_.phase_stats(phase);
  }
  mpc::TrafficStats total() const { return counter_.total(); }
  const std::string& peer() const { return link_.peer; }

 private:
  core::Status check_no_stream_left() const;

  Link link_;
  mpc::CountingChannel counter_;
  FramedStream stream_;
  std::mutex abort_mu_;
  bool closed_ = false;
  static constexpr int64_t kNoDeadline = INT64_MAX;
  std::atomic<int64_t> deadline_ns_{kNoDeadline};
};

}  // namespace pg::protocol
