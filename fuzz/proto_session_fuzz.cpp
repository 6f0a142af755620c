// Fuzzes the session logic with arbitrary bytes from the peer, on a small plan with every kind
// of step and the tests' ideal HE backend (so that the driver, not the HE kernels, is fuzzed):
//   0: the server's main connection after a hello (handshake, then the online loop);
//   1: the server's side of one preprocessing set (HE requests; the GC layer then refuses to run
//      without base OTs, which ends the input);
//   2: the client's handshake (architecture, hash, schedule, HE setup) against a scripted server.
// The first byte picks the mode; the rest is what the peer sends. Nothing may crash or hang.
#include <cstdint>
#include <vector>

#include "core/prg.h"
#include "nn/plan_io.h"
#include "nn/test_plans.h"
#include "protocol/client.h"
#include "protocol/ideal_he.h"
#include "protocol/server_session.h"

using namespace pg;
using namespace pg::protocol;

namespace {

// The peer's bytes come from the fuzz input; what this side sends is dropped.
class ScriptedChannel final : public mpc::Channel {
 public:
  explicit ScriptedChannel(std::span<const uint8_t> in) : in_(in) {}
  void send(const void*, size_t) override {}
  void flush() override {}
  void recv(void* data, size_t n) override {
    if (in_.size() - pos_ < n) throw mpc::ChannelError(core::ErrorCode::kNetwork, "end of input");
    std::memcpy(data, in_.data() + pos_, n);
    pos_ += n;
  }

 private:
  std::span<const uint8_t> in_;
  size_t pos_ = 0;
};

Link scripted(std::span<const uint8_t> in) {
  Link l;
  l.channel = std::make_unique<ScriptedChannel>(in);
  l.peer = "fuzz";
  return l;
}

class ScriptedConnector final : public Connector {
 public:
  explicit ScriptedConnector(std::span<const uint8_t> in) : in_(in) {}
  core::Result<Link> connect() override { return scripted(in_); }

 private:
  std::span<const uint8_t> in_;
};

nn::Plan fuzz_plan() {
  core::Prg prg = core::Prg::from_seed(core::Seed{});
  nn::Plan p = nn::testing::residual_net(prg);
  for (auto& step : p.steps) {
    if (auto* n = std::get_if<nn::NonLinearStep>(&step)) {
      if (n->kind == nn::NonLinearKind::kTruncate) n->kind = nn::NonLinearKind::kRelu;
    }
  }
  return p;
}

const std::shared_ptr<const ServerModel>& model() {
  static const auto m = [] {
    ModelOptions o;
    o.he_factory = testing::ideal_server_factory();
    return ServerModel::from_plan(fuzz_plan(), o).value();
  }();
  return m;
}

void frame(std::vector<uint8_t>& out, MsgType t, const core::Bytes& payload) {
  const auto h = encode_header(t, uint32_t(payload.size()));
  out.insert(out.end(), h.begin(), h.end());
  out.insert(out.end(), payload.begin(), payload.end());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::span<const uint8_t> peer(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      ServerSession session(1, model(), SessionConfig{2, std::chrono::milliseconds(10), {}});
      Connection conn(scripted(peer));
      session.run_main(conn, Hello{});
      break;
    }
    case 1: {
      mpc::GarblerSession gc;
      Connection conn(scripted(peer));
      const testing::IdealKeys keys;
      core::Prg prg = core::Prg::from_os();
      try {
        (void)server_prepare_set(conn, gc, model()->he(), keys, model()->schedule(), prg, 0);
      } catch (const mpc::ChannelError&) {
      } catch (const std::invalid_argument&) {
        // The GC layer without base OTs: the HE half of the set parsed.
      }
      break;
    }
    default: {
      ScriptedConnector connector(peer);
      ClientOptions o;
      o.he_factory = testing::ideal_client_factory();
      auto c = Client::connect(connector, o);
      if (c.ok()) (void)c.value()->close();
    }
  }
  return 0;
}

extern "C" void pg_fuzz_seed_inputs(std::vector<std::vector<uint8_t>>* out) {
  const nn::Plan& plan = model()->plan();
  const Schedule& s = model()->schedule();
  core::Prg prg = core::Prg::from_seed(core::Seed{});
  {  // server, main: the ideal key, then an input for set 0, then bye
    std::vector<uint8_t> v{0};
    frame(v, MsgType::kPublicKey,
          core::Bytes(testing::kIdealKey.begin(), testing::kIdealKey.end()));
    frame(v, MsgType::kInput,
          encode_input({0, OutputMode::kLogits, random_shares(prg, s.input_size(), plan.ell)},
                       plan.ell));
    frame(v, MsgType::kBye, {});
    out->push_back(v);
  }
  {  // server, preprocessing: one request per term
    std::vector<uint8_t> v{1};
    testing::IdealHeClient he(plan.architecture());
    for (size_t k = 0; k < s.he_terms.size(); ++k) {
      const auto r = random_shares(prg, s.term(k).geometry.in_size(), plan.ell);
      frame(v, MsgType::kPrepRequest, encode_prep_part({0, k, he.encrypt(k, r)}));
    }
    out->push_back(v);
  }
  {  // client: the architecture, then ready
    std::vector<uint8_t> v{2};
    Welcome w;
    w.architecture = model()->architecture_bytes();
    frame(v, MsgType::kArchitecture, encode_welcome(w));
    frame(v, MsgType::kReady, {});
    out->push_back(v);
  }
}
