// A Channel over a byte-stream transport (TCP, TLS): buffered writes, buffered reads, and the
// flush-before-blocking rule of channel.h. Subclasses supply the raw transfer calls, which throw
// ChannelError on failure or timeout.
#pragma once

#include <cstddef>
#include <cstdint>

#include <functional>

#include "mpc/channel.h"
#include "mpc/socket.h"

namespace pg::mpc {

class StreamChannel : public Channel {
 public:
  void send(const void* data, size_t n) override;
  void recv(void* data, size_t n) override;
  void flush() override;

 protected:
  explicit StreamChannel(size_t buffer_bytes);
  // Reads at least one and at most n bytes, or throws.
  virtual size_t read_some(uint8_t* data, size_t n) = 0;
  // Writes all n bytes, or throws.
  virtual void write_all(const uint8_t* data, size_t n) = 0;
  // Discards buffered bytes in both directions (before a close that must not block).
  void drop_buffers();
  bool has_pending_output() const { return wlen_ > 0; }
  // A clean close of `socket`: flush (on failure the socket closes and the error propagates),
  // then `goodbye` (e.g. a TLS close_notify), then half-close so the peer reads end-of-stream
  // after the data, then close. Nothing happens on an already closed socket.
  void close_stream(Socket& socket, const std::function<void()>& goodbye);

 private:
  SecretBytes wbuf_;
  size_t wlen_ = 0;
  SecretBytes rbuf_;
  size_t rpos_ = 0;
  size_t rlen_ = 0;
};

}  // namespace pg::mpc
