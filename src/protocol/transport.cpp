#include "protocol/transport.h"

#include <sys/socket.h>

#include <charconv>

#include "mpc/memory_channel.h"
#include "mpc/tcp_channel.h"

namespace pg::protocol {

using core::ErrorCode;
using core::make_error;

namespace {

// A link over a channel that owns the socket `fd`: shutdown() wakes a blocked recv from another
// thread without freeing the descriptor.
template <typename Ch>
Link socket_link(std::unique_ptr<Ch> ch, int fd, const std::string& peer) {
  Link link;
  link.close = [p = ch.get()] { p->close(); };
  link.abort = [fd] { ::shutdown(fd, SHUT_RDWR); };
  link.channel = std::move(ch);
  link.peer = peer;
  return link;
}

Link tcp_link(mpc::Socket s, const mpc::TcpOptions& options, const std::string& peer) {
  const int fd = s.fd();
  return socket_link(std::make_unique<mpc::TcpChannel>(std::move(s), options), fd, peer);
}

Link tls_link(std::unique_ptr<mpc::TlsChannel> ch, const std::string& peer) {
  const int fd = ch->fd();
  return socket_link(std::move(ch), fd, peer);
}

}  // namespace

TcpConnector::TcpConnector(std::string host, uint16_t port, const mpc::TcpOptions& options,
                           std::optional<mpc::TlsContext> tls)
    : host_(std::move(host)), port_(port), options_(options), tls_(std::move(tls)) {}

core::Result<Link> TcpConnector::connect() {
  const std::string where = host_ + ":" + std::to_string(port_);
  try {
    if (tls_) return tls_link(mpc::TlsChannel::connect(host_, port_, *tls_, options_), where);
    return tcp_link(mpc::tcp_connect_socket(host_, port_, options_), options_, where);
  } catch (const mpc::ChannelError& e) {
    return make_error(e.code(), "cannot connect to " + where + ": " + e.what());
  }
}

TcpAcceptor::TcpAcceptor(mpc::TcpListener listener, const mpc::TcpOptions& options,
                         std::optional<mpc::TlsContext> tls)
    : listener_(std::move(listener)),
      port_(listener_.port()),
      options_(options),
      tls_(std::move(tls)) {}

core::Result<std::unique_ptr<TcpAcceptor>> TcpAcceptor::listen(const std::string& host,
                                                               uint16_t port,
                                                               const mpc::TcpOptions& options,
                                                               std::optional<mpc::TlsContext> tls) {
  try {
    auto listener = mpc::TcpListener::listen(host, port);
    return std::unique_ptr<TcpAcceptor>(new TcpAcceptor(std::move(listener), options, tls));
  } catch (const mpc::ChannelError& e) {
    return make_error(e.code(), e.what());
  }
}

core::Result<std::optional<Link>> TcpAcceptor::accept(std::chrono::milliseconds timeout) {
  try {
    if (tls_) {
      // The handshake runs in the connection's own thread, under its deadline (Server).
      return std::optional<Link>(tls_link(
          mpc::TlsChannel::accept_deferred(listener_, *tls_, timeout, options_), "TLS client"));
    }
    return std::optional<Link>(
        tcp_link(listener_.accept_socket(timeout, options_), options_, "TCP client"));
  } catch (const mpc::ChannelError& e) {
    if (e.code() == ErrorCode::kTimeout) return std::optional<Link>();  // nobody came
    return make_error(e.code(), e.what());
  }
}

MemoryNetwork::MemoryNetwork(std::chrono::milliseconds io_timeout) : io_timeout_(io_timeout) {}

core::Result<Link> MemoryNetwork::connect() {
  auto [client, server] = mpc::MemoryChannel::make_pair({io_timeout_, size_t{1} << 16});
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return make_error(ErrorCode::kNetwork, "the in-memory server is not listening");
  auto link = [](std::unique_ptr<mpc::MemoryChannel> ch, const char* peer) {
    Link l;
    l.close = [p = ch.get()] { p->close(); };
    l.channel = std::move(ch);
    l.peer = peer;
    return l;
  };
  pending_.push_back(link(std::move(server), "in-memory client"));
  cv_.notify_one();
  return link(std::move(client), "in-memory server");
}

core::Result<std::optional<Link>> MemoryNetwork::accept(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return !pending_.empty() || closed_; });
  if (pending_.empty()) return std::optional<Link>();
  Link link = std::move(pending_.front());
  pending_.pop_front();
  return std::optional<Link>(std::move(link));
}

void MemoryNetwork::close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  pending_.clear();
  cv_.notify_all();
}

core::Result<std::pair<std::string, uint16_t>> parse_host_port(const std::string& spec) {
  const auto colon = spec.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size()) {
    return make_error(ErrorCode::kInvalidInput,
                      "expected HOST:PORT (e.g. 127.0.0.1:7000), got '" + spec + "'");
  }
  std::string host = spec.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);  // [::1]:7000
  }
  unsigned port = 0;
  const char* b = spec.data() + colon + 1;
  const char* e = spec.data() + spec.size();
  auto [p, ec] = std::from_chars(b, e, port);
  if (ec != std::errc() || p != e || port == 0 || port > 65535) {
    return make_error(ErrorCode::kInvalidInput,
                      "the port in '" + spec + "' must be an integer in [1, 65535]");
  }
  return std::make_pair(host, uint16_t(port));
}

}  // namespace pg::protocol
