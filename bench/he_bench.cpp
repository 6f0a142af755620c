#include <benchmark/benchmark.h>

#include <vector>

#include "core/prg.h"
#include "he/ntt.h"
#include "he/primes.h"

namespace {

using namespace pg::he;

void BM_NttForward(benchmark::State& state) {
  const size_t n = size_t(state.range(0));
  const Modulus q(ntt_primes(60, n, 1)[0]);
  const NttTables t(n, q);
  auto prg = pg::core::Prg::from_os();
  U64Vec a(n);
  for (auto& v : a) v = prg.uniform_below(q.value());
  for (auto _ : state) {
    t.forward(a.data());
    benchmark::DoNotOptimize(a.data());
  }
}
BENCHMARK(BM_NttForward)->Arg(4096)->Arg(8192)->Arg(16384);

void BM_NttInverse(benchmark::State& state) {
  const size_t n = size_t(state.range(0));
  const Modulus q(ntt_primes(60, n, 1)[0]);
  const NttTables t(n, q);
  auto prg = pg::core::Prg::from_os();
  U64Vec a(n);
  for (auto& v : a) v = prg.uniform_below(q.value());
  for (auto _ : state) {
    t.inverse(a.data());
    benchmark::DoNotOptimize(a.data());
  }
}
BENCHMARK(BM_NttInverse)->Arg(4096)->Arg(8192)->Arg(16384);

void BM_NttForwardScalar(benchmark::State& state) {
  const size_t n = size_t(state.range(0));
  const Modulus q(ntt_primes(60, n, 1)[0]);
  const NttTables t(n, q);
  auto prg = pg::core::Prg::from_os();
  U64Vec a(n);
  for (auto& v : a) v = prg.uniform_below(q.value());
  for (auto _ : state) {
    t.forward_scalar(a.data());
    benchmark::DoNotOptimize(a.data());
  }
}
BENCHMARK(BM_NttForwardScalar)->Arg(8192);

}  // namespace

BENCHMARK_MAIN();
