// TLS 1.3 (OpenSSL) over a TCP connection, for `--tls-cert/--tls-key/--tls-ca`. The server
// presents a certificate chain and key; the client verifies it against a CA file and, unless
// told otherwise, checks that the certificate names the host it connected to (DNS name or IP).
// Timeouts and failures behave as on TcpChannel: ChannelError(kNetwork / kTimeout).
#pragma once

#include <memory>
#include <string>

#include "mpc/socket.h"
#include "mpc/stream_channel.h"

struct ssl_ctx_st;
struct ssl_st;

namespace pg::mpc {

struct TlsServerConfig {
  std::string cert_file;  // PEM certificate chain, leaf first
  std::string key_file;   // PEM private key
};

struct TlsClientConfig {
  std::string ca_file;          // PEM CA certificate(s) that must sign the server's certificate
  bool verify_hostname = true;  // check the certificate's names against the host connected to
};

// An SSL_CTX, created once and shared by the connections it makes. Files that do not load
// throw ChannelError(kIo) with OpenSSL's reason.
class TlsContext {
 public:
  static TlsContext server(const TlsServerConfig& config);
  static TlsContext client(const TlsClientConfig& config);
  ssl_ctx_st* get() const { return ctx_.get(); }
  bool is_server() const { return server_; }
  bool verify_hostname() const { return verify_hostname_; }

 private:
  std::shared_ptr<ssl_ctx_st> ctx_;
  bool server_ = false;
  bool verify_hostname_ = true;
};

class TlsChannel final : public StreamChannel {
 public:
  // Accepts a connection and runs the TLS handshake before returning.
  static std::unique_ptr<TlsChannel> accept(TcpListener& listener, const TlsContext& ctx,
                                            std::chrono::milliseconds accept_timeout,
                                            const TcpOptions& options = {});
  // Accepts a connection without reading from it: the handshake runs in the first send or recv,
  // so a server's accept loop never waits on a slow or silent client (its handshake then counts
  // against whatever deadline the thread that serves the connection sets).
  static std::unique_ptr<TlsChannel> accept_deferred(TcpListener& listener, const TlsContext& ctx,
                                                     std::chrono::milliseconds accept_timeout,
                                                     const TcpOptions& options = {});
  static std::unique_ptr<TlsChannel> connect(const std::string& host, uint16_t port,
                                             const TlsContext& ctx, const TcpOptions& options = {});
  ~TlsChannel() override;

  // Flushes, sends the TLS close_notify, closes the socket.
  void close();
  // The negotiated protocol, e.g. "TLSv1.3".
  std::string protocol_version() const;
  // The socket, for shutdown() from another thread to wake a blocked recv; owned by the channel.
  int fd() const { return socket_.fd(); }

 protected:
  size_t read_some(uint8_t* data, size_t n) override;
  void write_all(const uint8_t* data, size_t n) override;

 private:
  TlsChannel(Socket socket, const TlsContext& ctx, const TcpOptions& options);
  void handshake(const std::string& host);
  void finish_deferred_handshake();
  [[noreturn]] void fail(const char* op, int ret);

  Socket socket_;
  TlsContext ctx_;
  TcpOptions options_;
  ssl_st* ssl_ = nullptr;
  bool handshake_pending_ = false;
};

}  // namespace pg::mpc
