#include "mpc/tls_channel.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <signal.h>

#include <cerrno>
#include <cstring>

namespace pg::mpc {
namespace {

std::string openssl_reason() {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? std::string("no OpenSSL detail") : out;
}

// OpenSSL writes to the socket with plain send(), which raises SIGPIPE when the peer is gone.
// While alive, SIGPIPE is blocked for this thread, and one raised meanwhile is consumed, so the
// failure surfaces as an error code instead of killing the process.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  ~SigpipeBlock() {
    if (!was_pending_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        const timespec zero{0, 0};
        sigtimedwait(&set_, nullptr, &zero);
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t set_;
  sigset_t old_;
  bool was_pending_ = false;
};

std::shared_ptr<ssl_ctx_st> new_ctx(const SSL_METHOD* method) {
  SSL_CTX* ctx = SSL_CTX_new(method);
  if (ctx == nullptr) {
    throw ChannelError(core::ErrorCode::kIo, "cannot create a TLS context: " + openssl_reason());
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  return std::shared_ptr<ssl_ctx_st>(ctx, &SSL_CTX_free);
}

}  // namespace

TlsContext TlsContext::server(const TlsServerConfig& config) {
  TlsContext c;
  c.ctx_ = new_ctx(TLS_server_method());
  c.server_ = true;
  if (SSL_CTX_use_certificate_chain_file(c.ctx_.get(), config.cert_file.c_str()) != 1) {
    throw ChannelError(core::ErrorCode::kIo, "cannot load the TLS certificate '" +
                                                 config.cert_file + "': " + openssl_reason());
  }
  if (SSL_CTX_use_PrivateKey_file(c.ctx_.get(), config.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    throw ChannelError(core::ErrorCode::kIo, "cannot load the TLS private key '" + config.key_file +
                                                 "': " + openssl_reason());
  }
  if (SSL_CTX_check_private_key(c.ctx_.get()) != 1) {
    throw ChannelError(core::ErrorCode::kIo, "the TLS key '" + config.key_file +
                                                 "' does not match the certificate '" +
                                                 config.cert_file + "'");
  }
  return c;
}

TlsContext TlsContext::client(const TlsClientConfig& config) {
  TlsContext c;
  c.ctx_ = new_ctx(TLS_client_method());
  c.verify_hostname_ = config.verify_hostname;
  if (SSL_CTX_load_verify_locations(c.ctx_.get(), config.ca_file.c_str(), nullptr) != 1) {
    throw ChannelError(core::ErrorCode::kIo,
                       "cannot load the TLS CA file '" + config.ca_file + "': " + openssl_reason());
  }
  SSL_CTX_set_verify(c.ctx_.get(), SSL_VERIFY_PEER, nullptr);
  return c;
}

std::unique_ptr<TlsChannel> TlsChannel::accept(TcpListener& listener, const TlsContext& ctx,
                                               std::chrono::milliseconds accept_timeout,
                                               const TcpOptions& options) {
  if (!ctx.is_server()) throw std::invalid_argument("TlsChannel::accept needs a server context");
  std::unique_ptr<TlsChannel> ch(
      new TlsChannel(listener.accept_socket(accept_timeout, options), ctx, options));
  ch->handshake("");
  return ch;
}

std::unique_ptr<TlsChannel> TlsChannel::accept_deferred(TcpListener& listener,
                                                        const TlsContext& ctx,
                                                        std::chrono::milliseconds accept_timeout,
                                                        const TcpOptions& options) {
  if (!ctx.is_server()) throw std::invalid_argument("TlsChannel::accept needs a server context");
  std::unique_ptr<TlsChannel> ch(
      new TlsChannel(listener.accept_socket(accept_timeout, options), ctx, options));
  ch->handshake_pending_ = true;
  return ch;
}

void TlsChannel::finish_deferred_handshake() {
  if (!handshake_pending_) return;
  handshake_pending_ = false;
  handshake("");
}

std::unique_ptr<TlsChannel> TlsChannel::connect(const std::string& host, uint16_t port,
                                                const TlsContext& ctx, const TcpOptions& options) {
  if (ctx.is_server()) throw std::invalid_argument("TlsChannel::connect needs a client context");
  std::unique_ptr<TlsChannel> ch(
      new TlsChannel(tcp_connect_socket(host, port, options), ctx, options));
  ch->handshake(host);
  return ch;
}

TlsChannel::TlsChannel(Socket socket, const TlsContext& ctx, const TcpOptions& options)
    : StreamChannel(options.buffer_bytes),
      socket_(std::move(socket)),
      ctx_(ctx),
      options_(options) {
  ssl_ = SSL_new(ctx_.get());
  if (ssl_ == nullptr || SSL_set_fd(ssl_, socket_.fd()) != 1) {
    if (ssl_ != nullptr) SSL_free(ssl_);
    ssl_ = nullptr;
    throw ChannelError(core::ErrorCode::kNetwork, "cannot start TLS: " + openssl_reason());
  }
}

TlsChannel::~TlsChannel() {
  drop_buffers();
  if (ssl_ != nullptr) SSL_free(ssl_);
}

void TlsChannel::handshake(const std::string& host) {
  if (!ctx_.is_server() && ctx_.verify_hostname()) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
    in6_addr ip{};
    const bool is_ip =
        inet_pton(AF_INET, host.c_str(), &ip) == 1 || inet_pton(AF_INET6, host.c_str(), &ip) == 1;
    if (is_ip) {
      X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    } else {
      X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
      SSL_set_tlsext_host_name(ssl_, host.c_str());
    }
  }
  SigpipeBlock guard;
  const int ret = ctx_.is_server() ? SSL_accept(ssl_) : SSL_connect(ssl_);
  if (ret == 1) return;
  const long verify = SSL_get_verify_result(ssl_);
  if (!ctx_.is_server() && verify != X509_V_OK) {
    ERR_clear_error();
    throw ChannelError(core::ErrorCode::kNetwork,
                       std::string("TLS handshake failed: the server's certificate did not "
                                   "verify: ") +
                           X509_verify_cert_error_string(verify));
  }
  fail("TLS handshake", ret);
}

void TlsChannel::fail(const char* op, int ret) {
  const int err = SSL_get_error(ssl_, ret);
  const int sys = errno;
  std::string what = op;
  switch (err) {
    case SSL_ERROR_ZERO_RETURN:
      throw ChannelError(core::ErrorCode::kNetwork, what + ": the peer closed the connection");
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
      throw ChannelError(
          core::ErrorCode::kTimeout,
          what + ": no progress for " + std::to_string(options_.io_timeout.count()) + " ms");
    case SSL_ERROR_SYSCALL:
      ERR_clear_error();
      if (sys == EAGAIN || sys == EWOULDBLOCK) {
        throw ChannelError(
            core::ErrorCode::kTimeout,
            what + ": no progress for " + std::to_string(options_.io_timeout.count()) + " ms");
      }
      if (sys == 0 || sys == EPIPE || sys == ECONNRESET) {
        throw ChannelError(core::ErrorCode::kNetwork, what + ": the peer closed the connection");
      }
      throw_socket_error(what, sys);
    default:
      throw ChannelError(core::ErrorCode::kNetwork, what + ": " + openssl_reason());
  }
}

size_t TlsChannel::read_some(uint8_t* data, size_t n) {
  if (!socket_.valid()) throw ChannelError(core::ErrorCode::kNetwork, "recv on a closed channel");
  finish_deferred_handshake();
  size_t got = 0;
  errno = 0;
  const int ret = SSL_read_ex(ssl_, data, n, &got);
  if (ret == 1 && got > 0) return got;
  fail("TLS receive", ret);
}

void TlsChannel::write_all(const uint8_t* data, size_t n) {
  if (!socket_.valid()) throw ChannelError(core::ErrorCode::kNetwork, "send on a closed channel");
  finish_deferred_handshake();
  SigpipeBlock guard;
  while (n > 0) {
    size_t written = 0;
    errno = 0;
    const int ret = SSL_write_ex(ssl_, data, n, &written);
    if (ret != 1) fail("TLS send", ret);
    data += written;
    n -= written;
  }
}

void TlsChannel::close() {
  close_stream(socket_, [this] {
    SigpipeBlock guard;
    SSL_shutdown(ssl_);  // sends close_notify; the peer's is not awaited
    ERR_clear_error();
  });
}

std::string TlsChannel::protocol_version() const {
  return SSL_get_version(ssl_);
}

}  // namespace pg::mpc
