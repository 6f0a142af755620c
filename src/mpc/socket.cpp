#include "mpc/socket.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <thread>

namespace pg::mpc {
namespace {

std::string endpoint(const std::string& host, uint16_t port) {
  return (host.empty() ? std::string("*") : host) + ":" + std::to_string(port);
}

using AddrList = std::unique_ptr<addrinfo, decltype(&freeaddrinfo)>;

AddrList resolve(const std::string& host, uint16_t port, bool passive) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = passive ? AI_PASSIVE : 0;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  const int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &res);
  if (rc != 0) {
    throw ChannelError(core::ErrorCode::kNetwork,
                       "cannot resolve " + endpoint(host, port) + ": " + gai_strerror(rc));
  }
  return AddrList(res, &freeaddrinfo);
}

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

// One non-blocking connect attempt bounded by `timeout`; returns 0 or an errno value.
int connect_once(int fd, const addrinfo* ai, std::chrono::milliseconds timeout) {
  const int flags = fcntl(fd, F_GETFL, 0);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  int err = 0;
  if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
    err = errno;
    if (err == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      const int rc = poll(&p, 1, static_cast<int>(timeout.count()));
      if (rc == 0) {
        err = ETIMEDOUT;
      } else if (rc < 0) {
        err = errno;
      } else {
        socklen_t len = sizeof(err);
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      }
    }
  }
  fcntl(fd, F_SETFL, flags);
  return err;
}

}  // namespace

void throw_socket_error(const std::string& what, int err) {
  const bool timeout = err == EAGAIN || err == EWOULDBLOCK || err == ETIMEDOUT;
  throw ChannelError(timeout ? core::ErrorCode::kTimeout : core::ErrorCode::kNetwork,
                     what + ": " + std::strerror(err));
}

Socket::~Socket() {
  close();
}

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.release();
  }
  return *this;
}

void Socket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void Socket::configure(const TcpOptions& options) {
  const int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  const timeval tv = to_timeval(options.io_timeout);
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

void Socket::shutdown_write() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

TcpListener TcpListener::listen(const std::string& host, uint16_t port, int backlog) {
  const AddrList addrs = resolve(host == "0.0.0.0" ? "" : host, port, /*passive=*/true);
  int last_err = 0;
  for (const addrinfo* ai = addrs.get(); ai != nullptr; ai = ai->ai_next) {
    Socket s(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
    if (!s.valid()) {
      last_err = errno;
      continue;
    }
    const int one = 1;
    setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(s.fd(), ai->ai_addr, ai->ai_addrlen) != 0) {
      last_err = errno;
      if (last_err == EADDRINUSE) {
        throw ChannelError(core::ErrorCode::kNetwork, "cannot listen on " + endpoint(host, port) +
                                                          ": the port is already in use");
      }
      continue;
    }
    if (::listen(s.fd(), backlog) != 0) {
      last_err = errno;
      continue;
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof(bound);
    getsockname(s.fd(), reinterpret_cast<sockaddr*>(&bound), &len);
    const uint16_t actual = bound.ss_family == AF_INET6
                                ? ntohs(reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port)
                                : ntohs(reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);
    return TcpListener(std::move(s), actual);
  }
  throw_socket_error("cannot listen on " + endpoint(host, port), last_err);
}

Socket TcpListener::accept_socket(std::chrono::milliseconds timeout, const TcpOptions& options) {
  if (!socket_.valid())
    throw ChannelError(core::ErrorCode::kNetwork, "accept on a closed listener");
  pollfd p{socket_.fd(), POLLIN, 0};
  int rc;
  do {
    rc = poll(&p, 1, static_cast<int>(timeout.count()));
  } while (rc < 0 && errno == EINTR);
  if (rc == 0) {
    throw ChannelError(core::ErrorCode::kTimeout, "no client connected to port " +
                                                      std::to_string(port_) + " within " +
                                                      std::to_string(timeout.count()) + " ms");
  }
  if (rc < 0) throw_socket_error("accept on port " + std::to_string(port_), errno);
  Socket s(::accept4(socket_.fd(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!s.valid()) throw_socket_error("accept on port " + std::to_string(port_), errno);
  s.configure(options);
  return s;
}

Socket tcp_connect_socket(const std::string& host, uint16_t port, const TcpOptions& options) {
  const AddrList addrs = resolve(host, port, /*passive=*/false);
  int last_err = 0;
  const int attempts = std::max(1, options.connect_attempts);
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(options.retry_delay);
    for (const addrinfo* ai = addrs.get(); ai != nullptr; ai = ai->ai_next) {
      Socket s(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
      if (!s.valid()) {
        last_err = errno;
        continue;
      }
      last_err = connect_once(s.fd(), ai, options.connect_timeout);
      if (last_err == 0) {
        s.configure(options);
        return s;
      }
    }
  }
  throw_socket_error("cannot connect to " + endpoint(host, port) + " after " +
                         std::to_string(attempts) + " attempt(s)",
                     last_err);
}

}  // namespace pg::mpc
