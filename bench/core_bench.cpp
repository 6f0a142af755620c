// Primitives of the core layer: AES-128 block throughput and the PRG's bulk and word rates.
#include <benchmark/benchmark.h>

#include <vector>

#include "core/aes.h"
#include "core/prg.h"

namespace {

void BM_AesEncryptBlocks(benchmark::State& state) {
  pg::core::Aes128 aes(_mm_set_epi64x(1, 2));
  std::vector<pg::core::Block> blocks(1024, _mm_set_epi64x(3, 4));
  for (auto _ : state) {
    aes.encrypt_blocks(blocks.data(), blocks.size());
    benchmark::DoNotOptimize(blocks.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * 1024 * 16);
}
BENCHMARK(BM_AesEncryptBlocks);

void BM_PrgFill(benchmark::State& state) {
  auto prg = pg::core::Prg::from_os();
  std::vector<uint8_t> buf(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    prg.fill(buf);
    benchmark::DoNotOptimize(buf.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_PrgFill)->Arg(1 << 16);

void BM_PrgUniformBelow(benchmark::State& state) {
  auto prg = pg::core::Prg::from_os();
  const uint64_t q = 0x7fffffffe0001ULL;
  for (auto _ : state) benchmark::DoNotOptimize(prg.uniform_below(q));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_PrgUniformBelow);

}  // namespace

BENCHMARK_MAIN();
