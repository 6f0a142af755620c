// POSIX TCP plumbing shared by the TCP and TLS channels: options, an owning socket, a listener
// with a clear "port in use" error and accept with a timeout, and connect with a timeout and
// retries. Every failure throws ChannelError (kNetwork or kTimeout) with host, port and cause.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "mpc/channel.h"

namespace pg::mpc {

struct TcpOptions {
  // A read or write that makes no progress for this long throws ChannelError(kTimeout), so a
  // stalled or vanished peer is detected within a bounded time. Zero waits forever.
  std::chrono::milliseconds io_timeout{60'000};
  std::chrono::milliseconds connect_timeout{5'000};  // per attempt
  int connect_attempts = 20;                         // refused connections are retried
  std::chrono::milliseconds retry_delay{250};
  size_t buffer_bytes = size_t{1} << 18;  // write and read buffers, each
};

// An owned socket descriptor (closed on destruction).
class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket();
  Socket(Socket&& other) noexcept : fd_(other.release()) {}
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void close();
  // TCP_NODELAY and the send/receive timeouts of `options`.
  void configure(const TcpOptions& options);
  // Half-closes the sending side so that the peer reads end-of-stream after the data.
  void shutdown_write();

 private:
  int fd_ = -1;
};

class TcpListener {
 public:
  // Binds host:port (host "" or "0.0.0.0" = all interfaces, port 0 = an ephemeral port) and
  // listens. A port already in use throws ChannelError(kNetwork) saying so.
  static TcpListener listen(const std::string& host, uint16_t port, int backlog = 16);

  uint16_t port() const { return port_; }
  // Waits at most `timeout` for one client; throws ChannelError(kTimeout) if none came.
  Socket accept_socket(std::chrono::milliseconds timeout, const TcpOptions& options);
  void close() { socket_.close(); }

 private:
  TcpListener(Socket socket, uint16_t port) : socket_(std::move(socket)), port_(port) {}
  Socket socket_;
  uint16_t port_ = 0;
};

// Connects to host:port, retrying refused or timed-out attempts `options.connect_attempts`
// times `options.retry_delay` apart (the server may not be listening yet).
Socket tcp_connect_socket(const std::string& host, uint16_t port, const TcpOptions& options);

// "what: strerror(err)" as a ChannelError with the matching code.
[[noreturn]] void throw_socket_error(const std::string& what, int err);

}  // namespace pg::mpc
