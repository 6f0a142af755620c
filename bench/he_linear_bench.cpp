// MiniONN-CIFAR-10's 3x3 64->64 convolution on 32x32 (padding 1) as one HE term, ℓ = 37,
// weights below 2^13, σ' of the term alone:
//   BM_HeConvCoeff/threads   server compute (HeLinearServer::respond), coefficient packing, kAuto
//   BM_HeConvSlot/threads    the same with the slot-encoded baseline
//   BM_HeConvEncrypt/packing and BM_HeConvDecrypt/packing   the client's side (1 thread)
// Counter `bytes`: the traffic of one block (request + reply). Key generation and the server's
// kernel preparation happen once, outside the timed loop. bench/he_layers prints the per-layer
// table for whole networks.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <vector>

#include "core/prg.h"
#include "core/thread_pool.h"
#include "he_linear_plans.h"
#include "nn/kernels/conv_geometry.h"
#include "nn/plan.h"
#include "protocol/linear/he_linear.h"

namespace {

using namespace pg;
using protocol::HePacking;

nn::Plan cifar_conv_plan() {
  return bench::one_term_plan(nn::kernels::square_conv(64, 32, 32, 64, 3, 1, 1), false);
}

// One client/server pair per (packing, threads), built on first use.
struct Pair {
  nn::Plan plan = cifar_conv_plan();
  std::unique_ptr<core::ThreadPool> pool;
  protocol::HeOptions opt;
  std::unique_ptr<protocol::HeLinearClient> client;
  std::unique_ptr<protocol::HeLinearServer> server;
  std::unique_ptr<protocol::HeClientKeys> keys;
  std::vector<uint64_t> r, t;
  core::Bytes request, reply;

  Pair(HePacking packing, size_t threads) {
    if (threads != 1) pool = std::make_unique<core::ThreadPool>(threads);
    opt = protocol::HeOptions{protocol::HeScheme::kAuto, packing, pool.get()};
    client = std::make_unique<protocol::HeLinearClient>(plan.architecture(), opt);
    server = std::make_unique<protocol::HeLinearServer>(plan, opt);
    auto k = protocol::HeClientKeys::parse(plan.architecture(), opt, client->public_material());
    keys = std::make_unique<protocol::HeClientKeys>(std::move(k).value());
    core::Prg prg = core::Prg::from_os();
    r.resize(plan.tensors[0].size());
    for (auto& v : r) v = prg.next_u64() & ((uint64_t{1} << 37) - 1);
    t.resize(plan.tensors[1].size());
    request = client->encrypt(0, r);
    reply = server->respond(0, request, *keys, t, prg).value();
  }
};

Pair& pair(HePacking packing, size_t threads) {
  static std::map<std::pair<int, size_t>, std::unique_ptr<Pair>> pairs;
  auto& p = pairs[{int(packing), threads}];
  if (!p) p = std::make_unique<Pair>(packing, threads);
  return *p;
}

void server_compute(benchmark::State& state, HePacking packing) {
  Pair& p = pair(packing, size_t(state.range(0)));
  core::Prg prg = core::Prg::from_os();
  for (auto _ : state) {
    auto reply = p.server->respond(0, p.request, *p.keys, p.t, prg);
    benchmark::DoNotOptimize(reply);
  }
  const auto st = p.server->stats(0);
  state.counters["bytes"] = double(st.request_bytes + st.reply_bytes);
  state.counters["N"] = double(st.ring_degree);
  state.counters["mults"] = double(st.ct_pt_mults);
  state.counters["rots"] = double(st.rotations);
}

void BM_HeConvCoeff(benchmark::State& state) {
  server_compute(state, HePacking::kCoefficient);
}
BENCHMARK(BM_HeConvCoeff)
    ->Arg(1)
    ->Arg(0)
    ->ArgName("threads")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_HeConvSlot(benchmark::State& state) {
  server_compute(state, HePacking::kSlot);
}
BENCHMARK(BM_HeConvSlot)
    ->Arg(1)
    ->Arg(0)
    ->ArgName("threads")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_HeConvEncrypt(benchmark::State& state) {
  Pair& p = pair(HePacking(state.range(0)), 1);
  for (auto _ : state) benchmark::DoNotOptimize(p.client->encrypt(0, p.r));
  state.counters["bytes"] = double(p.request.size());
}
BENCHMARK(BM_HeConvEncrypt)
    ->Arg(0)
    ->Arg(1)
    ->ArgName("slot")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_HeConvDecrypt(benchmark::State& state) {
  Pair& p = pair(HePacking(state.range(0)), 1);
  for (auto _ : state) benchmark::DoNotOptimize(p.client->decrypt(0, p.reply));
  state.counters["bytes"] = double(p.reply.size());
}
BENCHMARK(BM_HeConvDecrypt)
    ->Arg(0)
    ->Arg(1)
    ->ArgName("slot")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
