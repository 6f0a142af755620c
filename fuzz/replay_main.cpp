// Drives a libFuzzer entry point without libFuzzer: random inputs of random lengths, plus
// bit-flipped, truncated and extended variants of inputs the target itself marks as seeds
// (pg_fuzz_seed_inputs, optional). Deterministic: the PRG is seeded from a fixed value.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/prg.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
// Optional: a target may provide well-formed seed inputs to mutate.
extern "C" __attribute__((weak)) void pg_fuzz_seed_inputs(std::vector<std::vector<uint8_t>>* out);

int main(int argc, char** argv) {
  const long iterations = argc > 1 ? std::atol(argv[1]) : 10000;
  pg::core::Seed seed{};
  seed.fill(0x5a);
  auto prg = pg::core::Prg::from_seed(seed);
  std::vector<std::vector<uint8_t>> seeds;
  if (pg_fuzz_seed_inputs != nullptr) pg_fuzz_seed_inputs(&seeds);
  for (const auto& s : seeds) LLVMFuzzerTestOneInput(s.data(), s.size());
  std::vector<uint8_t> buf;
  for (long i = 0; i < iterations; ++i) {
    if (!seeds.empty() && (i % 2 == 0)) {
      buf = seeds[prg.uniform_below(seeds.size())];
      const uint64_t kind = prg.uniform_below(3);
      if (kind == 0 && !buf.empty()) {
        for (int f = 0; f < 4; ++f)
          buf[prg.uniform_below(buf.size())] ^= 1u << prg.uniform_below(8);
      } else if (kind == 1 && !buf.empty()) {
        buf.resize(prg.uniform_below(buf.size()));
      } else {
        for (uint64_t k = prg.uniform_below(64); k > 0; --k)
          buf.push_back(static_cast<uint8_t>(prg.next_u64()));
      }
    } else {
      buf.resize(prg.uniform_below(i % 100 == 0 ? 4096 : 96));
      prg.fill(buf);
    }
    LLVMFuzzerTestOneInput(buf.data(), buf.size());
  }
  std::printf("replayed %ld inputs (%zu seeds) without a crash\n", iterations, seeds.size());
  return 0;
}
