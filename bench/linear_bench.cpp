// Online linear kernels on MiniONN-CIFAR-10's 3x3 64->64 convolution on a 32x32 image:
// the exact ring kernel (digit planes + dgemm) against plain double im2col+GEMM and a naive
// direct convolution. Single-threaded unless --threads is given through PG_THREADS.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <vector>

#include "core/prg.h"
#include "nn/kernels/ring_conv.h"

namespace {

using pg::nn::kernels::ConvGeometry;
using pg::nn::kernels::RingConv;
using pg::nn::kernels::RingMethod;

ConvGeometry cifar_conv() {
  return pg::nn::kernels::square_conv(64, 32, 32, 64, 3, 1, 1);
}

struct Fixture {
  ConvGeometry g = cifar_conv();
  std::vector<int64_t> w;
  std::vector<uint64_t> x;
  Fixture() {
    auto prg = pg::core::Prg::from_os();
    w.resize(g.weight_count());
    for (auto& v : w) v = int64_t(prg.uniform_below(1 << 14)) - (1 << 13);
    x.resize(g.in_size());
    for (auto& v : x) v = prg.next_u64();
  }
};

void set_threads() {
  const char* t = std::getenv("PG_THREADS");
  pg::nn::kernels::set_gemm_threads(t ? std::atoi(t) : 1);
}

void BM_OnlineConvExact(benchmark::State& state) {
  set_threads();
  Fixture f;
  RingConv conv(f.g, f.w);
  const int ell = static_cast<int>(state.range(0));
  std::vector<uint64_t> y(f.g.out_size());
  for (auto _ : state) {
    conv.apply(f.x, ell, y, RingMethod::kIm2colGemm);
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["planes"] = conv.digit_planes(ell);
  state.counters["macs"] = double(f.g.out_size() * f.g.taps());
}
BENCHMARK(BM_OnlineConvExact)->Arg(37)->Arg(41)->Arg(64)->Unit(benchmark::kMillisecond);

void BM_OnlineConvDirect(benchmark::State& state) {
  set_threads();
  Fixture f;
  RingConv conv(f.g, f.w);
  std::vector<uint64_t> y(f.g.out_size());
  for (auto _ : state) {
    conv.apply(f.x, 41, y, RingMethod::kDirect);
    benchmark::DoNotOptimize(y.data());
  }
}
BENCHMARK(BM_OnlineConvDirect)->Unit(benchmark::kMillisecond);

void BM_OnlineConvDouble(benchmark::State& state) {
  set_threads();
  Fixture f;
  std::vector<double> w(f.w.begin(), f.w.end()), x(f.g.in_size(), 0.5), y(f.g.out_size());
  for (auto _ : state) {
    pg::nn::kernels::conv2d_double(f.g, w, x, y);
    benchmark::DoNotOptimize(y.data());
  }
}
BENCHMARK(BM_OnlineConvDouble)->Unit(benchmark::kMillisecond);

void BM_OnlineConvDoubleDirect(benchmark::State& state) {
  set_threads();
  Fixture f;
  std::vector<double> w(f.w.begin(), f.w.end()), x(f.g.in_size(), 0.5), y(f.g.out_size());
  for (auto _ : state) {
    pg::nn::kernels::conv2d_double_direct(f.g, w, x, y);
    benchmark::DoNotOptimize(y.data());
  }
}
BENCHMARK(BM_OnlineConvDoubleDirect)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
