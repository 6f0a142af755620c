// One client's session on the server: the handshake and the online loop on the main
// connection, the preprocessing loop on the joined second connection (a thread each), and
// between them the store of prepared sets.
//
// Invariants: a set id is prepared at most once (ids are consecutive from 0) and taken at most
// once (taking removes it; a second kInput with that id is refused and ends the session); at most
// `pool` prepared sets wait unused. A failure in either thread ends the session: the thread
// tells the peer on its own connection (kError) and aborts the other connection; other sessions
// are not affected.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/prg.h"
#include "core/result.h"
#include "mpc/counting_channel.h"
#include "mpc/session.h"
#include "protocol/connection.h"
#include "protocol/material.h"
#include "protocol/messages.h"
#include "protocol/server_model.h"

namespace pg::protocol {

// What a session did, from the server's side (sent = server → client).
struct SessionReport {
  uint64_t id = 0;
  bool ok = true;
  std::string error;  // the first error, if any
  size_t sets_prepared = 0;
  size_t inferences = 0;
  mpc::TrafficStats handshake, preprocess, online;
  std::vector<mpc::TrafficStats> online_per_inference;
  std::vector<double> online_affine_seconds;  // per inference: the affine steps' wall time
};

struct SessionConfig {
  size_t pool = 4;
  std::chrono::milliseconds wait_timeout{120'000};  // for a set or for room in the pool
  std::function<void(const std::string&)> log;
  bool label_only = false;  // refuse inputs that ask for the logits
};

class ServerSession {
 public:
  ServerSession(uint64_t id, std::shared_ptr<const ServerModel> model, SessionConfig config);
  ~ServerSession();

  uint64_t id() const { return id_; }
  // Checks a join request's token (constant time) and claims the preprocessing slot.
  bool claim_join(const JoinToken& token);

  // The main connection, after its kHello was read: handshake, then inferences until kBye.
  void run_main(Connection& conn, const Hello& hello);
  // The joined preprocessing connection, after its kHello was read: base OTs, then sets.
  void run_prep(Connection& conn);
  // Ends the session from outside (server shutdown).
  void abort();

  bool finished() const;
  SessionReport report() const;

 private:
  core::Status handshake(Connection& conn, const Hello& hello);
  core::Status online_loop(Connection& conn);
  core::Status prep_loop(Connection& conn);
  core::Result<ServerSet> take_set(uint64_t id);
  core::Status wait_for_room();
  // Runs fn on conn; any failure ends the session (see the header comment).
  void guarded(Connection& conn, const char* where, const std::function<core::Status()>& fn);
  void fail(const core::Error& e, Connection* origin);
  void log(const std::string& line) const;
  bool is_ended() const;

  const uint64_t id_;
  std::shared_ptr<const ServerModel> model_;
  SessionConfig config_;
  JoinToken token_{};
  core::Prg prg_;
  std::unique_ptr<HeSessionKeys> keys_;
  mpc::GarblerSession gc_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, ServerSet> ready_;
  uint64_t next_id_ = 0;  // the id the next kPrepBegin must carry
  std::optional<uint64_t> preparing_;
  bool keys_ready_ = false;
  bool joined_ = false;
  bool main_done_ = false, prep_done_ = false;
  bool ended_ = false;
  Connection* main_conn_ = nullptr;
  Connection* prep_conn_ = nullptr;
  SessionReport report_;
};

}  // namespace pg::protocol
