// The driver end to end on a small plan with every kind of step (residual and shortcut terms,
// max-pool with padded windows, ReLU, two dense terms into the logits), with the ideal HE
// functionality (ideal_he.h) so that the sessions, pools, masks, garbled circuits and wire are
// tested on their own: the reconstructed logits must equal nn's fixed-point oracle bit for bit.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "core/prg.h"
#include "core/testing.h"
#include "mpc/tcp_channel.h"
#include "nn/fixed_point.h"
#include "nn/test_plans.h"
#include "protocol/client.h"
#include "protocol/ideal_he.h"
#include "protocol/server.h"
#include "protocol/tap.h"

namespace pg::protocol {
namespace {

using namespace std::chrono_literals;
using testing::ServerThread;

// residual_net: ReLU, max-pool+ReLU, a bare truncation (a linear→linear chain the merge did not
// fuse), residual public terms and a two-term dense output.
nn::Plan relu_net(uint8_t seed) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(seed));
  nn::Plan p = nn::testing::residual_net(prg);
  const bool has_truncate = std::any_of(p.steps.begin(), p.steps.end(), [](const auto& step) {
    const auto* n = std::get_if<nn::NonLinearStep>(&step);
    return n != nullptr && n->kind == nn::NonLinearKind::kTruncate;
  });
  if (!has_truncate) throw std::logic_error("residual_net lost its truncation step");
  return p;
}

std::shared_ptr<const ServerModel> ideal_model(const nn::Plan& p) {
  ModelOptions o;
  o.he_factory = testing::ideal_server_factory();
  auto m = ServerModel::from_plan(p, o);
  if (!m.ok()) throw std::runtime_error(m.error().to_string());
  return m.value();
}

ClientOptions ideal_client(size_t pool = 2) {
  ClientOptions o;
  o.pool = pool;
  o.he_factory = testing::ideal_client_factory();
  return o;
}

// Encoded inputs: all zeros, 2^{ℓ-1} − 1 and −2^{ℓ-1} everywhere, then values in ±1.0.
std::vector<uint64_t> input(const nn::Plan& p, core::Prg& prg, int i) {
  const uint64_t mask = nn::ring_mask(p.ell);
  std::vector<uint64_t> x(p.tensors[p.input].size());
  const int64_t one = int64_t{1} << p.f;
  for (auto& v : x) v = uint64_t(int64_t(prg.uniform_below(2 * one)) - one) & mask;
  if (i == 0) std::fill(x.begin(), x.end(), 0);
  if (i == 1) std::fill(x.begin(), x.end(), mask >> 1);
  if (i == 2) std::fill(x.begin(), x.end(), (mask >> 1) + 1);
  return x;
}

// The first maximum of the signed logits: what the argmax circuit returns.
int first_argmax(const nn::Plan& p, const std::vector<uint64_t>& y) {
  int best = 0;
  for (size_t i = 1; i < y.size(); ++i) {
    if (nn::to_signed(y[i], p.ell) > nn::to_signed(y[best], p.ell)) best = int(i);
  }
  return best;
}

void run_exactness(Connector& connector, const nn::Plan& plan, int inputs) {
  auto client = Client::connect(connector, ideal_client());
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  Client& c = *client.value();
  EXPECT_EQ(c.architecture_hash(), nn::architecture_hash(plan));
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(77));
  for (int i = 0; i < inputs; ++i) {
    const auto x = input(plan, prg, i);
    const auto want = nn::run_plan(plan, x);
    const auto mode = i % 3 == 2 ? OutputMode::kLabel : OutputMode::kLogits;
    auto got = c.infer_encoded(x, mode);
    ASSERT_TRUE(got.ok()) << got.error().to_string();
    EXPECT_EQ(got.value().set_id, uint64_t(i));
    if (mode == OutputMode::kLogits) {
      EXPECT_EQ(got.value().logits_ring, want) << "input " << i;
    } else {
      EXPECT_TRUE(got.value().logits.empty());
    }
    EXPECT_EQ(got.value().label, first_argmax(plan, want)) << "input " << i;
    EXPECT_GT(got.value().online.bytes_client_to_server, 0u);
    EXPECT_GT(got.value().preprocess.bytes_server_to_client, 0u);
  }
  EXPECT_TRUE(c.close().ok());
}

TEST(Session, BitExactOverMemory) {
  const nn::Plan plan = relu_net(5);
  MemoryNetwork net;
  ServerThread server(ideal_model(plan), net);
  run_exactness(net, plan, 9);
  const auto reports = server.reports(1);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_TRUE(reports[0].ok) << reports[0].error;
  EXPECT_EQ(reports[0].inferences, 9u);
  EXPECT_GE(reports[0].sets_prepared, 9u);
}

TEST(Session, BitExactOverTcp) {
  const nn::Plan plan = relu_net(6);
  auto acceptor = TcpAcceptor::listen("127.0.0.1", 0, {});
  ASSERT_TRUE(acceptor.ok());
  ServerThread server(ideal_model(plan), *acceptor.value());
  TcpConnector connector("127.0.0.1", acceptor.value()->port(), {});
  run_exactness(connector, plan, 6);
  EXPECT_TRUE(server.reports(1).at(0).ok);
}

TEST(Session, PinnedHashMismatchIsRefusedAndTheServerKeepsServing) {
  const nn::Plan plan = relu_net(7);
  MemoryNetwork net;
  ServerThread server(ideal_model(plan), net);
  auto options = ideal_client();
  options.expected_hash = nn::Hash{};
  auto refused = Client::connect(net, options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, core::ErrorCode::kMismatch);
  EXPECT_NE(refused.error().message.find(nn::hex(nn::architecture_hash(plan))), std::string::npos)
      << refused.error().message;
  options.expected_hash = nn::architecture_hash(plan);
  run_exactness(net, plan, 1);
}

TEST(Session, WrongInputSizeIsAnErrorAndTheSessionContinues) {
  const nn::Plan plan = relu_net(8);
  MemoryNetwork net;
  ServerThread server(ideal_model(plan), net);
  auto client = Client::connect(net, ideal_client(1));
  ASSERT_TRUE(client.ok());
  std::vector<double> wrong(plan.tensors[plan.input].size() + 1, 0.5);
  auto bad = client.value()->infer(wrong, OutputMode::kLogits);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, core::ErrorCode::kInvalidInput);
  std::vector<double> ok(plan.tensors[plan.input].size(), 0.25);
  auto good = client.value()->infer(ok, OutputMode::kLogits);
  ASSERT_TRUE(good.ok()) << good.error().to_string();
  EXPECT_EQ(good.value().logits_ring, nn::run_plan(plan, nn::encode_input(plan, ok)));
  EXPECT_TRUE(client.value()->close().ok());
}

TEST(Session, ASetCannotBeUsedTwice) {
  const nn::Plan plan = relu_net(9);
  MemoryNetwork net;
  ServerThread server(ideal_model(plan), net);
  // The tap replays the first input message (set 0) in place of the second (set 1).
  std::optional<core::Bytes> first;
  testing::TapConnector replay(net, [&](MsgType t, const core::Bytes& payload) {
    if (t != MsgType::kInput) return std::optional<core::Bytes>();
    if (!first) {
      first = payload;
      return std::optional<core::Bytes>();
    }
    return first;
  });
  auto client = Client::connect(replay, ideal_client(2));
  ASSERT_TRUE(client.ok());
  std::vector<double> x(plan.tensors[plan.input].size(), 0.5);
  ASSERT_TRUE(client.value()->infer(x, OutputMode::kLogits).ok());
  auto second = client.value()->infer(x, OutputMode::kLogits);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("preprocessing set 0 was already used"), std::string::npos)
      << second.error().message;
  // The session is over; the server is not.
  auto reports = server.reports(1);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_FALSE(reports[0].ok);
  EXPECT_EQ(reports[0].inferences, 1u);
  run_exactness(net, plan, 1);
}

// A client whose preprocessing link dies mid-set, one whose main link dies mid-inference, and
// one that sends garbage in place of an HE request: each gets a clear error, the server ends
// that session only, and the next client is served.
TEST(Session, FailuresMidStageEndOnlyThatSession) {
  const nn::Plan plan = relu_net(11);
  MemoryNetwork net;
  ServerThread server(ideal_model(plan), net);
  std::vector<double> x(plan.tensors[plan.input].size(), 0.5);
  {
    testing::TapConnector cut(net, {}, {{}, {.after_sent = 20000}});
    auto client = Client::connect(cut, ideal_client(1));
    ASSERT_TRUE(client.ok()) << client.error().to_string();
    auto r = client.value()->infer(x, OutputMode::kLogits);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("the link was cut"), std::string::npos) << r.error().message;
  }
  {
    // The handshake is a few hundred bytes; the cut falls in the first inference's online stage.
    testing::TapConnector cut(net, {}, {{.after_received = 2000}, {}});
    auto client = Client::connect(cut, ideal_client(1));
    ASSERT_TRUE(client.ok()) << client.error().to_string();
    auto r = client.value()->infer(x, OutputMode::kLogits);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("online"), std::string::npos) << r.error().message;
  }
  {
    testing::TapConnector garbage(net, [](MsgType t, const core::Bytes&) {
      return t == MsgType::kPrepRequest ? std::optional<core::Bytes>(core::Bytes{0xff, 0xff, 0xff})
                                        : std::nullopt;
    });
    auto client = Client::connect(garbage, ideal_client(1));
    ASSERT_TRUE(client.ok()) << client.error().to_string();
    auto r = client.value()->infer(x, OutputMode::kLogits);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("the peer reported: preprocessing: preprocessing message"),
              std::string::npos)
        << r.error().message;
  }
  const auto reports = server.reports(3);
  ASSERT_EQ(reports.size(), 3u);
  for (const auto& rep : reports) EXPECT_FALSE(rep.ok);
  run_exactness(net, plan, 2);
}

TEST(Session, ConcurrentSessionsAreIsolated) {
  const nn::Plan plan = relu_net(12);
  MemoryNetwork net;
  ServerThread server(ideal_model(plan), net);
  std::vector<std::thread> clients;
  for (int c = 0; c < 3; ++c) clients.emplace_back([&] { run_exactness(net, plan, 4); });
  for (auto& t : clients) t.join();
  const auto reports = server.reports(3);
  ASSERT_EQ(reports.size(), 3u);
  for (const auto& r : reports) {
    EXPECT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.inferences, 4u);
  }
}

// An idle session stays alive through keep-alives; without them the server's I/O timeout ends
// it, and the client's next inference says so.
TEST(Session, KeepAlivesHoldAnIdleSessionOpen) {
  const nn::Plan plan = relu_net(13);
  MemoryNetwork net(std::chrono::milliseconds(400));
  ServerThread server(ideal_model(plan), net);
  std::vector<double> x(plan.tensors[plan.input].size(), 0.5);
  for (const bool keepalive : {true, false}) {
    auto options = ideal_client(1);
    options.keepalive = keepalive ? 50ms : 10s;
    auto client = Client::connect(net, options);
    ASSERT_TRUE(client.ok()) << client.error().to_string();
    ASSERT_TRUE(client.value()->wait_ready(1).ok());
    std::this_thread::sleep_for(1200ms);
    auto r = client.value()->infer(x, OutputMode::kLogits);
    EXPECT_EQ(r.ok(), keepalive) << (r.ok() ? "" : r.error().to_string());
    if (!keepalive && !r.ok()) {
      EXPECT_TRUE(r.error().code == core::ErrorCode::kNetwork ||
                  r.error().code == core::ErrorCode::kTimeout)
          << r.error().to_string();
    }
  }
}

TEST(Session, TheServerRefusesSessionsBeyondItsBound) {
  const nn::Plan plan = relu_net(10);
  MemoryNetwork net;
  ServerOptions so;
  so.max_sessions = 1;
  ServerThread server(ideal_model(plan), net, so);
  auto first = Client::connect(net, ideal_client(1));
  ASSERT_TRUE(first.ok());
  auto second = Client::connect(net, ideal_client(1));
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("limit of 1 concurrent sessions"), std::string::npos)
      << second.error().message;
  EXPECT_TRUE(first.value()->close().ok());
  server.reports(1);
  run_exactness(net, plan, 1);
}

// A client whose build derives other HE parameters from the architecture refuses the session
// in the handshake, naming the cause, instead of decrypting wrong shares later.
class SkewedClient final : public HeClientBackend {
 public:
  explicit SkewedClient(std::unique_ptr<HeClientBackend> inner) : inner_(std::move(inner)) {}
  size_t num_terms() const override { return inner_->num_terms(); }
  std::array<uint8_t, 32> setup_digest() const override {
    auto d = inner_->setup_digest();
    d[31] ^= 1;
    return d;
  }
  core::Bytes public_material() const override { return inner_->public_material(); }
  core::Bytes encrypt(size_t k, std::span<const uint64_t> r) const override {
    return inner_->encrypt(k, r);
  }
  core::Result<std::vector<uint64_t>> decrypt(size_t k,
                                              std::span<const uint8_t> reply) const override {
    return inner_->decrypt(k, reply);
  }

 private:
  std::unique_ptr<HeClientBackend> inner_;
};

TEST(Session, AClientDerivingOtherHeParametersIsRefused) {
  const nn::Plan plan = relu_net(15);
  MemoryNetwork net;
  ServerThread server(ideal_model(plan), net);
  auto options = ideal_client(1);
  const auto ideal = testing::ideal_client_factory();
  options.he_factory = [ideal](const nn::Plan& a, HeOptions o) {
    return std::unique_ptr<HeClientBackend>(new SkewedClient(ideal(a, o)));
  };
  auto client = Client::connect(net, options);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error().code, core::ErrorCode::kMismatch);
  EXPECT_NE(client.error().message.find("other homomorphic parameters"), std::string::npos)
      << client.error().message;
  run_exactness(net, plan, 1);  // the server serves the next client
}

ServerOptions label_only_options() {
  ServerOptions so;
  so.label_only = true;
  return so;
}

// A label-only server: the client learns that in the handshake and refuses to ask for logits
// itself; the label is served and correct. (The next test: a client that asks anyway.)
TEST(Session, ALabelOnlyServerNeverReturnsLogits) {
  const nn::Plan plan = relu_net(16);
  MemoryNetwork net;
  ServerThread server(ideal_model(plan), net, label_only_options());
  auto client = Client::connect(net, ideal_client(2));
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  Client& c = *client.value();
  EXPECT_TRUE(c.label_only());
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(78));
  const auto x = input(plan, prg, 3);
  auto refused = c.infer_encoded(x, OutputMode::kLogits);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, core::ErrorCode::kUnsupported);
  EXPECT_NE(refused.error().message.find("reveals only the top-1 label: ask for the label"),
            std::string::npos)
      << refused.error().message;
  auto label = c.infer_encoded(x, OutputMode::kLabel);
  ASSERT_TRUE(label.ok()) << label.error().to_string();
  EXPECT_EQ(label.value().label, first_argmax(plan, nn::run_plan(plan, x)));
  EXPECT_TRUE(label.value().logits.empty());
  EXPECT_TRUE(c.close().ok());
}

TEST(Session, ALabelOnlyServerRefusesAnInputAskingForLogits) {
  const nn::Plan plan = relu_net(17);
  MemoryNetwork net;
  ServerThread server(ideal_model(plan), net, label_only_options());
  auto options = ideal_client(1);
  options.testing_ignore_label_only = true;  // a deviating client
  auto client = Client::connect(net, options);
  ASSERT_TRUE(client.ok());
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(79));
  auto r = client.value()->infer_encoded(input(plan, prg, 4), OutputMode::kLogits);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("reveals only the top-1 label"), std::string::npos)
      << r.error().message;
  // The session ends once both of its connections have; the client's preprocessing one closes
  // with the client (in-memory links cannot be aborted from the server's side).
  (void)client.value()->close();
  const auto ended = server.reports(1);
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].inferences, 0u);
}

// The I/O timeout bounds only the gap between two bytes. A peer that trickles its hello one
// byte at a time is dropped at the handshake deadline, and a silent connection does not hold up
// the server's stop, while a real client is served meanwhile.
TEST(Session, ATricklingPeerIsDroppedAtTheHandshakeDeadlineAndStopIsPrompt) {
  const nn::Plan plan = relu_net(14);
  mpc::TcpOptions io;
  io.io_timeout = 10s;
  auto acceptor = TcpAcceptor::listen("127.0.0.1", 0, io);
  ASSERT_TRUE(acceptor.ok());
  const uint16_t port = acceptor.value()->port();
  ServerOptions so;
  so.handshake_timeout = 600ms;
  auto server = std::make_unique<ServerThread>(ideal_model(plan), *acceptor.value(), so);

  const auto t0 = std::chrono::steady_clock::now();
  auto slow = mpc::TcpChannel::connect("127.0.0.1", port, io);
  bool dropped = false;
  for (int i = 0; i < 100 && !dropped; ++i) {  // up to 10 s of one byte per 100 ms
    try {
      const uint8_t b = 0;
      slow->send(&b, 1);
      slow->flush();
      std::this_thread::sleep_for(100ms);
    } catch (const mpc::ChannelError&) {
      dropped = true;
    }
  }
  if (!dropped) {
    uint8_t x;
    EXPECT_THROW(slow->recv(&x, 1), mpc::ChannelError);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s) << "the trickling peer was not dropped";
  const auto log = server->log();
  EXPECT_TRUE(std::any_of(log.begin(), log.end(), [](const std::string& l) {
    return l.find("no hello and handshake within") != std::string::npos;
  }));

  // A real client is served while a silent connection waits; then the stop is prompt.
  auto silent = mpc::TcpChannel::connect("127.0.0.1", port, io);
  TcpConnector connector("127.0.0.1", port, io);
  run_exactness(connector, plan, 1);
  const auto t1 = std::chrono::steady_clock::now();
  server.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - t1, 3s) << "the silent connection held the stop";
}

}  // namespace
}  // namespace pg::protocol
