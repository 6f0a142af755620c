// The bytes on the wire of a fixed session, hashed: any change to the protocol's messages
// (order, encoding, OT or garbling scheme, the circuits, tweaks, the fixed AES key) changes these
// values. If a change is intended, update the constants and say so in the commit message.
#include <gtest/gtest.h>

#include <memory>

#include "core/testing.h"
#include "core/thread_pool.h"
#include "mpc/nonlinear_evaluator.h"
#include "mpc/nonlinear_garbler.h"
#include "test_util.h"
#include "two_party.h"

namespace pg::mpc {
namespace {

// threads = 0: the one-thread calls; otherwise each party garbles/evaluates on its own pool of
// that many threads, which must not change a byte.
class GoldenTranscript : public ::testing::TestWithParam<size_t> {};

TEST_P(GoldenTranscript, FixedSeedSessionHashesToTheStoredValues) {
  core::testing::FixedSeedScope seed(core::testing::seed_of(0x99));
  const size_t threads = GetParam();
  std::unique_ptr<core::ThreadPool> server_pool, client_pool;
  if (threads > 0) {
    server_pool = std::make_unique<core::ThreadPool>(threads);
    client_pool = std::make_unique<core::ThreadPool>(threads);
  }
  GarblerSession gs;  // construction order fixes which seed each party draws
  EvaluatorSession es;
  auto prg = core::Prg::from_os();
  const std::vector<NonLinearSpec> specs = {
      {NonLinearKind::kReluTruncate, 16, 4, 20, {}},
      {NonLinearKind::kMaxPoolReluTruncate, 24, 6, 6, {{0, 1, 2, 2}, {2, 3, 4, 5}, {5}}},
      {NonLinearKind::kArgmax, 20, 0, 10, {}},
  };
  std::vector<std::vector<uint64_t>> u, c, r;
  for (const auto& s : specs) {
    const uint64_t mask = (uint64_t{1} << s.ell) - 1;
    auto draw = [&](size_t n) {
      std::vector<uint64_t> v(n);
      for (auto& x : v) x = prg.next_u64() & mask;
      return v;
    };
    u.push_back(draw(s.n_in));
    c.push_back(draw(s.n_in));
    r.push_back(s.kind == NonLinearKind::kArgmax ? std::vector<uint64_t>{} : draw(num_outputs(s)));
  }
  std::string server_hex, client_hex;
  test::run_memory(
      [&](Channel& raw) {
        test::HashingChannel ch(raw);
        gs.setup(ch);
        std::vector<NonLinearGarbler> layers;
        for (const auto& s : specs) layers.emplace_back(s);
        for (auto& l : layers) {
          if (server_pool) {
            l.offline(ch, gs, *server_pool);
          } else {
            l.offline(ch, gs);
          }
        }
        for (size_t i = 0; i < layers.size(); ++i) layers[i].online(ch, u[i]);
        server_hex = ch.hex();
      },
      [&](Channel& raw) {
        test::HashingChannel ch(raw);
        es.setup(ch);
        std::vector<NonLinearEvaluator> layers;
        for (const auto& s : specs) layers.emplace_back(s);
        for (size_t i = 0; i < layers.size(); ++i) layers[i].offline(ch, es, c[i], r[i]);
        for (auto& l : layers) {
          if (client_pool) {
            l.online(ch, *client_pool);
          } else {
            l.online(ch);
          }
        }
        client_hex = ch.hex();
      });
  EXPECT_EQ(server_hex, "fe9da558a87afce231a233902a734ea4b361578fc150befaf288a22b19032ed2");
  EXPECT_EQ(client_hex, "35f93509559a08f4a0f8035d8fdfaf2fc163c872e376b94e5dcdc1f790c5d9ee");
}

INSTANTIATE_TEST_SUITE_P(Threads, GoldenTranscript, ::testing::Values(0, 1, 2, 3),
                         [](const auto& param_info) {
                           return "t" + std::to_string(param_info.param);
                         });

}  // namespace
}  // namespace pg::mpc
