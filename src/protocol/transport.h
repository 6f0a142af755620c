// How the two parties reach each other. A Connector opens client connections; an Acceptor hands
// the server the connections that arrive. Implementations: TCP (optionally TLS 1.3) and an
// in-memory network for tests, so the driver runs unchanged over both.
//
// A session uses two connections (see session_protocol.h), so a Connector must be able to
// connect more than once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/result.h"
#include "mpc/channel.h"
#include "mpc/socket.h"
#include "mpc/tls_channel.h"

namespace pg::protocol {

// One connection: the byte channel; close, a clean end (flush, then the peer reads end of
// stream; it may throw mpc::ChannelError); and abort, which wakes a recv() blocked on the channel
// in another thread (empty when the transport has no means: the I/O timeout then bounds the
// wait). Both may only be called while `channel` is alive.
struct Link {
  std::unique_ptr<mpc::Channel> channel;
  std::function<void()> close;
  std::function<void()> abort;
  std::string peer;  // for log lines
};

class Connector {
 public:
  virtual ~Connector() = default;
  // A new connection to the server, or an Error naming the address and the cause.
  virtual core::Result<Link> connect() = 0;
};

class Acceptor {
 public:
  virtual ~Acceptor() = default;
  // The next incoming connection, or nullopt if none came within `timeout`. An Error means the
  // connection failed while it was being set up (e.g. a TLS handshake); the acceptor stays
  // usable.
  virtual core::Result<std::optional<Link>> accept(std::chrono::milliseconds timeout) = 0;
};

// TCP, with TLS when `tls` is set (the client verifies the server's certificate against its CA
// and the host name).
class TcpConnector final : public Connector {
 public:
  TcpConnector(std::string host, uint16_t port, const mpc::TcpOptions& options,
               std::optional<mpc::TlsContext> tls = std::nullopt);
  core::Result<Link> connect() override;

 private:
  std::string host_;
  uint16_t port_;
  mpc::TcpOptions options_;
  std::optional<mpc::TlsContext> tls_;
};

class TcpAcceptor final : public Acceptor {
 public:
  // Binds and listens: port 0 picks an ephemeral port. A port in use is an Error (kNetwork).
  static core::Result<std::unique_ptr<TcpAcceptor>> listen(
      const std::string& host, uint16_t port, const mpc::TcpOptions& options,
      std::optional<mpc::TlsContext> tls = std::nullopt);
  uint16_t port() const { return port_; }
  core::Result<std::optional<Link>> accept(std::chrono::milliseconds timeout) override;

 private:
  TcpAcceptor(mpc::TcpListener listener, const mpc::TcpOptions& options,
              std::optional<mpc::TlsContext> tls);
  mpc::TcpListener listener_;
  uint16_t port_;
  mpc::TcpOptions options_;
  std::optional<mpc::TlsContext> tls_;
};

// Both ends in one process: connect() makes an in-memory channel pair and queues the server's
// end for accept(). close() makes later connects fail (a server that is gone).
class MemoryNetwork final : public Connector, public Acceptor {
 public:
  explicit MemoryNetwork(std::chrono::milliseconds io_timeout = std::chrono::seconds(60));
  core::Result<Link> connect() override;
  core::Result<std::optional<Link>> accept(std::chrono::milliseconds timeout) override;
  void close();

 private:
  std::chrono::milliseconds io_timeout_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Link> pending_;
  bool closed_ = false;
};

// "host:port" → (host, port), with a message naming what is wrong.
core::Result<std::pair<std::string, uint16_t>> parse_host_port(const std::string& spec);

}  // namespace pg::protocol
