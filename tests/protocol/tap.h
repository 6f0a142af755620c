// TESTS ONLY. A connector that taps every connection a client opens: it records the bytes each
// way, and can rewrite whole outgoing frames (to replay a message, or to corrupt one) before
// they reach the server. Also: a frame parser for recorded streams, and a server running on a
// thread for the duration of a test.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/bytes.h"
#include "mpc/channel.h"
#include "protocol/server.h"
#include "protocol/transport.h"
#include "protocol/wire.h"

namespace pg::protocol::testing {

struct TapLog {
  std::mutex mu;
  core::Bytes sent, received;
};

// Returns the frame to send instead (same type), or nullopt to send it unchanged.
using Rewrite = std::function<std::optional<core::Bytes>(MsgType, const core::Bytes&)>;

// A link that dies once this many bytes went out, or came in (the next transfer throws).
struct Cut {
  size_t after_sent = SIZE_MAX;
  size_t after_received = SIZE_MAX;
};

class TapChannel final : public mpc::Channel {
 public:
  TapChannel(std::unique_ptr<mpc::Channel> inner, std::shared_ptr<TapLog> log, Rewrite rewrite,
             Cut cut = {})
      : inner_(std::move(inner)), log_(std::move(log)), rewrite_(std::move(rewrite)), cut_(cut) {}

  void send(const void* data, size_t n) override {
    const auto* p = static_cast<const uint8_t*>(data);
    pending_.insert(pending_.end(), p, p + n);
  }
  void flush() override {
    // Forward every complete frame; a partial one waits for the rest.
    size_t pos = 0;
    while (pending_.size() - pos >= kFrameHeader) {
      const uint8_t* h = pending_.data() + pos;
      const uint32_t len =
          uint32_t(h[4]) | uint32_t(h[5]) << 8 | uint32_t(h[6]) << 16 | uint32_t(h[7]) << 24;
      if (pending_.size() - pos < kFrameHeader + len) break;
      core::Bytes payload(h + kFrameHeader, h + kFrameHeader + len);
      core::Bytes frame(h, h + kFrameHeader + len);
      if (rewrite_) {
        if (auto alt = rewrite_(MsgType(h[3]), payload)) {
          const auto nh = encode_header(MsgType(h[3]), uint32_t(alt->size()));
          frame.assign(nh.begin(), nh.end());
          frame.insert(frame.end(), alt->begin(), alt->end());
        }
      }
      {
        std::lock_guard<std::mutex> lock(log_->mu);
        log_->sent.insert(log_->sent.end(), frame.begin(), frame.end());
        if (log_->sent.size() > cut_.after_sent) {
          throw mpc::ChannelError(core::ErrorCode::kNetwork, "test: the link was cut");
        }
      }
      inner_->send(frame.data(), frame.size());
      pos += kFrameHeader + len;
    }
    pending_.erase(pending_.begin(), pending_.begin() + long(pos));
    inner_->flush();
  }
  void recv(void* data, size_t n) override {
    flush();
    {
      std::lock_guard<std::mutex> lock(log_->mu);
      if (log_->received.size() + n > cut_.after_received) {
        throw mpc::ChannelError(core::ErrorCode::kNetwork, "test: the link was cut");
      }
    }
    inner_->recv(data, n);
    const auto* p = static_cast<const uint8_t*>(data);
    std::lock_guard<std::mutex> lock(log_->mu);
    log_->received.insert(log_->received.end(), p, p + n);
  }

 private:
  std::unique_ptr<mpc::Channel> inner_;
  std::shared_ptr<TapLog> log_;
  Rewrite rewrite_;
  Cut cut_;
  core::Bytes pending_;
};

class TapConnector final : public Connector {
 public:
  // cuts[i] applies to the i-th connection ([0] main, [1] preprocessing).
  explicit TapConnector(Connector& inner, Rewrite rewrite = {}, std::vector<Cut> cuts = {})
      : inner_(inner), rewrite_(std::move(rewrite)), cuts_(std::move(cuts)) {}
  core::Result<Link> connect() override {
    PG_TRY_ASSIGN(Link link, inner_.connect());
    auto log = std::make_shared<TapLog>();
    logs.push_back(log);
    const Cut cut = logs.size() <= cuts_.size() ? cuts_[logs.size() - 1] : Cut{};
    auto tap = std::make_unique<TapChannel>(std::move(link.channel), log, rewrite_, cut);
    Link out;
    out.close = [t = tap.get(), c = link.close] {
      t->flush();
      if (c) c();
    };
    out.abort = link.abort;
    out.peer = link.peer;
    out.channel = std::move(tap);
    return out;
  }
  std::vector<std::shared_ptr<TapLog>> logs;  // per connection: [0] main, [1] preprocessing

 private:
  Connector& inner_;
  Rewrite rewrite_;
  std::vector<Cut> cuts_;
};

struct ParsedFrame {
  MsgType type;
  core::Bytes payload;
};

// Splits a recorded stream into frames (stops at a partial frame).
inline std::vector<ParsedFrame> parse_frames(const core::Bytes& s) {
  std::vector<ParsedFrame> out;
  size_t pos = 0;
  while (s.size() - pos >= kFrameHeader) {
    const uint8_t* h = s.data() + pos;
    const uint32_t len =
        uint32_t(h[4]) | uint32_t(h[5]) << 8 | uint32_t(h[6]) << 16 | uint32_t(h[7]) << 24;
    if (s.size() - pos < kFrameHeader + len) break;
    out.push_back({MsgType(h[3]), core::Bytes(h + kFrameHeader, h + kFrameHeader + len)});
    pos += kFrameHeader + len;
  }
  return out;
}

// A server on its own thread for the lifetime of the object; collects the session reports.
class ServerThread {
 public:
  ServerThread(std::shared_ptr<const ServerModel> model, Acceptor& acceptor,
               ServerOptions options = {}) {
    options.poll_interval = std::chrono::milliseconds(20);
    options.on_session_end = [this](const SessionReport& r) {
      std::lock_guard<std::mutex> lock(mu_);
      reports_.push_back(r);
    };
    options.log = [this](const std::string& line) {
      std::lock_guard<std::mutex> lock(mu_);
      log_.push_back(line);
    };
    server_ = std::make_unique<Server>(std::move(model), acceptor, std::move(options));
    thread_ = std::thread([this] { server_->run(); });
  }
  ~ServerThread() {
    server_->request_stop();
    thread_.join();
  }
  Server& server() { return *server_; }
  // Waits (up to 30 s) until n sessions have ended; returns their reports.
  std::vector<SessionReport> reports(size_t n) {
    for (int i = 0; i < 3000; ++i) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (reports_.size() >= n) return reports_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::lock_guard<std::mutex> lock(mu_);
    return reports_;
  }
  std::vector<std::string> log() {
    std::lock_guard<std::mutex> lock(mu_);
    return log_;
  }

 private:
  std::mutex mu_;
  std::vector<SessionReport> reports_;
  std::vector<std::string> log_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

}  // namespace pg::protocol::testing
