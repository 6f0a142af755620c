// The byte channel between the two parties, and the one exception type its failures raise.
//
// A Channel is a reliable, ordered byte stream with three primitives: send() (may buffer),
// recv() (blocks until exactly n bytes arrived) and flush() (pushes buffered bytes to the peer).
// Every implementation flushes its pending output before it blocks in recv(), so a party never
// waits for a reply to bytes still sitting in its own buffer. src/protocol/wire.h frames
// messages with exactly these three calls.
//
// Failures (peer closed or reset, timeout, a length field from the peer over its bound, an
// invalid group element from the peer) throw ChannelError, which carries a core::ErrorCode
// (kNetwork, kTimeout, kTooLarge, kMalformed) and a message that names the cause. The protocol
// layer catches it at the session boundary.
//
// A Channel is used by one thread at a time. Over TCP/TLS a send blocks once the socket buffers
// are full, so two parties must never both send a large flight before reading the other's:
// every exchange in this layer is a sequence of alternating flights (the in-memory channel
// buffers without bound and would hide such a deadlock; the TCP tests include a layer large
// enough to expose it).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>

#include "core/result.h"
#include "mpc/block.h"

namespace pg::mpc {

// The unread rest of the last frame a framing channel received. read() drains it and calls
// next_frame() (which refills `bytes` and resets `pos`) whenever it runs dry.
struct FrameInbox {
  SecretBytes bytes;
  size_t pos = 0;

  bool has_unread() const { return pos < bytes.size(); }
  void refill(size_t n) {
    bytes.resize(n);
    pos = 0;
  }
  template <typename NextFrame>
  void read(void* data, size_t n, NextFrame&& next_frame) {
    auto* dst = static_cast<uint8_t*>(data);
    while (n > 0) {
      if (pos == bytes.size()) next_frame();
      const size_t take = std::min(n, bytes.size() - pos);
      std::memcpy(dst, bytes.data() + pos, take);
      pos += take;
      dst += take;
      n -= take;
    }
  }
};

class ChannelError : public std::runtime_error {
 public:
  ChannelError(core::ErrorCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  core::ErrorCode code() const { return code_; }
  core::Error to_error() const { return core::make_error(code_, what()); }

 private:
  core::ErrorCode code_;
};

class Channel {
 public:
  virtual ~Channel() = default;
  Channel() = default;
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  virtual void send(const void* data, size_t n) = 0;
  virtual void recv(void* data, size_t n) = 0;
  virtual void flush() = 0;

  // Typed helpers (little-endian integers, raw blocks, packed bits).
  void send_blocks(const Block* blocks, size_t n) { send(blocks, n * sizeof(Block)); }
  void recv_blocks(Block* blocks, size_t n) { recv(blocks, n * sizeof(Block)); }
  void send_block(Block b) { send_blocks(&b, 1); }
  Block recv_block() {
    Block b;
    recv_blocks(&b, 1);
    return b;
  }
  void send_bytes(std::span<const uint8_t> bytes) { send(bytes.data(), bytes.size()); }
  void recv_bytes(std::span<uint8_t> bytes) { recv(bytes.data(), bytes.size()); }
  // n_bits packed bits (bit_bytes(n_bits) bytes).
  void send_bits(const uint8_t* bits, size_t n_bits) { send(bits, bit_bytes(n_bits)); }
  void recv_bits(uint8_t* bits, size_t n_bits) { recv(bits, bit_bytes(n_bits)); }
  void send_u32(uint32_t v);
  uint32_t recv_u32();
  void send_u64(uint64_t v);
  uint64_t recv_u64();
  // A u64 from the peer that must not exceed max_value; larger values throw kTooLarge naming
  // `what`, before the caller allocates anything for it.
  uint64_t recv_u64_bounded(uint64_t max_value, const char* what);
};

}  // namespace pg::mpc
