#include "mpc/tcp_channel.h"

#include <sys/socket.h>

#include <cerrno>

namespace pg::mpc {

std::unique_ptr<TcpChannel> TcpChannel::accept(TcpListener& listener,
                                               std::chrono::milliseconds accept_timeout,
                                               const TcpOptions& options) {
  return std::make_unique<TcpChannel>(listener.accept_socket(accept_timeout, options), options);
}

std::unique_ptr<TcpChannel> TcpChannel::connect(const std::string& host, uint16_t port,
                                                const TcpOptions& options) {
  return std::make_unique<TcpChannel>(tcp_connect_socket(host, port, options), options);
}

TcpChannel::TcpChannel(Socket socket, const TcpOptions& options)
    : StreamChannel(options.buffer_bytes), socket_(std::move(socket)), options_(options) {}

TcpChannel::~TcpChannel() {
  // Without close() the connection ends abruptly: buffered bytes are dropped, never flushed
  // from a destructor (which may run while unwinding from a network error).
  drop_buffers();
}

void TcpChannel::close() {
  close_stream(socket_, [] {});
}

size_t TcpChannel::read_some(uint8_t* data, size_t n) {
  if (!socket_.valid()) throw ChannelError(core::ErrorCode::kNetwork, "recv on a closed channel");
  for (;;) {
    const ssize_t r = ::recv(socket_.fd(), data, n, 0);
    if (r > 0) return static_cast<size_t>(r);
    if (r == 0) {
      throw ChannelError(core::ErrorCode::kNetwork, "the peer closed the connection while " +
                                                        std::to_string(n) +
                                                        " or fewer more bytes were expected");
    }
    const int err = errno;
    if (err == EINTR) continue;
    if (err == EAGAIN || err == EWOULDBLOCK) {
      throw ChannelError(
          core::ErrorCode::kTimeout,
          "the peer sent nothing for " + std::to_string(options_.io_timeout.count()) + " ms");
    }
    throw_socket_error("receive failed", err);
  }
}

void TcpChannel::write_all(const uint8_t* data, size_t n) {
  if (!socket_.valid()) throw ChannelError(core::ErrorCode::kNetwork, "send on a closed channel");
  while (n > 0) {
    const ssize_t r = ::send(socket_.fd(), data, n, MSG_NOSIGNAL);
    if (r > 0) {
      data += r;
      n -= static_cast<size_t>(r);
      continue;
    }
    const int err = errno;
    if (err == EINTR) continue;
    if (err == EAGAIN || err == EWOULDBLOCK) {
      throw ChannelError(
          core::ErrorCode::kTimeout,
          "the peer accepted no data for " + std::to_string(options_.io_timeout.count()) + " ms");
    }
    if (err == EPIPE || err == ECONNRESET) {
      throw ChannelError(core::ErrorCode::kNetwork, "the peer closed the connection");
    }
    throw_socket_error("send failed", err);
  }
}

}  // namespace pg::mpc
