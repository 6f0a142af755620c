// Runs the two parties of a test in one process: the first on the calling thread, the second on
// a new one, over an in-memory pair or TCP on loopback. A party that throws closes its end, so
// the other fails fast instead of waiting for its timeout; the first exception is rethrown.
#pragma once

#include <openssl/evp.h>

#include <exception>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "mpc/memory_channel.h"
#include "mpc/tcp_channel.h"
#include "test_util.h"

namespace pg::mpc::test {

// Hashes everything one party sends (SHA-256), for transcript comparisons.
class HashingChannel final : public Channel {
 public:
  explicit HashingChannel(Channel& inner) : inner_(inner), ctx_(EVP_MD_CTX_new()) {
    EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr);
  }
  ~HashingChannel() override { EVP_MD_CTX_free(ctx_); }
  void send(const void* data, size_t n) override {
    EVP_DigestUpdate(ctx_, data, n);
    inner_.send(data, n);
  }
  void recv(void* data, size_t n) override { inner_.recv(data, n); }
  void flush() override { inner_.flush(); }
  std::string hex() {
    std::vector<uint8_t> d(32);
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_, d.data(), &len);
    return pg::test::to_hex(d);
  }

 private:
  Channel& inner_;
  EVP_MD_CTX* ctx_;
};

using Party = std::function<void(Channel&)>;

inline void run_memory(const Party& a, const Party& b,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  auto [ca, cb] = MemoryChannel::make_pair({timeout, size_t{1} << 16});
  std::exception_ptr eb;
  std::thread t([&, cbp = cb.get()] {
    try {
      b(*cbp);
      cbp->flush();
    } catch (...) {
      eb = std::current_exception();
      cbp->close();
    }
  });
  std::exception_ptr ea;
  try {
    a(*ca);
    ca->flush();
  } catch (...) {
    ea = std::current_exception();
    ca->close();
  }
  t.join();
  if (ea) std::rethrow_exception(ea);
  if (eb) std::rethrow_exception(eb);
}

// a is the server (accepts), b the client (connects), over 127.0.0.1 on an ephemeral port.
inline void run_tcp(const Party& a, const Party& b, const TcpOptions& options = {}) {
  TcpListener listener = TcpListener::listen("127.0.0.1", 0);
  const uint16_t port = listener.port();
  std::exception_ptr eb;
  std::thread t([&] {
    try {
      auto ch = TcpChannel::connect("127.0.0.1", port, options);
      b(*ch);
      ch->close();
    } catch (...) {
      eb = std::current_exception();
    }
  });
  std::exception_ptr ea;
  try {
    auto ch = TcpChannel::accept(listener, std::chrono::seconds(10), options);
    a(*ch);
    ch->close();
  } catch (...) {
    ea = std::current_exception();
  }
  t.join();
  if (ea) std::rethrow_exception(ea);
  if (eb) std::rethrow_exception(eb);
}

}  // namespace pg::mpc::test
