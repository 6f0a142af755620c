#include "mpc/tccr.h"

#include <algorithm>
#include <array>

namespace pg::mpc {
namespace {

// The fixed AES key: the first 16 bytes of SHA-256("pangolin/gc/fixed-key-aes/v1"). Any public
// constant works in the random-permutation model; this one is documented so it can be checked.
constexpr std::array<uint8_t, 16> kFixedKey = {0xf8, 0x26, 0x68, 0x7d, 0xc2, 0xf8, 0x6e, 0xcd, 0xf9, 0x10, 0x4a, 0x28, 0xcd, 0x01, 0x7c, 0xc3};

}  // namespace

Tccr::Tccr() : aes_(std::span<const uint8_t, 16>(kFixedKey)) {}

void Tccr::hash(const Block* x, const Block* tweaks, Block* out, size_t n) const {
  constexpr size_t kChunk = 64;
  std::array<Block, kChunk> p;
  std::array<Block, kChunk> y;
  for (size_t off = 0; off < n; off += kChunk) {
    const size_t m = std::min(kChunk, n - off);
    std::copy(x + off, x + off + m, p.begin());
    aes_.encrypt_blocks(p.data(), m);
    for (size_t i = 0; i < m; ++i) y[i] = p[i] ^ tweaks[off + i];
    aes_.encrypt_blocks(y.data(), m);
    for (size_t i = 0; i < m; ++i) out[off + i] = y[i] ^ p[i];
  }
}

const Tccr& fixed_tccr() {
  static const Tccr instance;
  return instance;
}

}  // namespace pg::mpc
