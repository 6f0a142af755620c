// A Channel over a TCP connection (POSIX sockets): buffered, TCP_NODELAY, with read/write
// timeouts from TcpOptions. A peer that closes, resets or stalls past io_timeout makes the next
// send/recv throw ChannelError; nothing hangs longer than the configured bounds.
#pragma once

#include <memory>
#include <string>

#include "mpc/socket.h"
#include "mpc/stream_channel.h"

namespace pg::mpc {

class TcpChannel final : public StreamChannel {
 public:
  // Server side: waits at most accept_timeout for one client on the listener.
  static std::unique_ptr<TcpChannel> accept(TcpListener& listener,
                                            std::chrono::milliseconds accept_timeout,
                                            const TcpOptions& options = {});
  // Client side: connects with the timeout and retries of `options`.
  static std::unique_ptr<TcpChannel> connect(const std::string& host, uint16_t port,
                                             const TcpOptions& options = {});

  TcpChannel(Socket socket, const TcpOptions& options);
  ~TcpChannel() override;

  // Clean close: flushes, half-closes (the peer reads end-of-stream after the data), closes.
  void close();

 protected:
  size_t read_some(uint8_t* data, size_t n) override;
  void write_all(const uint8_t* data, size_t n) override;

 private:
  Socket socket_;
  TcpOptions options_;
};

}  // namespace pg::mpc
