// The two-party layer: base OT, IKNP OT extension, half-gates garbling and evaluation, and the
// non-linear layers offline and online. One thread per party unless said: the benchmark thread is
// the server (garbler, OT sender) and a second thread the client, over the in-memory channel.
// Rates are user counters readable from --benchmark_format=json:
//   BM_BaseOt           us_per_ot
//   BM_OtExtension      ot_per_s, bytes_per_ot (random OT with random choices; /cot: COT)
//   BM_GcGarble         and_per_s (in memory, no channel)
//   BM_GcEvaluate       and_per_s
//   BM_ReluOffline/ℓ    us_per_relu, bytes_per_relu (f_w = 12, 2^14 ReLUs per layer)
//   BM_ReluOnline/ℓ     us_per_relu, bytes_per_relu
//   BM_Relu{Offline,Online}Threads/ℓ/T   the same with T threads per party
//   BM_Truncate{Offline,Online}/ℓ        us_per_elem, bytes_per_elem (truncate-remask)
// and, for the layers, server_cpu_us and client_cpu_us (each party's thread, per element) and
// cpu_us (the process: both parties and their pools).
#include <benchmark/benchmark.h>

#include <time.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "mpc/base_ot.h"
#include "mpc/counting_channel.h"
#include "mpc/int_circuits.h"
#include "mpc/memory_channel.h"
#include "mpc/nonlinear_evaluator.h"
#include "mpc/nonlinear_garbler.h"

namespace {

using namespace pg::mpc;  // NOLINT: benchmark file
using Clock = std::chrono::steady_clock;

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// CPU time of each party, summed over runs: on a shared machine the wall time is noisy, these
// much less so.
struct PartyCpu {
  double server = 0;
  double client = 0;
  double process = 0;  // all threads of the process
};

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Runs server(ch_a) here and client(ch_b) on a second thread; returns the wall time of both.
double run_pair(Channel& a, Channel& b, const std::function<void(Channel&)>& server,
                const std::function<void(Channel&)>& client, PartyCpu* cpu = nullptr) {
  const auto t0 = Clock::now();
  const double p0 = process_cpu_seconds();
  double client_cpu = 0;
  std::thread t([&] {
    const double c0 = thread_cpu_seconds();
    client(b);
    client_cpu = thread_cpu_seconds() - c0;
  });
  const double s0 = thread_cpu_seconds();
  server(a);
  const double server_cpu = thread_cpu_seconds() - s0;
  t.join();
  if (cpu != nullptr) {
    cpu->server += server_cpu;
    cpu->client += client_cpu;
    cpu->process += process_cpu_seconds() - p0;
  }
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

void BM_BaseOt(benchmark::State& state) {
  auto [a, b] = MemoryChannel::make_pair();
  auto sprg = pg::core::Prg::from_os();
  auto rprg = pg::core::Prg::from_os();
  const size_t n = 128;
  std::vector<uint8_t> choices(n / 8, 0x6c);
  OtKeys k0, k1, kc;
  double total = 0;
  for (auto _ : state) {
    total += run_pair(
        *a, *b, [&](Channel& ch) { base_ot_send(ch, sprg, n, k0, k1); },
        [&](Channel& ch) { base_ot_recv(ch, rprg, choices.data(), n, kc); });
  }
  state.counters["us_per_ot"] = 1e6 * total / (static_cast<double>(state.iterations()) * n);
}
BENCHMARK(BM_BaseOt)->Unit(benchmark::kMillisecond)->UseRealTime();

void ot_extension(benchmark::State& state, bool random_ot) {
  const size_t n = size_t{1} << 20;
  auto [a, b] = MemoryChannel::make_pair();
  CountingChannel count_a(*a);
  auto sprg = pg::core::Prg::from_os();
  auto rprg = pg::core::Prg::from_os();
  IknpSender sender(sprg.next_block() | make_block(0, 1));
  IknpReceiver receiver;
  run_pair(
      count_a, *b, [&](Channel& ch) { sender.setup(ch, sprg); },
      [&](Channel& ch) { receiver.setup(ch, rprg); });
  std::vector<uint8_t> choices(n / 8);
  rprg.fill(choices);
  SecretBlocks m0(n), m1(n), mr(n);
  count_a.reset();
  double total = 0;
  for (auto _ : state) {
    total += run_pair(
        count_a, *b,
        [&](Channel& ch) {
          if (random_ot) {
            sender.send_rot(ch, m0.data(), m1.data(), n);
          } else {
            sender.send_cot(ch, m0.data(), n);
          }
        },
        [&](Channel& ch) {
          if (random_ot) {
            receiver.recv_rot(ch, choices.data(), mr.data(), n);
          } else {
            receiver.recv_cot(ch, choices.data(), mr.data(), n);
          }
        });
  }
  const double ots = static_cast<double>(state.iterations()) * n;
  state.counters["ot_per_s"] = ots / total;
  state.counters["bytes_per_ot"] = static_cast<double>(count_a.total().bytes_total()) / ots;
}
void BM_OtExtension(benchmark::State& state) {
  ot_extension(state, true);
}
void BM_OtExtensionCot(benchmark::State& state) {
  ot_extension(state, false);
}
BENCHMARK(BM_OtExtension)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_OtExtensionCot)->Unit(benchmark::kMillisecond)->UseRealTime();

// Garbling and evaluation in memory: the ReLU-truncate-remask circuits (ℓ = 37, f = 12) over
// 8 lanes, 512 batches per iteration.
struct GcWorkload {
  Circuit adder = circuits::share_adder(37, 12);
  Circuit relu = circuits::window_relu_remask(37, 12, 1);
  static constexpr size_t kBatches = 512;
  uint64_t ands_per_iteration() const {
    return (adder.and_count() + relu.and_count()) * kMaxLanes * kBatches;
  }
};

// Runs `step(circuit, labels, tables)` over the workload's batches; reports AND gates per second.
template <typename Step>
void gc_loop(benchmark::State& state, Step&& step) {
  GcWorkload w;
  auto prg = pg::core::Prg::from_os();
  std::vector<Block> la(w.adder.num_slots() * kMaxLanes), lr(w.relu.num_slots() * kMaxLanes);
  prg.fill_blocks(la.data(), la.size());
  prg.fill_blocks(lr.data(), lr.size());
  std::vector<Block> tables(2 * w.ands_per_iteration() / GcWorkload::kBatches);
  prg.fill_blocks(tables.data(), tables.size());
  Block* relu_tables = tables.data() + table_blocks(w.adder, kMaxLanes);
  for (auto _ : state) {
    for (size_t i = 0; i < GcWorkload::kBatches; ++i) {
      step(w.adder, la.data(), tables.data());
      step(w.relu, lr.data(), relu_tables);
    }
    benchmark::DoNotOptimize(tables.data());
    benchmark::DoNotOptimize(la.data());
  }
  state.counters["and_per_s"] =
      benchmark::Counter(static_cast<double>(w.ands_per_iteration() * state.iterations()),
                         benchmark::Counter::kIsRate);
}

void BM_GcGarble(benchmark::State& state) {
  auto prg = pg::core::Prg::from_os();
  HalfGateGarbler gen(prg.next_block() | make_block(0, 1));
  uint64_t tweak = 0;
  gc_loop(state, [&](const Circuit& c, Block* labels, Block* tables) {
    gen.garble(c, kMaxLanes, labels, tables, tweak);
  });
}
BENCHMARK(BM_GcGarble)->Unit(benchmark::kMillisecond);

void BM_GcEvaluate(benchmark::State& state) {
  HalfGateEvaluator eva;
  uint64_t tweak = 0;
  gc_loop(state, [&](const Circuit& c, Block* labels, Block* tables) {
    eva.evaluate(c, kMaxLanes, labels, tables, tweak);
  });
}
BENCHMARK(BM_GcEvaluate)->Unit(benchmark::kMillisecond);

// One layer of 2^14 elements at ℓ = state.range(0), f_w = 12, with a session set up once.
// `threads` > 1 gives each party its own pool of that many threads (the garbler's offline and
// the evaluator's online use it).
struct LayerBench {
  static constexpr size_t kN = size_t{1} << 14;
  NonLinearSpec spec;
  std::unique_ptr<MemoryChannel> a, b;
  std::unique_ptr<CountingChannel> count_a;
  GarblerSession gs;
  EvaluatorSession es;
  std::unique_ptr<pg::core::ThreadPool> server_pool, client_pool;
  std::vector<uint64_t> u, c, r;

  LayerBench(NonLinearKind kind, size_t ell, size_t threads) : spec{kind, ell, 12, kN, {}} {
    auto pair = MemoryChannel::make_pair();
    a = std::move(pair.first);
    b = std::move(pair.second);
    count_a = std::make_unique<CountingChannel>(*a);
    if (threads > 1) {
      server_pool = std::make_unique<pg::core::ThreadPool>(threads);
      client_pool = std::make_unique<pg::core::ThreadPool>(threads);
    }
    run_pair(
        *count_a, *b, [&](Channel& ch) { gs.setup(ch); }, [&](Channel& ch) { es.setup(ch); });
    count_a->reset();
    auto prg = pg::core::Prg::from_os();
    const uint64_t mask = ell == 64 ? ~0ull : (1ull << ell) - 1;
    for (auto* v : {&u, &c, &r}) {
      v->resize(kN);
      for (auto& x : *v) x = prg.next_u64() & mask;
    }
    // Warm-up: a first layer faults in the buffers that later layers reuse (see block.h).
    NonLinearGarbler g(spec);
    NonLinearEvaluator e(spec);
    offline(g, e, nullptr);
    online(g, e, nullptr);
    count_a->reset();
  }
  // Offline of one layer; returns its wall time.
  double offline(NonLinearGarbler& g, NonLinearEvaluator& e, PartyCpu* party_cpu) {
    return run_pair(
        *count_a, *b,
        [&](Channel& ch) {
          if (server_pool) {
            g.offline(ch, gs, *server_pool);
          } else {
            g.offline(ch, gs);
          }
        },
        [&](Channel& ch) { e.offline(ch, es, c, r); }, party_cpu);
  }
  double online(NonLinearGarbler& g, NonLinearEvaluator& e, PartyCpu* party_cpu) {
    return run_pair(
        *count_a, *b, [&](Channel& ch) { benchmark::DoNotOptimize(g.online(ch, u)); },
        [&](Channel& ch) {
          if (client_pool) {
            e.online(ch, *client_pool);
          } else {
            e.online(ch);
          }
        },
        party_cpu);
  }
  // us_per_<unit> (wall), bytes_per_<unit>; per-party CPU of the two party threads (without
  // their pools' workers) and cpu_us, the whole process's CPU time (both parties, all threads).
  static void report(benchmark::State& state, const char* unit, double seconds, uint64_t bytes,
                     const PartyCpu& cpu) {
    const double n = static_cast<double>(state.iterations()) * kN;
    state.counters[std::string("us_per_") + unit] = 1e6 * seconds / n;
    state.counters[std::string("bytes_per_") + unit] = static_cast<double>(bytes) / n;
    state.counters["server_cpu_us"] = 1e6 * cpu.server / n;
    state.counters["client_cpu_us"] = 1e6 * cpu.client / n;
    state.counters["cpu_us"] = 1e6 * cpu.process / n;
  }
};

void layer_offline(benchmark::State& state, NonLinearKind kind, size_t threads, const char* unit) {
  LayerBench bench(kind, static_cast<size_t>(state.range(0)), threads);
  double total = 0;
  PartyCpu cpu;
  for (auto _ : state) {
    NonLinearGarbler g(bench.spec);
    NonLinearEvaluator e(bench.spec);
    const double t = bench.offline(g, e, &cpu);
    state.SetIterationTime(t);
    total += t;
  }
  LayerBench::report(state, unit, total, bench.count_a->total().bytes_total(), cpu);
}

void layer_online(benchmark::State& state, NonLinearKind kind, size_t threads, const char* unit) {
  LayerBench bench(kind, static_cast<size_t>(state.range(0)), threads);
  double total = 0;
  uint64_t bytes = 0;
  PartyCpu cpu;
  for (auto _ : state) {
    NonLinearGarbler g(bench.spec);
    NonLinearEvaluator e(bench.spec);
    bench.offline(g, e, nullptr);
    bench.count_a->reset();
    const double t = bench.online(g, e, &cpu);
    bytes += bench.count_a->total().bytes_total();
    state.SetIterationTime(t);
    total += t;
  }
  LayerBench::report(state, unit, total, bytes, cpu);
}

void BM_ReluOffline(benchmark::State& state) {
  layer_offline(state, NonLinearKind::kReluTruncate, 1, "relu");
}
void BM_ReluOnline(benchmark::State& state) {
  layer_online(state, NonLinearKind::kReluTruncate, 1, "relu");
}
void relu_widths(benchmark::internal::Benchmark* b) {
  for (int ell : {32, 37, 41, 64}) b->Arg(ell);
  b->UseManualTime()->Unit(benchmark::kMillisecond);
}
BENCHMARK(BM_ReluOffline)->Apply(relu_widths);
BENCHMARK(BM_ReluOnline)->Apply(relu_widths);

// /ℓ/T: T threads per party.
void BM_ReluOfflineThreads(benchmark::State& state) {
  layer_offline(state, NonLinearKind::kReluTruncate, static_cast<size_t>(state.range(1)), "relu");
}
void BM_ReluOnlineThreads(benchmark::State& state) {
  layer_online(state, NonLinearKind::kReluTruncate, static_cast<size_t>(state.range(1)), "relu");
}
BENCHMARK(BM_ReluOfflineThreads)->Args({37, 2})->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReluOnlineThreads)->Args({37, 2})->UseManualTime()->Unit(benchmark::kMillisecond);

// Truncate-remask (no ReLU): us_per_elem, bytes_per_elem.
void BM_TruncateOffline(benchmark::State& state) {
  layer_offline(state, NonLinearKind::kTruncateRemask, 1, "elem");
}
void BM_TruncateOnline(benchmark::State& state) {
  layer_online(state, NonLinearKind::kTruncateRemask, 1, "elem");
}
BENCHMARK(BM_TruncateOffline)->Arg(37)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TruncateOnline)->Arg(37)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
