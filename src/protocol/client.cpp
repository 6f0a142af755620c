#include "protocol/client.h"

#include <algorithm>
#include <stdexcept>

#include "core/thread_pool.h"
#include "core/version.h"
#include "mpc/channel.h"
#include "nn/fixed_point.h"

namespace pg::protocol {

using core::ErrorCode;
using core::make_error;

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

StageStats stage(const std::string& name, double seconds, const mpc::TrafficStats& t) {
  return {name, seconds, t.bytes_sent, t.bytes_received, t.rounds};
}

mpc::TrafficStats diff(const mpc::TrafficStats& a, const mpc::TrafficStats& b) {
  return {a.bytes_sent - b.bytes_sent, a.bytes_received - b.bytes_received, a.rounds - b.rounds};
}

// Sends kBye and waits for the server's, on a connection nobody else uses any more.
core::Status say_bye(Connection& conn) {
  conn.send_msg(MsgType::kBye, {});
  PG_TRY(conn.recv_msg(MsgType::kBye, 0));
  return {};
}

// "stage: message", except for the peer's own report, which already names its stage.
core::Error in_stage(const char* stage_name, const core::Error& e) {
  if (is_peer_report(e)) return e;
  return make_error(e.code, std::string(stage_name) + ": " + e.message);
}

}  // namespace

core::Result<std::unique_ptr<Client>> Client::connect(Connector& connector, ClientOptions options) {
  std::unique_ptr<Client> c(new Client());
  c->options_ = std::move(options);
  core::Status st;
  try {
    st = c->handshake(connector);
  } catch (const mpc::ChannelError& e) {
    st = e.to_error();
  }
  if (!st.ok()) {
    c->closed_ = true;
    return in_stage("handshake", st.error());
  }
  c->start_threads();
  return c;
}

core::Status Client::handshake(Connector& connector) {
  const auto t0 = Clock::now();
  PG_TRY_ASSIGN(Link link, connector.connect());
  main_ = std::make_unique<Connection>(std::move(link));
  main_->set_phase("handshake");
  Hello hello;
  hello.client_version = PG_VERSION;
  hello.pool = std::clamp<uint64_t>(options_.pool, 1, kMaxPoolSize);
  main_->send_msg(MsgType::kHello, encode_hello(hello));
  PG_TRY_ASSIGN(auto bytes, main_->recv_msg(MsgType::kArchitecture, kMaxArchitecture + 256));
  PG_TRY_ASSIGN(Welcome w, decode_welcome(bytes));
  auto refuse = [&](core::Error e) {
    main_->send_error("the client refuses the session: " + e.message);
    return e;
  };
  core::ByteReader r(w.architecture);
  auto arch = nn::read_architecture(r);
  if (!arch.ok())
    return refuse(make_error(arch.error().code, "architecture: " + arch.error().message));
  if (auto end = r.expect_end(); !end.ok()) return refuse(end.error());
  hash_ = nn::architecture_hash(arch.value());
  if (options_.expected_hash && *options_.expected_hash != hash_) {
    return refuse(make_error(ErrorCode::kMismatch, "the server's model has architecture hash " +
                                                       nn::hex(hash_) + ", the client expects " +
                                                       nn::hex(*options_.expected_hash)));
  }
  auto schedule = Schedule::make(arch.value());
  if (!schedule.ok()) return refuse(schedule.error());
  schedule_ = std::move(schedule).value();
  const HeOptions he{w.he_scheme, w.he_packing, &core::default_pool()};
  try {
    he_ = options_.he_factory ? options_.he_factory(schedule_.architecture, he)
                              : make_he_client(schedule_.architecture, he);
  } catch (const std::invalid_argument& e) {
    return refuse(make_error(ErrorCode::kUnsupported, e.what()));
  }
  if (he_->num_terms() != schedule_.he_terms.size()) {
    return refuse(make_error(ErrorCode::kMismatch, "the HE backend counts another term count"));
  }
  if (he_->setup_digest() != w.he_setup) {
    return refuse(make_error(ErrorCode::kMismatch,
                             "the server derives other homomorphic parameters from this "
                             "architecture than this client does (another Pangolin version?)"));
  }
  main_->send_msg(MsgType::kPublicKey, he_->public_material());
  PG_TRY(main_->recv_msg(MsgType::kReady, 0));
  pool_ = std::clamp<size_t>(options_.pool, 1, size_t(w.pool_limit));
  label_only_ = w.label_only;
  PG_TRY(join(connector, w));
  mpc::TrafficStats t = main_->phase_stats("handshake");
  t += prep_->phase_stats("handshake");
  handshake_ = stage("handshake", since(t0), t);
  main_->set_phase("online");
  prep_->set_phase("preprocess");
  return {};
}

core::Status Client::join(Connector& connector, const Welcome& w) {
  PG_TRY_ASSIGN(Link link, connector.connect());
  prep_ = std::make_unique<Connection>(std::move(link));
  prep_->set_phase("handshake");
  Hello hello;
  hello.role = HelloRole::kJoin;
  hello.session_id = w.session_id;
  hello.token = w.token;
  prep_->send_msg(MsgType::kHello, encode_hello(hello));
  PG_TRY(prep_->recv_msg(MsgType::kReady, 0));
  gc_.setup(prep_->stream());
  prep_->stream().flush();
  return {};
}

void Client::start_threads() {
  prep_thread_ = std::thread([this] { prep_thread(); });
  keepalive_thread_ = std::thread([this] { keepalive_thread(); });
}

Client::~Client() {
  (void)close();
}

void Client::fail(const core::Error& e) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!failure_) failure_ = e;
  }
  cv_.notify_all();
}

core::Status Client::session_error(core::Error fallback) {
  std::unique_lock<std::mutex> lock(mu_);
  // The other connection may carry the server's explanation: give it a moment to arrive.
  cv_.wait_for(lock, std::chrono::milliseconds(500), [&] { return failure_.has_value(); });
  if (!failure_ || (!is_peer_report(*failure_) && is_peer_report(fallback))) failure_ = fallback;
  const core::Error e = *failure_;
  lock.unlock();
  cv_.notify_all();
  if (prep_) prep_->abort();
  if (main_) main_->abort();
  return e;
}

void Client::prep_thread() {
  for (;;) {
    uint64_t id = 0;
    {
      std::unique_lock<std::mutex> lock(mu_);
      for (;;) {
        if (stop_ || failure_) break;
        const bool more = options_.max_sets == 0 || started_sets_ < options_.max_sets;
        if (more && ready_.size() + preparing_ < pool_) break;
        if (cv_.wait_for(lock, options_.keepalive) == std::cv_status::timeout) {
          lock.unlock();
          try {
            prep_->send_msg(MsgType::kKeepAlive, {});
          } catch (const mpc::ChannelError& e) {
            fail(e.to_error());
          }
          lock.lock();
        }
      }
      if (stop_ || failure_) break;
      id = started_sets_++;
      preparing_ = 1;
    }
    core::Result<ClientSet> set = make_error(ErrorCode::kProtocol, "not prepared");
    try {
      set = client_prepare_set(*prep_, gc_, *he_, schedule_, prg_, id, options_.progress);
      if (!set.ok() && !is_peer_report(set.error())) {
        prep_->send_error("preprocessing: " + set.error().message);
      }
    } catch (const mpc::ChannelError& e) {
      set = prep_->peer_reason(e.to_error());
    } catch (const std::exception& e) {
      set = make_error(ErrorCode::kProtocol, e.what());
      prep_->send_error(std::string("preprocessing: ") + e.what());
    }
    std::lock_guard<std::mutex> lock(mu_);
    preparing_ = 0;
    if (!set.ok()) {
      if (!failure_) failure_ = in_stage("preprocessing", set.error());
      cv_.notify_all();
      if (main_) main_->abort();
      return;
    }
    ready_.push_back(std::move(set).value());
    cv_.notify_all();
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (failure_) return;
  try {
    if (auto st = say_bye(*prep_); !st.ok()) failure_ = st.error();
  } catch (const mpc::ChannelError& e) {
    failure_ = e.to_error();
  }
  cv_.notify_all();
}

void Client::keepalive_thread() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_ && !failure_) {
    if (cv_.wait_for(lock, options_.keepalive) != std::cv_status::timeout) continue;
    lock.unlock();
    if (main_mu_.try_lock()) {
      std::lock_guard<std::mutex> main_lock(main_mu_, std::adopt_lock);
      try {
        main_->send_msg(MsgType::kKeepAlive, {});
      } catch (const mpc::ChannelError& e) {
        fail(e.to_error());
      }
    }
    lock.lock();
  }
}

core::Result<ClientSet> Client::take_set() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] {
    const bool exhausted =
        options_.max_sets != 0 && started_sets_ >= options_.max_sets && preparing_ == 0;
    return !ready_.empty() || failure_ || closed_ || exhausted;
  });
  if (!ready_.empty()) {
    ClientSet set = std::move(ready_.front());
    ready_.pop_front();
    cv_.notify_all();
    return set;
  }
  if (failure_) return *failure_;
  if (closed_) return make_error(ErrorCode::kProtocol, "the session is closed");
  return make_error(ErrorCode::kInvalidInput,
                    "every preprocessing set of this session is used (max_sets = " +
                        std::to_string(options_.max_sets) + ")");
}

core::Status Client::wait_ready(size_t n) {
  std::unique_lock<std::mutex> lock(mu_);
  n = std::min(n, pool_);
  if (options_.max_sets != 0) n = std::min<size_t>(n, options_.max_sets);
  cv_.wait(lock, [&] { return ready_.size() >= n || failure_ || closed_; });
  if (failure_) return *failure_;
  if (closed_) return make_error(ErrorCode::kProtocol, "the session is closed");
  return {};
}

core::Result<Inference> Client::infer(std::span<const double> input, OutputMode mode) {
  if (input.size() != schedule_.input_size()) {
    return make_error(ErrorCode::kInvalidInput, "the input has " + std::to_string(input.size()) +
                                                    " values, the model takes " +
                                                    std::to_string(schedule_.input_size()));
  }
  Shares x = nn::encode_input(schedule_.architecture, input);
  auto out = infer_encoded(x, mode);
  wipe(x);
  return out;
}

core::Result<Inference> Client::infer_encoded(std::span<const uint64_t> x, OutputMode mode) {
  if (x.size() != schedule_.input_size()) {
    return make_error(ErrorCode::kInvalidInput, "the input has " + std::to_string(x.size()) +
                                                    " values, the model takes " +
                                                    std::to_string(schedule_.input_size()));
  }
  if (label_only_ && mode != OutputMode::kLabel && !options_.testing_ignore_label_only) {
    return make_error(ErrorCode::kUnsupported,
                      "this server reveals only the top-1 label: ask for the label (--label-only)");
  }
  PG_TRY_ASSIGN(ClientSet set, take_set());
  std::lock_guard<std::mutex> main_lock(main_mu_);
  const auto t0 = Clock::now();
  const auto before = main_->total();
  core::Result<ClientOutput> out = make_error(ErrorCode::kProtocol, "not run");
  try {
    out = client_online(*main_, schedule_, set, x, mode);
  } catch (const mpc::ChannelError& e) {
    return session_error(in_stage("online", main_->peer_reason(e.to_error()))).error();
  }
  if (!out.ok()) {
    if (!is_peer_report(out.error())) main_->send_error("online: " + out.error().message);
    return session_error(in_stage("online", out.error())).error();
  }
  Inference inf;
  inf.set_id = set.id;
  inf.online = stage("online", since(t0), diff(main_->total(), before));
  inf.preprocess = stage("preprocess", set.seconds, set.traffic);
  inf.preprocess_linear = stage("preprocess_linear", set.linear_seconds, set.linear_traffic);
  if (mode == OutputMode::kLabel) {
    if (*out.value().label >= schedule_.output_size()) {
      return make_error(ErrorCode::kProtocol, "the argmax circuit gave an out-of-range label");
    }
    inf.label = int(*out.value().label);
    return inf;
  }
  inf.logits_ring = std::move(out.value().logits);
  inf.logits = nn::decode_output(schedule_.architecture, inf.logits_ring);
  inf.label = int(std::max_element(inf.logits.begin(), inf.logits.end()) - inf.logits.begin());
  return inf;
}

core::Status Client::close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return failure_ ? core::Status(*failure_) : core::Status();
    stop_ = true;
  }
  cv_.notify_all();
  if (prep_thread_.joinable()) prep_thread_.join();
  if (keepalive_thread_.joinable()) keepalive_thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  ready_.clear();
  cv_.notify_all();
  if (!failure_ && main_) {
    try {
      std::lock_guard<std::mutex> main_lock(main_mu_);
      if (auto st = say_bye(*main_); !st.ok()) failure_ = st.error();
    } catch (const mpc::ChannelError& e) {
      failure_ = e.to_error();
    }
  }
  if (prep_) prep_->close();
  if (main_) main_->close();
  return failure_ ? core::Status(*failure_) : core::Status();
}

}  // namespace pg::protocol
