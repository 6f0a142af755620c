#include "protocol/server_session.h"

#include "core/secure.h"
#include "core/version.h"
#include "mpc/channel.h"

namespace pg::protocol {

using core::ErrorCode;
using core::make_error;

namespace {

mpc::TrafficStats diff(const mpc::TrafficStats& a, const mpc::TrafficStats& b) {
  return {a.bytes_sent - b.bytes_sent, a.bytes_received - b.bytes_received, a.rounds - b.rounds};
}

}  // namespace

ServerSession::ServerSession(uint64_t id, std::shared_ptr<const ServerModel> model,
                             SessionConfig config)
    : id_(id), model_(std::move(model)), config_(std::move(config)), prg_(core::Prg::from_os()) {
  prg_.fill(token_);
  report_.id = id;
}

ServerSession::~ServerSession() {
  core::secure_zero(token_.data(), token_.size());
}

void ServerSession::log(const std::string& line) const {
  if (config_.log) config_.log("session " + std::to_string(id_) + ": " + line);
}

bool ServerSession::claim_join(const JoinToken& token) {
  std::lock_guard<std::mutex> lock(mu_);
  const bool match = core::ct_memeq(token.data(), token_.data(), token_.size());
  if (!match || joined_ || !keys_ready_ || ended_) return false;
  joined_ = true;
  return true;
}

void ServerSession::fail(const core::Error& e, Connection* origin) {
  Connection* other = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (report_.ok) {
      report_.ok = false;
      report_.error = e.message;
    }
    ended_ = true;
    other = origin == main_conn_ ? prep_conn_ : main_conn_;
    if (other != nullptr) other->abort();
  }
  cv_.notify_all();
  log("ended with an error: " + e.message);
}

void ServerSession::abort() {
  std::lock_guard<std::mutex> lock(mu_);
  ended_ = true;
  if (main_conn_ != nullptr) main_conn_->abort();
  if (prep_conn_ != nullptr) prep_conn_->abort();
  cv_.notify_all();
}

void ServerSession::guarded(Connection& conn, const char* where,
                            const std::function<core::Status()>& fn) {
  core::Status st;
  bool tell_peer = true;
  try {
    st = fn();
  } catch (const mpc::ChannelError& e) {
    st = e.to_error();
    tell_peer = false;  // the connection is broken, or the peer already said why
  } catch (const std::exception& e) {
    st = make_error(ErrorCode::kProtocol, e.what());
  }
  if (st.ok()) return;
  bool already_ended;
  {
    std::lock_guard<std::mutex> lock(mu_);
    already_ended = ended_ && report_.ok == false;
  }
  if (already_ended) return;  // woken by the other connection's failure: nothing new to report
  if (tell_peer) conn.send_error(std::string(where) + ": " + st.error().message);
  fail(make_error(st.error().code, std::string(where) + ": " + st.error().message), &conn);
}

void ServerSession::run_main(Connection& conn, const Hello& hello) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    main_conn_ = &conn;
  }
  guarded(conn, "handshake", [&] { return handshake(conn, hello); });
  if (!is_ended()) guarded(conn, "online", [&] { return online_loop(conn); });
  {
    std::lock_guard<std::mutex> lock(mu_);
    report_.handshake += conn.phase_stats("handshake");
    report_.online += conn.phase_stats("online");
    main_conn_ = nullptr;
    main_done_ = true;
    ended_ = true;
    if (prep_conn_ != nullptr) prep_conn_->abort();
  }
  cv_.notify_all();
}

void ServerSession::run_prep(Connection& conn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    prep_conn_ = &conn;
  }
  guarded(conn, "preprocessing", [&] { return prep_loop(conn); });
  std::lock_guard<std::mutex> lock(mu_);
  report_.handshake += conn.phase_stats("handshake");
  report_.preprocess += conn.phase_stats("preprocess");
  prep_conn_ = nullptr;
  prep_done_ = true;
  ready_.clear();  // unused sets are wiped with the session
  cv_.notify_all();
}

bool ServerSession::is_ended() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ended_;
}

bool ServerSession::finished() const {
  std::lock_guard<std::mutex> lock(mu_);
  return main_done_ && (prep_done_ || !joined_);
}

SessionReport ServerSession::report() const {
  std::lock_guard<std::mutex> lock(mu_);
  return report_;
}

core::Status ServerSession::handshake(Connection& conn, const Hello& hello) {
  conn.set_phase("handshake");
  log("new session (client " + hello.client_version + ")");
  Welcome w;
  w.session_id = id_;
  w.token = token_;
  w.pool_limit = config_.pool;
  w.he_scheme = model_->he_options().scheme;
  w.he_packing = model_->he_options().packing;
  w.he_setup = model_->he().setup_digest();
  w.label_only = config_.label_only;
  w.architecture = model_->architecture_bytes();
  conn.send_msg(MsgType::kArchitecture, encode_welcome(w));
  PG_TRY_ASSIGN(auto material, conn.recv_msg(MsgType::kPublicKey, kMaxPublicKey));
  auto keys = model_->he().parse_keys(material);
  if (!keys.ok()) {
    return make_error(keys.error().code, "the client's public key: " + keys.error().message);
  }
  keys_ = std::move(keys).value();
  {
    std::lock_guard<std::mutex> lock(mu_);
    keys_ready_ = true;
  }
  conn.send_msg(MsgType::kReady, {});
  conn.clear_deadline();  // the handshake is done: from here the session's own timeouts apply
  return {};
}

core::Result<ServerSet> ServerSession::take_set(uint64_t id) {
  std::unique_lock<std::mutex> lock(mu_);
  const auto deadline = std::chrono::steady_clock::now() + config_.wait_timeout;
  for (;;) {
    if (ended_) return make_error(ErrorCode::kProtocol, "the session is ending");
    auto it = ready_.find(id);
    if (it != ready_.end()) {
      ServerSet set = std::move(it->second);
      ready_.erase(it);
      cv_.notify_all();
      return set;
    }
    if (id >= next_id_) {
      return make_error(ErrorCode::kProtocol,
                        "preprocessing set " + std::to_string(id) + " was never prepared");
    }
    if (!preparing_ || *preparing_ != id) {
      return make_error(ErrorCode::kProtocol, "preprocessing set " + std::to_string(id) +
                                                  " was already used: a set serves exactly one "
                                                  "inference, the second use is refused");
    }
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
      return make_error(ErrorCode::kTimeout,
                        "preprocessing set " + std::to_string(id) + " was not ready in time");
    }
  }
}

core::Status ServerSession::online_loop(Connection& conn) {
  conn.set_phase("online");
  const nn::Plan& plan = model_->plan();
  const size_t in_size = plan.tensors[plan.input].size();
  const uint32_t max_input = uint32_t(kMaxSmallMessage + in_size * 8);
  const Accept accepted[] = {
      {MsgType::kInput, max_input}, {MsgType::kKeepAlive, 0}, {MsgType::kBye, 0}};
  for (;;) {
    const auto before = conn.total();
    PG_TRY_ASSIGN(Frame f, conn.recv_any(accepted));
    if (f.type == MsgType::kKeepAlive) continue;
    if (f.type == MsgType::kBye) {
      conn.send_msg(MsgType::kBye, {});
      log("closed by the client");
      return {};
    }
    PG_TRY_ASSIGN(InputMsg input, decode_input(f.payload, in_size, plan.ell));
    if (config_.label_only && input.mode != OutputMode::kLabel) {
      return make_error(ErrorCode::kProtocol,
                        "this server reveals only the top-1 label, and the client asked for the "
                        "logits");
    }
    PG_TRY_ASSIGN(ServerSet set, take_set(input.set_id));
    double affine_seconds = 0;
    PG_TRY(server_online(conn, plan, model_->affine(), set, input, &affine_seconds));
    std::lock_guard<std::mutex> lock(mu_);
    report_.inferences++;
    report_.online_affine_seconds.push_back(affine_seconds);
    report_.online_per_inference.push_back(diff(conn.total(), before));
  }
}

core::Status ServerSession::wait_for_room() {
  std::unique_lock<std::mutex> lock(mu_);
  const bool room = cv_.wait_for(lock, config_.wait_timeout,
                                 [&] { return ended_ || ready_.size() < config_.pool; });
  if (ended_) return make_error(ErrorCode::kProtocol, "the session is ending");
  if (!room) {
    return make_error(ErrorCode::kProtocol, "the client asked for more than " +
                                                std::to_string(config_.pool) +
                                                " unused preprocessing sets");
  }
  return {};
}

core::Status ServerSession::prep_loop(Connection& conn) {
  conn.set_phase("handshake");
  conn.send_msg(MsgType::kReady, {});
  gc_.setup(conn.stream());
  conn.stream().flush();
  conn.set_phase("preprocess");
  const Accept accepted[] = {
      {MsgType::kPrepBegin, kMaxSmallMessage}, {MsgType::kKeepAlive, 0}, {MsgType::kBye, 0}};
  for (;;) {
    PG_TRY_ASSIGN(Frame f, conn.recv_any(accepted));
    if (f.type == MsgType::kKeepAlive) continue;
    if (f.type == MsgType::kBye) {
      conn.send_msg(MsgType::kBye, {});
      return {};
    }
    PG_TRY_ASSIGN(uint64_t id, decode_set_id(f.payload));
    if (id != next_id_) {
      return make_error(
          ErrorCode::kProtocol,
          "expected preprocessing set " + std::to_string(next_id_) + ", got " + std::to_string(id));
    }
    PG_TRY(wait_for_room());
    {
      std::lock_guard<std::mutex> lock(mu_);
      preparing_ = id;
      next_id_ = id + 1;
    }
    auto set = server_prepare_set(conn, gc_, model_->he(), *keys_, model_->schedule(), prg_, id);
    std::lock_guard<std::mutex> lock(mu_);
    preparing_.reset();
    cv_.notify_all();
    if (!set.ok()) return set.error();
    ready_.emplace(id, std::move(set).value());
    report_.sets_prepared++;
  }
}

}  // namespace pg::protocol
