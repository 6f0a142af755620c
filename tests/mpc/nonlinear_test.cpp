#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "core/testing.h"
#include "core/thread_pool.h"
#include "mpc/counting_channel.h"
#include "mpc/nonlinear_evaluator.h"
#include "mpc/nonlinear_garbler.h"
#include "two_party.h"

namespace pg::mpc {
namespace {

using core::testing::FixedSeedScope;
using core::testing::seed_of;

uint64_t mask_of(size_t ell) {
  return ell == 64 ? ~uint64_t{0} : (uint64_t{1} << ell) - 1;
}

int64_t to_signed(uint64_t x, size_t ell) {
  return static_cast<int64_t>(x << (64 - ell)) >> (64 - ell);
}

// The plaintext oracle: the layer's function on x = u + c, with r' subtracted.
struct Oracle {
  NonLinearSpec spec;
  std::vector<uint64_t> x;  // u + c mod 2^ℓ

  int64_t shifted(size_t i) const { return to_signed(x[i], spec.ell) >> spec.shift; }
  uint64_t output(size_t o) const {
    if (spec.kind == NonLinearKind::kTruncateRemask) {
      return static_cast<uint64_t>(shifted(o)) & mask_of(spec.ell);
    }
    int64_t m;
    if (spec.kind == NonLinearKind::kReluTruncate) {
      m = shifted(o);
    } else {
      m = shifted(spec.windows[o][0]);
      for (uint32_t i : spec.windows[o]) m = std::max(m, shifted(i));
    }
    return static_cast<uint64_t>(std::max<int64_t>(m, 0)) & mask_of(spec.ell);
  }
  uint64_t argmax() const {
    size_t best = 0;
    for (size_t i = 1; i < x.size(); ++i) {
      if (to_signed(x[i], spec.ell) > to_signed(x[best], spec.ell)) best = i;
    }
    return best;
  }
};

struct LayerInputs {
  std::vector<uint64_t> u, c, r;
  Oracle oracle;
};

// x values that sit on the edges: 0, ±1, the extremes, and both sides of multiples of 2^shift.
std::vector<uint64_t> edge_values(size_t ell, size_t shift) {
  const uint64_t m = mask_of(ell);
  const uint64_t top = uint64_t{1} << (ell - 1);
  std::vector<uint64_t> v = {0, 1, m, top, top - 1, (top + 1) & m, (top - 2) & m};
  const uint64_t unit = uint64_t{1} << shift;
  for (uint64_t k : {uint64_t{1}, uint64_t{2}, uint64_t{3}}) {
    for (uint64_t base : {(k * unit) & m, (0 - k * unit) & m}) {
      v.push_back(base);
      v.push_back((base + 1) & m);
      v.push_back((base - 1) & m);
    }
  }
  v.push_back((top - unit) & m);
  v.push_back((top + unit) & m);
  return v;
}

LayerInputs make_inputs(const NonLinearSpec& spec, core::Prg& prg, bool edges) {
  LayerInputs in;
  const uint64_t m = mask_of(spec.ell);
  in.oracle.spec = spec;
  std::vector<uint64_t> x(spec.n_in);
  const auto e = edge_values(spec.ell, spec.shift);
  for (size_t i = 0; i < spec.n_in; ++i) {
    x[i] = edges && i < e.size() ? e[i] : prg.next_u64() & m;
  }
  in.u.resize(spec.n_in);
  in.c.resize(spec.n_in);
  for (size_t i = 0; i < spec.n_in; ++i) {
    in.u[i] = prg.next_u64() & m;
    in.c[i] = (x[i] - in.u[i]) & m;
  }
  in.oracle.x = x;
  if (spec.kind != NonLinearKind::kArgmax) {
    in.r.resize(num_outputs(spec));
    for (size_t o = 0; o < in.r.size(); ++o) in.r[o] = prg.next_u64() & m;
    if (!in.r.empty()) in.r[0] = 0;
    if (in.r.size() > 1) in.r[1] = m;
  }
  return in;
}

struct LayerResult {
  std::vector<uint64_t> z;
  std::optional<uint64_t> index;
  std::string server_sent, client_sent;  // transcript hashes
};

// threads = 0 uses the one-thread calls; otherwise each party has a pool of that many threads.
// reserve: the client reserves (and faults in) its buffers before offline().
LayerResult run_layer(const NonLinearSpec& spec, const LayerInputs& in, bool tcp,
                      size_t threads = 0, bool reserve = false) {
  GarblerSession gs;  // both drawn on this thread: deterministic under a fixed test seed
  EvaluatorSession es;
  LayerResult res;
  std::unique_ptr<core::ThreadPool> server_pool, client_pool;
  if (threads > 0) {
    server_pool = std::make_unique<core::ThreadPool>(threads);
    client_pool = std::make_unique<core::ThreadPool>(threads);
  }
  auto server = [&](Channel& raw) {
    test::HashingChannel ch(raw);
    gs.setup(ch);
    NonLinearGarbler g(spec);
    if (server_pool) {
      g.offline(ch, gs, *server_pool);
    } else {
      g.offline(ch, gs);
    }
    res.z = g.online(ch, in.u);
    res.server_sent = ch.hex();
  };
  auto client = [&](Channel& raw) {
    test::HashingChannel ch(raw);
    es.setup(ch);
    NonLinearEvaluator e(spec);
    if (reserve) e.reserve();
    e.offline(ch, es, in.c, in.r);
    res.index = client_pool ? e.online(ch, *client_pool) : e.online(ch);
    res.client_sent = ch.hex();
  };
  if (tcp) {
    test::run_tcp(server, client);
  } else {
    test::run_memory(server, client);
  }
  return res;
}

void check_result(const LayerInputs& in, const LayerResult& res) {
  const NonLinearSpec& spec = in.oracle.spec;
  if (spec.kind == NonLinearKind::kArgmax) {
    EXPECT_TRUE(res.z.empty());
    ASSERT_TRUE(res.index.has_value());
    EXPECT_EQ(*res.index, in.oracle.argmax());
    return;
  }
  EXPECT_FALSE(res.index.has_value());
  ASSERT_EQ(res.z.size(), num_outputs(spec));
  for (size_t o = 0; o < res.z.size(); ++o) {
    ASSERT_EQ((res.z[o] + in.r[o]) & mask_of(spec.ell), in.oracle.output(o))
        << "output " << o
        << " x=" << in.oracle.x[spec.kind == NonLinearKind::kMaxPoolReluTruncate ? 0 : o]
        << " ℓ=" << spec.ell << " shift=" << spec.shift;
  }
}

// The element-wise kinds (ReLU-truncate and truncate-remask) over the widths of the issue,
// with shifts 0, 1, a typical f_w and ℓ − 1.
struct ElementwiseCase {
  NonLinearKind kind;
  size_t ell;
  size_t shift;
};

class ElementwiseLayer : public ::testing::TestWithParam<ElementwiseCase> {
 protected:
  NonLinearSpec spec(size_t n) const {
    return {GetParam().kind, GetParam().ell, GetParam().shift, n, {}};
  }
};

TEST_P(ElementwiseLayer, MatchesThePlaintextFunctionInMemory) {
  FixedSeedScope seed(seed_of(0x61));
  auto prg = core::Prg::from_os();
  const LayerInputs in = make_inputs(spec(2000), prg, /*edges=*/true);
  check_result(in, run_layer(spec(2000), in, /*tcp=*/false));
}

TEST_P(ElementwiseLayer, MatchesThePlaintextFunctionOverTcp) {
  FixedSeedScope seed(seed_of(0x62));
  auto prg = core::Prg::from_os();
  const LayerInputs in = make_inputs(spec(500), prg, /*edges=*/true);
  check_result(in, run_layer(spec(500), in, /*tcp=*/true));
}

std::vector<ElementwiseCase> elementwise_cases() {
  std::vector<ElementwiseCase> cases;
  const std::vector<std::pair<size_t, size_t>> widths = {{16, 0},  {16, 5},  {16, 15}, {32, 12},
                                                         {37, 12}, {37, 1},  {41, 12}, {41, 40},
                                                         {64, 0},  {64, 24}, {64, 63}, {1, 0}};
  for (NonLinearKind kind : {NonLinearKind::kReluTruncate, NonLinearKind::kTruncateRemask}) {
    for (auto [ell, shift] : widths) cases.push_back({kind, ell, shift});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Widths, ElementwiseLayer, ::testing::ValuesIn(elementwise_cases()),
                         [](const auto& param_info) {
                           const ElementwiseCase& c = param_info.param;
                           return std::string(c.kind == NonLinearKind::kReluTruncate ? "relu"
                                                                                     : "trunc") +
                                  "_l" + std::to_string(c.ell) + "_f" + std::to_string(c.shift);
                         });

// reserve() changes where the buffers' pages are faulted in, nothing else: the same result and
// the same bytes on the wire, for every kind.
TEST(NonLinearLayer, ReservingTheBuffersChangesNothingOnTheWire) {
  for (const NonLinearKind kind :
       {NonLinearKind::kReluTruncate, NonLinearKind::kTruncateRemask, NonLinearKind::kArgmax}) {
    SCOPED_TRACE(int(kind));
    const NonLinearSpec spec{kind, 37, kind == NonLinearKind::kArgmax ? 0u : 12u, 300, {}};
    LayerResult plain, reserved;
    LayerInputs in;
    for (const bool reserve : {false, true}) {
      FixedSeedScope seed(seed_of(0x6a));
      auto prg = core::Prg::from_os();
      in = make_inputs(spec, prg, /*edges=*/true);
      (reserve ? reserved : plain) = run_layer(spec, in, /*tcp=*/false, 0, reserve);
    }
    check_result(in, reserved);
    EXPECT_EQ(reserved.server_sent, plain.server_sent);
    EXPECT_EQ(reserved.client_sent, plain.client_sent);
  }
}

TEST(ReluLayerTcp, LargeLayerStreamsWithoutDeadlock) {
  // Tens of MiB in each direction: far more than the sockets buffer, so a schedule in which
  // both parties send large flights at once would block forever (and time out here).
  FixedSeedScope seed(seed_of(0x68));
  auto prg = core::Prg::from_os();
  NonLinearSpec spec{NonLinearKind::kReluTruncate, 37, 12, 20000, {}};
  const LayerInputs in = make_inputs(spec, prg, /*edges=*/true);
  TcpOptions opt;
  opt.io_timeout = std::chrono::seconds(20);
  GarblerSession gs;
  EvaluatorSession es;
  LayerResult res;
  test::run_tcp(
      [&](Channel& ch) {
        gs.setup(ch);
        NonLinearGarbler g(spec);
        g.offline(ch, gs);
        res.z = g.online(ch, in.u);
      },
      [&](Channel& ch) {
        es.setup(ch);
        NonLinearEvaluator e(spec);
        e.offline(ch, es, in.c, in.r);
        res.index = e.online(ch);
      },
      opt);
  check_result(in, res);
}

// 3×3 windows with stride 2 over a 7×7 map: windows overlap, and at the padded border an index
// repeats so every window lists 9 entries; a few 2×2 windows form a second group.
NonLinearSpec max_pool_spec(size_t ell, size_t shift) {
  NonLinearSpec spec{NonLinearKind::kMaxPoolReluTruncate, ell, shift, 49, {}};
  for (int oy = 0; oy < 4; ++oy) {
    for (int ox = 0; ox < 4; ++ox) {
      std::vector<uint32_t> w;
      for (int dy = -1; dy <= 1; ++dy) {
        for (int dx = -1; dx <= 1; ++dx) {
          const int y = std::clamp(2 * oy + dy, 0, 6);
          const int x = std::clamp(2 * ox + dx, 0, 6);
          w.push_back(static_cast<uint32_t>(7 * y + x));
        }
      }
      spec.windows.push_back(w);
    }
  }
  spec.windows.push_back({0, 1, 7, 8});
  spec.windows.push_back({40, 41, 47, 48});
  spec.windows.push_back({24});
  return spec;
}

TEST(MaxPoolLayer, MatchesThePlaintextFunction) {
  FixedSeedScope seed(seed_of(0x63));
  auto prg = core::Prg::from_os();
  for (auto [ell, shift] : {std::pair<size_t, size_t>{16, 4}, {41, 12}, {64, 20}}) {
    const NonLinearSpec spec = max_pool_spec(ell, shift);
    for (int trial = 0; trial < 6; ++trial) {
      const LayerInputs in = make_inputs(spec, prg, /*edges=*/trial == 0);
      check_result(in, run_layer(spec, in, false));
    }
  }
}

TEST(ArgmaxLayer, ReturnsTheIndexToTheClientOnly) {
  FixedSeedScope seed(seed_of(0x64));
  auto prg = core::Prg::from_os();
  for (size_t n : {1, 2, 10, 100}) {
    for (size_t ell : {16, 41, 64}) {
      const NonLinearSpec spec{NonLinearKind::kArgmax, ell, 0, n, {}};
      for (int trial = 0; trial < 3; ++trial) {
        const LayerInputs in = make_inputs(spec, prg, /*edges=*/trial == 0);
        check_result(in, run_layer(spec, in, false));
      }
    }
  }
}

// Large enough for several steps per phase (and several phase-B groups), so that threads
// really split the work.
NonLinearSpec big_max_pool_spec(size_t ell, size_t shift) {
  NonLinearSpec spec{NonLinearKind::kMaxPoolReluTruncate, ell, shift, 40 * 40, {}};
  for (uint32_t oy = 0; oy < 20; ++oy) {
    for (uint32_t ox = 0; ox < 20; ++ox) {
      const uint32_t i = 2 * oy * 40 + 2 * ox;
      spec.windows.push_back({i, i + 1, i + 40, i + 41});
    }
  }
  for (uint32_t o = 0; o < 300; ++o) spec.windows.push_back({(7 * o) % 1600, (7 * o + 3) % 1600});
  spec.windows.push_back({5});
  return spec;
}

class ThreadedLayer : public ::testing::TestWithParam<NonLinearKind> {};

TEST_P(ThreadedLayer, PoolsGiveTheSameResultAndTheSameBytesAsOneThread) {
  FixedSeedScope seed(seed_of(0x6b));
  auto prg = core::Prg::from_os();
  NonLinearSpec spec;
  switch (GetParam()) {
    case NonLinearKind::kMaxPoolReluTruncate:
      spec = big_max_pool_spec(37, 12);
      break;
    case NonLinearKind::kArgmax:
      spec = {NonLinearKind::kArgmax, 41, 0, 700, {}};
      break;
    default:
      spec = {GetParam(), 37, 12, 2000 + 13, {}};  // a partial last batch and step
  }
  const LayerInputs in = make_inputs(spec, prg, /*edges=*/true);
  std::optional<LayerResult> reference;
  for (size_t threads : {size_t{0}, size_t{2}, size_t{3}}) {
    FixedSeedScope again(seed_of(0x6c));  // the same session draws each time
    const LayerResult res = run_layer(spec, in, /*tcp=*/false, threads);
    check_result(in, res);
    if (!reference) {
      reference = res;
      continue;
    }
    EXPECT_EQ(res.server_sent, reference->server_sent) << threads << " threads";
    EXPECT_EQ(res.client_sent, reference->client_sent) << threads << " threads";
  }
  FixedSeedScope again(seed_of(0x6c));
  const LayerResult tcp = run_layer(spec, in, /*tcp=*/true, 2);
  check_result(in, tcp);
  EXPECT_EQ(tcp.server_sent, reference->server_sent);
  EXPECT_EQ(tcp.client_sent, reference->client_sent);
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, ThreadedLayer,
    ::testing::Values(NonLinearKind::kReluTruncate, NonLinearKind::kTruncateRemask,
                      NonLinearKind::kMaxPoolReluTruncate, NonLinearKind::kArgmax),
    [](const auto& param_info) { return std::to_string(static_cast<int>(param_info.param)); });

class ManyLayers : public ::testing::TestWithParam<bool> {};

TEST_P(ManyLayers, ShareOneSessionAndRunOnlineLater) {
  FixedSeedScope seed(seed_of(0x65));
  auto prg = core::Prg::from_os();
  const std::vector<NonLinearSpec> specs = {
      {NonLinearKind::kReluTruncate, 37, 12, 300, {}},
      max_pool_spec(37, 12),
      {NonLinearKind::kReluTruncate, 20, 3, 17, {}},
      {NonLinearKind::kTruncateRemask, 37, 12, 261, {}},
      {NonLinearKind::kArgmax, 37, 0, 10, {}},
  };
  std::vector<LayerInputs> inputs;
  for (const auto& s : specs) inputs.push_back(make_inputs(s, prg, true));
  std::vector<LayerResult> results(specs.size());
  GarblerSession gs;
  EvaluatorSession es;
  auto server = [&](Channel& ch) {
    gs.setup(ch);
    std::vector<NonLinearGarbler> layers;
    for (const auto& s : specs) layers.emplace_back(s);
    for (auto& l : layers) l.offline(ch, gs);
    for (size_t i = 0; i < layers.size(); ++i) results[i].z = layers[i].online(ch, inputs[i].u);
  };
  auto client = [&](Channel& ch) {
    es.setup(ch);
    std::vector<NonLinearEvaluator> layers;
    for (const auto& s : specs) layers.emplace_back(s);
    for (size_t i = 0; i < layers.size(); ++i) layers[i].offline(ch, es, inputs[i].c, inputs[i].r);
    for (size_t i = 0; i < layers.size(); ++i) results[i].index = layers[i].online(ch);
  };
  if (GetParam()) {
    test::run_tcp(server, client);
  } else {
    test::run_memory(server, client);
  }
  for (size_t i = 0; i < specs.size(); ++i) check_result(inputs[i], results[i]);
}

INSTANTIATE_TEST_SUITE_P(Transports, ManyLayers, ::testing::Values(false, true),
                         [](const auto& param_info) {
                           return param_info.param ? std::string("Tcp") : std::string("Memory");
                         });

TEST(NonLinearLayer, TrafficMatchesTheCostModelWithOneRoundTripOnline) {
  FixedSeedScope seed(seed_of(0x66));
  auto prg = core::Prg::from_os();
  for (const NonLinearSpec& spec :
       {NonLinearSpec{NonLinearKind::kReluTruncate, 37, 12, 5000, {}}, max_pool_spec(41, 12),
        NonLinearSpec{NonLinearKind::kArgmax, 37, 0, 10, {}},
        NonLinearSpec{NonLinearKind::kTruncateRemask, 37, 12, 3000, {}}}) {
    const LayerInputs in = make_inputs(spec, prg, false);
    GarblerSession gs;
    EvaluatorSession es;
    TrafficStats off, on;
    size_t held = 0, held_after = 1;
    test::run_memory(
        [&](Channel& raw) {
          CountingChannel ch(raw);
          {
            PhaseScope p(ch, "setup");
            gs.setup(ch);
          }
          NonLinearGarbler g(spec);
          {
            PhaseScope p(ch, "offline");
            g.offline(ch, gs);
          }
          PhaseScope p(ch, "online");
          g.online(ch, in.u);
          off = ch.phase_stats("offline");
          on = ch.phase_stats("online");
        },
        [&](Channel& ch) {
          es.setup(ch);
          NonLinearEvaluator e(spec);
          e.offline(ch, es, in.c, in.r);
          held = e.held_bytes();
          e.online(ch);
          held_after = e.held_bytes();
        });
    const NonLinearCost c = cost(spec);
    EXPECT_EQ(held, c.client_held_bytes);
    EXPECT_EQ(held_after, 0u);
    EXPECT_EQ(off.bytes_received, c.offline_client_to_server);
    EXPECT_EQ(off.bytes_sent, c.offline_server_to_client);
    EXPECT_EQ(on.bytes_sent, c.online_server_to_client);
    EXPECT_EQ(on.bytes_received, c.online_client_to_server);
    EXPECT_EQ(on.rounds, spec.kind == NonLinearKind::kArgmax ? 1u : 2u);
    if (spec.kind == NonLinearKind::kReluTruncate) {
      // ≤ ℓ·16 + ℓ/8 bytes per ReLU online; 3ℓ − f − 3 ANDs; under 6.5 KB in total.
      EXPECT_EQ(c.and_gates, spec.n_in * (3 * 37 - 12 - 3));
      EXPECT_LE(c.online_server_to_client + c.online_client_to_server,
                spec.n_in * (37 * 16 + 37 / 8 + 1));
      const uint64_t total = c.offline_client_to_server + c.offline_server_to_client +
                             c.online_server_to_client + c.online_client_to_server;
      EXPECT_LT(total, spec.n_in * 6500);
      // Tables (96 ANDs · 32 B) and the labels of c and r' (74 · 16 B) per ReLU.
      EXPECT_EQ(c.client_held_bytes, spec.n_in * (96 * 32 + 74 * 16));
    }
    if (spec.kind == NonLinearKind::kTruncateRemask) {
      // 2ℓ − 2 ANDs; the same online traffic as ReLU.
      EXPECT_EQ(c.and_gates, spec.n_in * (2 * 37 - 2));
      EXPECT_EQ(c.cot_bits, spec.n_in * 2 * 37);
      EXPECT_EQ(c.online_server_to_client, spec.n_in * 37 * 16);
      EXPECT_EQ(c.online_client_to_server, (spec.n_in * 37 + 7) / 8);
    }
  }
}

TEST(NonLinearLayer, PreparedMaterialIsUsedExactlyOnce) {
  FixedSeedScope seed(seed_of(0x67));
  auto prg = core::Prg::from_os();
  const NonLinearSpec spec{NonLinearKind::kReluTruncate, 16, 4, 10, {}};
  const LayerInputs in = make_inputs(spec, prg, false);
  GarblerSession gs;
  EvaluatorSession es;
  test::run_memory(
      [&](Channel& ch) {
        NonLinearGarbler g(spec);
        EXPECT_THROW(g.online(ch, in.u), std::invalid_argument);  // not prepared
        EXPECT_THROW(g.offline(ch, gs), std::invalid_argument);   // session not set up
        gs.setup(ch);
        g.offline(ch, gs);
        EXPECT_THROW(g.offline(ch, gs), std::invalid_argument);
        EXPECT_THROW(g.online(ch, std::vector<uint64_t>(3)), std::invalid_argument);
        g.online(ch, in.u);
        EXPECT_THROW(g.online(ch, in.u), std::invalid_argument);  // used
      },
      [&](Channel& ch) {
        NonLinearEvaluator e(spec);
        EXPECT_THROW(e.online(ch), std::invalid_argument);
        es.setup(ch);
        EXPECT_THROW(e.offline(ch, es, in.c, {}), std::invalid_argument);  // r' missing
        e.offline(ch, es, in.c, in.r);
        EXPECT_THROW(e.reserve(), std::invalid_argument);  // after offline()
        e.online(ch);
        EXPECT_THROW(e.online(ch), std::invalid_argument);
      });
}

TEST(NonLinearSpec, InvalidSpecsAreRejectedWithAReason) {
  using K = NonLinearKind;
  EXPECT_THROW(validate({K::kReluTruncate, 0, 0, 4, {}}), std::invalid_argument);
  EXPECT_THROW(validate({K::kReluTruncate, 65, 0, 4, {}}), std::invalid_argument);
  EXPECT_THROW(validate({K::kReluTruncate, 16, 16, 4, {}}), std::invalid_argument);
  EXPECT_THROW(validate({K::kReluTruncate, 16, 4, 0, {}}), std::invalid_argument);
  EXPECT_THROW(validate({K::kMaxPoolReluTruncate, 16, 4, 4, {}}), std::invalid_argument);
  EXPECT_THROW(validate({K::kMaxPoolReluTruncate, 16, 4, 4, {{0, 4}}}), std::invalid_argument);
  EXPECT_THROW(validate({K::kMaxPoolReluTruncate, 16, 4, 4, {{}}}), std::invalid_argument);
  EXPECT_THROW(validate({K::kArgmax, 16, 2, 4, {}}), std::invalid_argument);
  EXPECT_THROW(validate({K::kTruncateRemask, 16, 16, 4, {}}), std::invalid_argument);
  EXPECT_THROW(validate({K::kTruncateRemask, 16, 4, 4, {{0}}}), std::invalid_argument);
  EXPECT_THROW(validate({K::kTruncateRemask, 16, 4, 0, {}}), std::invalid_argument);
  EXPECT_NO_THROW(validate({K::kTruncateRemask, 64, 63, 1, {}}));
  try {
    validate({K::kReluTruncate, 16, 20, 4, {}});
    ADD_FAILURE() << "a shift wider than ℓ was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("shift"), std::string::npos);
  }
}

}  // namespace
}  // namespace pg::mpc
