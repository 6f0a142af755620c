#include "protocol/server.h"

#include "mpc/channel.h"

namespace pg::protocol {

using core::ErrorCode;
using core::make_error;

namespace {

// Connections beyond this many handler threads are refused without reading them.
size_t max_workers(const ServerOptions& o) {
  return 2 * o.max_sessions + 4;
}

}  // namespace

Server::Server(std::shared_ptr<const ServerModel> model, Acceptor& acceptor, ServerOptions options)
    : model_(std::move(model)), acceptor_(acceptor), options_(std::move(options)) {
  if (options_.pool == 0 || options_.pool > kMaxPoolSize) {
    throw std::invalid_argument("Server: the pool size must be in [1, " +
                                std::to_string(kMaxPoolSize) + "]");
  }
  if (options_.max_sessions == 0) throw std::invalid_argument("Server: max_sessions is 0");
}

Server::~Server() {
  request_stop();
  reap(true);
}

void Server::log(const std::string& line) const {
  if (options_.log) options_.log(line);
}

size_t Server::active_sessions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

uint64_t Server::sessions_started() const {
  std::lock_guard<std::mutex> lock(mu_);
  return next_session_ - 1;
}

void Server::run() {
  while (!stop_.load()) {
    auto link = acceptor_.accept(options_.poll_interval);
    abort_connections(false);
    reap(false);
    if (!link.ok()) {
      log("a connection failed while being set up: " + link.error().message);
      continue;
    }
    if (link.value()) spawn(std::move(*link.value()));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [id, s] : sessions_) s->abort();
  }
  abort_connections(true);  // also those that have not sent their hello yet
  reap(true);
}

void Server::abort_connections(bool all) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  for (Worker& w : workers_) {
    if (w.conn == nullptr || !(all || w.conn->past_deadline(now))) continue;
    if (!all) {
      log("dropped a connection from " + w.conn->peer() + ": no hello and handshake within " +
          std::to_string(options_.handshake_timeout.count() / 1000) + " s");
    }
    w.conn->clear_deadline();
    w.conn->abort();
  }
}

void Server::spawn(Link link) {
  std::lock_guard<std::mutex> lock(mu_);
  if (workers_.size() >= max_workers(options_)) {
    Connection conn(std::move(link));
    conn.send_error("the server is busy (too many connections); try again later");
    log("refused a connection: too many connections");
    return;
  }
  workers_.emplace_back();
  Worker& w = workers_.back();
  w.thread = std::thread([this, &w, l = std::make_shared<Link>(std::move(link))]() mutable {
    handle(w, std::move(*l));
    w.done.store(true);
  });
}

void Server::reap(bool all) {
  std::list<Worker> finished;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = workers_.begin(); it != workers_.end();) {
      if (all || it->done.load()) {
        auto next = std::next(it);
        finished.splice(finished.end(), workers_, it);
        it = next;
      } else {
        ++it;
      }
    }
  }
  for (auto& w : finished) w.thread.join();
}

std::shared_ptr<ServerSession> Server::find(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second;
}

void Server::handle(Worker& w, Link link) {
  Connection conn(std::move(link));
  conn.set_deadline(std::chrono::steady_clock::now() + options_.handshake_timeout);
  {
    std::lock_guard<std::mutex> lock(mu_);
    w.conn = &conn;
  }
  struct Unregister {
    Server& s;
    Worker& w;
    ~Unregister() {
      std::lock_guard<std::mutex> lock(s.mu_);
      w.conn = nullptr;
    }
  } unregister{*this, w};
  conn.set_phase("handshake");
  core::Result<Hello> hello = core::make_error(ErrorCode::kProtocol, "no hello");
  try {
    auto bytes = conn.recv_msg(MsgType::kHello, kMaxHello);
    hello = bytes.ok() ? decode_hello(bytes.value()) : core::Result<Hello>(bytes.error());
  } catch (const mpc::ChannelError& e) {
    log("a connection ended before its hello: " + std::string(e.what()));
    return;
  }
  if (!hello.ok()) {
    log("a connection sent a bad hello: " + hello.error().message);
    conn.send_error("hello: " + hello.error().message);
    return;
  }
  const Hello& h = hello.value();
  std::shared_ptr<ServerSession> session;
  if (h.role == HelloRole::kJoin) {
    session = find(h.session_id);
    if (!session || !session->claim_join(h.token)) {
      log("refused a join for session " + std::to_string(h.session_id));
      conn.send_error("no session " + std::to_string(h.session_id) +
                      " is waiting for this preprocessing connection");
      return;
    }
    conn.clear_deadline();  // a joined connection has no handshake of its own
    session->run_prep(conn);
  } else {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (sessions_.size() >= options_.max_sessions) {
        conn.send_error("the server is at its limit of " + std::to_string(options_.max_sessions) +
                        " concurrent sessions; try again later");
        log("refused a session: at the limit of " + std::to_string(options_.max_sessions));
        return;
      }
      const uint64_t id = next_session_++;
      session = std::make_shared<ServerSession>(
          id, model_,
          SessionConfig{options_.pool, options_.wait_timeout, options_.log, options_.label_only});
      sessions_.emplace(id, session);
    }
    session->run_main(conn, h);
  }
  conn.close();
  // The last of the session's two threads to finish reports it and frees its slot.
  if (!session->finished()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (sessions_.erase(session->id()) == 0) return;
  }
  if (options_.on_session_end) options_.on_session_end(session->report());
}

}  // namespace pg::protocol
