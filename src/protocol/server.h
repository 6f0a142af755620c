// The server process: accepts connections, starts a session per client (at most max_sessions at
// once; the next client gets a kError saying the server is busy), and routes each session's
// second connection to it. Every connection runs on its own thread; a failing session ends
// alone, and the server keeps serving the others.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "protocol/server_model.h"
#include "protocol/server_session.h"
#include "protocol/transport.h"

namespace pg::protocol {

struct ServerOptions {
  size_t pool = 4;          // unused preprocessing sets a session may hold
  size_t max_sessions = 4;  // concurrent sessions
  bool label_only = false;  // sessions answer only with the top-1 label (an argmax circuit)
  std::chrono::milliseconds wait_timeout{120'000};
  // A connection must finish its hello (and a new session its handshake, key material
  // included) within this long, however it trickles its bytes; else it is dropped.
  std::chrono::milliseconds handshake_timeout{120'000};
  std::chrono::milliseconds poll_interval{200};  // how often run() checks for a stop request
  std::function<void(const std::string&)> log;   // one line per event (thread-safe calls)
  std::function<void(const SessionReport&)> on_session_end;
};

class Server {
 public:
  // The acceptor must outlive the server.
  Server(std::shared_ptr<const ServerModel> model, Acceptor& acceptor, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Serves until request_stop(); then aborts the sessions still open and joins every thread.
  void run();
  // Safe from any thread and from a signal handler.
  void request_stop() noexcept { stop_.store(true); }

  size_t active_sessions() const;
  uint64_t sessions_started() const;

 private:
  struct Worker {
    std::thread thread;
    std::atomic<bool> done{false};
    Connection* conn = nullptr;  // while handle() runs (guarded by mu_)
  };
  void spawn(Link link);
  void handle(Worker& w, Link link);
  // Aborts the connections past their handshake deadline (all of them when `all`).
  void abort_connections(bool all);
  void reap(bool all);
  void log(const std::string& line) const;
  std::shared_ptr<ServerSession> find(uint64_t id);

  std::shared_ptr<const ServerModel> model_;
  Acceptor& acceptor_;
  ServerOptions options_;
  std::atomic<bool> stop_{false};

  mutable std::mutex mu_;
  std::map<uint64_t, std::shared_ptr<ServerSession>> sessions_;
  uint64_t next_session_ = 1;
  std::list<Worker> workers_;
};

}  // namespace pg::protocol
