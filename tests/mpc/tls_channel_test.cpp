#include "mpc/tls_channel.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <thread>

#include "mpc/tcp_channel.h"

namespace pg::mpc {
namespace {

namespace fs = std::filesystem;

// A throw-away PKI: a CA, and a server certificate it signs for `names` (by default localhost
// and 127.0.0.1).
class TestPki {
 public:
  explicit TestPki(const std::string& tag, const char* names = "DNS:localhost,IP:127.0.0.1") {
    dir_ = fs::temp_directory_path() / ("pg_tls_" + tag + "_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    EVP_PKEY* ca_key = EVP_EC_gen("P-256");
    EVP_PKEY* server_key = EVP_EC_gen("P-256");
    X509* ca = make_cert(ca_key, ca_key, nullptr, "pangolin test CA", nullptr);
    X509* server = make_cert(server_key, ca_key, ca, "localhost", names);
    write_cert(ca, ca_file());
    write_cert(server, cert_file());
    FILE* f = std::fopen(key_file().c_str(), "w");
    PEM_write_PrivateKey(f, server_key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    X509_free(ca);
    X509_free(server);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(server_key);
  }
  ~TestPki() { fs::remove_all(dir_); }

  std::string ca_file() const { return (dir_ / "ca.pem").string(); }
  std::string cert_file() const { return (dir_ / "server.pem").string(); }
  std::string key_file() const { return (dir_ / "server.key").string(); }

 private:
  // names == nullptr makes a CA certificate.
  static X509* make_cert(EVP_PKEY* key, EVP_PKEY* signer, X509* issuer, const char* cn,
                         const char* names) {
    static long serial = 1;
    X509* x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, key);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const uint8_t*>(cn), -1,
                               -1, 0);
    X509_set_issuer_name(x, issuer != nullptr ? X509_get_subject_name(issuer) : name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer != nullptr ? issuer : x, x, nullptr, nullptr, 0);
    auto add = [&](int nid, const char* value) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      X509_add_ext(x, ext, -1);
      X509_EXTENSION_free(ext);
    };
    if (names == nullptr) {
      add(NID_basic_constraints, "critical,CA:TRUE");
      add(NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
      add(NID_basic_constraints, "CA:FALSE");
      add(NID_subject_alt_name, names);
    }
    X509_sign(x, signer, EVP_sha256());
    return x;
  }
  static void write_cert(X509* x, const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "w");
    PEM_write_X509(f, x);
    std::fclose(f);
  }
  fs::path dir_;
};

TEST(TlsChannel, Tls13RoundTripWithVerifiedServer) {
  TestPki pki("ok");
  const TlsContext server_ctx = TlsContext::server({pki.cert_file(), pki.key_file()});
  const TlsContext client_ctx = TlsContext::client({pki.ca_file(), true});
  TcpListener listener = TcpListener::listen("127.0.0.1", 0);
  const size_t n = size_t{3} << 20;
  std::vector<uint8_t> data(n), got(n), back(n);
  for (size_t i = 0; i < n; ++i) data[i] = static_cast<uint8_t>(i ^ (i >> 9));
  std::string version;
  std::thread server([&] {
    auto ch = TlsChannel::accept(listener, server_ctx, std::chrono::seconds(10));
    ch->recv(got.data(), n);
    ch->send(got.data(), n);
    ch->close();
  });
  for (const char* host : {"127.0.0.1"}) {
    auto ch = TlsChannel::connect(host, listener.port(), client_ctx);
    version = ch->protocol_version();
    ch->send(data.data(), n);
    ch->recv(back.data(), n);
    uint8_t x;
    EXPECT_THROW(ch->recv(&x, 1), ChannelError);  // the server closed after its reply
  }
  server.join();
  EXPECT_EQ(version, "TLSv1.3");
  EXPECT_EQ(got, data);
  EXPECT_EQ(back, data);
}

TEST(TlsChannel, UntrustedServerIsRejected) {
  TestPki pki("srv");
  TestPki other("other");  // a different CA
  const TlsContext server_ctx = TlsContext::server({pki.cert_file(), pki.key_file()});
  const TlsContext client_ctx = TlsContext::client({other.ca_file(), true});
  TcpListener listener = TcpListener::listen("127.0.0.1", 0);
  std::thread server([&] {
    EXPECT_THROW(TlsChannel::accept(listener, server_ctx, std::chrono::seconds(10)), ChannelError);
  });
  try {
    TlsChannel::connect("127.0.0.1", listener.port(), client_ctx);
    ADD_FAILURE() << "the handshake should fail";
  } catch (const ChannelError& e) {
    EXPECT_EQ(e.code(), core::ErrorCode::kNetwork);
    EXPECT_NE(std::string(e.what()).find("did not verify"), std::string::npos) << e.what();
  }
  server.join();
}

// A certificate from the trusted CA, but for other names: refused unless the client turned the
// host check off.
TEST(TlsChannel, CertificateForAnotherHostIsRejected) {
  TestPki pki("name", "DNS:example.org,IP:10.9.8.7");
  const TlsContext server_ctx = TlsContext::server({pki.cert_file(), pki.key_file()});
  for (const bool check : {true, false}) {
    SCOPED_TRACE(check);
    const TlsContext client_ctx = TlsContext::client({pki.ca_file(), check});
    TcpListener listener = TcpListener::listen("127.0.0.1", 0);
    std::thread server([&] {
      try {
        auto ch = TlsChannel::accept(listener, server_ctx, std::chrono::seconds(10));
        uint8_t x = 0;
        ch->recv(&x, 1);
        ch->send(&x, 1);
        ch->close();
      } catch (const ChannelError&) {
        EXPECT_TRUE(check) << "the server failed although the client does not check names";
      }
    });
    try {
      auto ch = TlsChannel::connect("127.0.0.1", listener.port(), client_ctx);
      uint8_t x = 7;
      ch->send(&x, 1);
      ch->recv(&x, 1);
      EXPECT_FALSE(check) << "a certificate for example.org was accepted for 127.0.0.1";
      EXPECT_EQ(x, 7);
    } catch (const ChannelError& e) {
      EXPECT_TRUE(check) << e.what();
      EXPECT_EQ(e.code(), core::ErrorCode::kNetwork);
      EXPECT_NE(std::string(e.what()).find("did not verify"), std::string::npos) << e.what();
    }
    server.join();
  }
}

// A server's accept loop must not wait on a client that connects and says nothing: the
// deferred accept returns at once, and the handshake runs in the first read, in the thread that
// serves the connection.
TEST(TlsChannel, DeferredAcceptDoesNotWaitForTheHandshake) {
  TestPki pki("deferred");
  const TlsContext server_ctx = TlsContext::server({pki.cert_file(), pki.key_file()});
  const TlsContext client_ctx = TlsContext::client({pki.ca_file(), true});
  TcpListener listener = TcpListener::listen("127.0.0.1", 0);
  TcpOptions io;
  io.io_timeout = std::chrono::seconds(20);
  auto silent = TcpChannel::connect("127.0.0.1", listener.port(), io);  // never speaks TLS
  const auto t0 = std::chrono::steady_clock::now();
  auto first = TlsChannel::accept_deferred(listener, server_ctx, std::chrono::seconds(5), io);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));

  std::thread client([&] {
    auto ch = TlsChannel::connect("127.0.0.1", listener.port(), client_ctx, io);
    uint8_t x = 42;
    ch->send(&x, 1);
    ch->flush();
    ch->recv(&x, 1);
    EXPECT_EQ(x, 43);
  });
  auto second = TlsChannel::accept_deferred(listener, server_ctx, std::chrono::seconds(5), io);
  uint8_t x = 0;
  second->recv(&x, 1);  // the handshake, then the byte
  EXPECT_EQ(x, 42);
  EXPECT_EQ(second->protocol_version(), "TLSv1.3");
  x = 43;
  second->send(&x, 1);
  second->flush();
  client.join();

  silent->close();  // the silent peer leaves: the pending handshake fails in the first read
  EXPECT_THROW(first->recv(&x, 1), ChannelError);
  try {
    (void)TlsChannel::accept_deferred(listener, client_ctx, std::chrono::seconds(1), io);
    ADD_FAILURE() << "a client context was accepted for a server's accept";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "TlsChannel::accept needs a server context");
  }
}

TEST(TlsChannel, MissingFilesAreReported) {
  try {
    TlsContext::server({"/nonexistent/cert.pem", "/nonexistent/key.pem"});
    ADD_FAILURE() << "expected an error";
  } catch (const ChannelError& e) {
    EXPECT_EQ(e.code(), core::ErrorCode::kIo);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/cert.pem"), std::string::npos);
  }
  EXPECT_THROW(TlsContext::client({"/nonexistent/ca.pem", true}), ChannelError);
}

}  // namespace
}  // namespace pg::mpc
