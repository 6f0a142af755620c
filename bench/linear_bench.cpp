// Online linear kernels on MiniONN-CIFAR-10's 3x3 64->64 convolution on a 32x32 image (pad 1):
//   BM_OnlineConvExact/ell/threads     the exact kernel as the protocol calls it (kAuto)
//   BM_OnlineConvDouble/threads        plain double im2col + OpenBLAS dgemm on real values
//   BM_OnlineConvMethod/m/ell/threads  each exact method (m indexes kExactMethods)
//   BM_OnlineConvModular/threads       the Delphi-style prime-field kernel (p = 15·2^37 + 1)
//   BM_OnlineConvDirect                the naive direct convolution on shares
//   BM_PeakInt16Madd, BM_PeakFp64Fma   one core's peak multiply-accumulate rates (GMAC/s)
// Weights are trained-like (linear_bench_util.h); shares are uniform. bench/online_layers prints
// the per-layer table for whole networks.
#include <benchmark/benchmark.h>

#include <vector>

#include "core/prg.h"
#include "core/thread_pool.h"
#include "linear_bench_util.h"
#include "nn/kernels/fp64_gemm.h"
#include "nn/kernels/modular_conv.h"
#include "nn/kernels/ring_conv.h"

namespace {

using pg::nn::kernels::ConvGeometry;
using pg::nn::kernels::RingConv;
using pg::nn::kernels::RingMethod;

struct Fixture {
  ConvGeometry g = pg::bench::conv3(64, 32, 64);
  std::vector<int64_t> w;
  std::vector<uint64_t> x;
  Fixture() {
    auto prg = pg::core::Prg::from_os();
    w = pg::bench::trained_like_weights(g, prg);
    x = pg::bench::uniform_shares(g.in_size(), prg);
  }
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

void set_counters(benchmark::State& state, const ConvGeometry& g) {
  state.counters["macs"] = double(g.out_size() * g.taps());
  state.counters["GMAC/s"] = benchmark::Counter(double(g.out_size() * g.taps()) * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
}

void run_ring(benchmark::State& state, RingMethod m, int ell, size_t threads) {
  const Fixture& f = fixture();
  RingConv conv(f.g, f.w);
  if (!conv.supports(m, ell)) {
    state.SkipWithError("method does not support this layer and ring");
    return;
  }
  pg::core::ThreadPool pool(threads);
  std::vector<uint64_t> y(f.g.out_size());
  conv.apply(f.x, ell, y, m, &pool);  // builds the method's prepared weights
  for (auto _ : state) {
    conv.apply(f.x, ell, y, m, &pool);
    benchmark::DoNotOptimize(y.data());
  }
  state.SetLabel(
      pg::nn::kernels::method_name(m == RingMethod::kAuto ? conv.choose(ell, threads) : m));
  state.counters["passes"] = conv.gemm_passes(m, ell);
  set_counters(state, f.g);
}

void BM_OnlineConvExact(benchmark::State& state) {
  run_ring(state, RingMethod::kAuto, int(state.range(0)), size_t(state.range(1)));
}
BENCHMARK(BM_OnlineConvExact)
    ->ArgsProduct({{37, 41, 64}, {1, 2}})
    ->ArgNames({"ell", "threads"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_OnlineConvMethod(benchmark::State& state) {
  run_ring(state, pg::nn::kernels::kExactMethods[state.range(0)], int(state.range(1)),
           size_t(state.range(2)));
}
BENCHMARK(BM_OnlineConvMethod)
    ->ArgsProduct({{1, 2, 3, 4, 5, 6}, {37, 41}, {1, 2}})
    ->ArgNames({"method", "ell", "threads"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_OnlineConvDouble(benchmark::State& state) {
  const Fixture& f = fixture();
  pg::nn::kernels::set_gemm_threads(int(state.range(0)));
  std::vector<double> w(f.w.begin(), f.w.end()), x(f.g.in_size()), y(f.g.out_size());
  for (size_t i = 0; i < x.size(); ++i) x[i] = double(int64_t(f.x[i] >> 40)) / 4096.0;
  for (auto _ : state) {
    pg::nn::kernels::conv2d_double(f.g, w, x, y);
    benchmark::DoNotOptimize(y.data());
  }
  set_counters(state, f.g);
}
BENCHMARK(BM_OnlineConvDouble)
    ->Arg(1)
    ->Arg(2)
    ->ArgName("threads")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_OnlineConvModular(benchmark::State& state) {
  const Fixture& f = fixture();
  pg::nn::kernels::ModularConv conv(f.g, f.w);
  std::vector<uint64_t> x(f.x.size()), y(f.g.out_size());
  for (size_t i = 0; i < x.size(); ++i) x[i] = f.x[i] % conv.modulus();
  pg::core::ThreadPool pool(size_t(state.range(0)));
  for (auto _ : state) {
    conv.apply(x, y, pool);
    benchmark::DoNotOptimize(y.data());
  }
  set_counters(state, f.g);
}
BENCHMARK(BM_OnlineConvModular)
    ->Arg(1)
    ->Arg(2)
    ->ArgName("threads")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The machine's peak, for the efficiency of the kernels above: 12 independent register-only
// vpmaddwd (16 int16 multiply-accumulates each) or vfmadd231pd (4 double MACs each) per loop.
#define PG_X12(ins)                                                       \
  ins " %%ymm14, %%ymm15, %%ymm0\n" ins " %%ymm14, %%ymm15, %%ymm1\n" ins \
      " %%ymm14, %%ymm15, %%ymm2\n" ins " %%ymm14, %%ymm15, %%ymm3\n" ins \
      " %%ymm14, %%ymm15, %%ymm4\n" ins " %%ymm14, %%ymm15, %%ymm5\n" ins \
      " %%ymm14, %%ymm15, %%ymm6\n" ins " %%ymm14, %%ymm15, %%ymm7\n" ins \
      " %%ymm14, %%ymm15, %%ymm8\n" ins " %%ymm14, %%ymm15, %%ymm9\n" ins \
      " %%ymm14, %%ymm15, %%ymm10\n" ins " %%ymm14, %%ymm15, %%ymm11\n"

template <bool kInt16>
void BM_Peak(benchmark::State& state) {
  constexpr long kLoops = 1 << 20;
  for (auto _ : state) {
    long n = kLoops;
    if constexpr (kInt16) {
      asm volatile("1:\n" PG_X12("vpmaddwd") "dec %0\n jnz 1b\n"
                   : "+r"(n)::"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
                     "xmm8", "xmm9", "xmm10", "xmm11");
    } else {
      asm volatile("1:\n" PG_X12("vfmadd231pd") "dec %0\n jnz 1b\n"
                   : "+r"(n)::"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
                     "xmm8", "xmm9", "xmm10", "xmm11");
    }
  }
  state.counters["GMAC/s"] = benchmark::Counter(double(kLoops) * 12 * (kInt16 ? 16 : 4) * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK_TEMPLATE(BM_Peak, true)->Name("BM_PeakInt16Madd");
BENCHMARK_TEMPLATE(BM_Peak, false)->Name("BM_PeakFp64Fma");

void BM_OnlineConvDirect(benchmark::State& state) {
  run_ring(state, RingMethod::kDirect, 41, 1);
}
BENCHMARK(BM_OnlineConvDirect)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
