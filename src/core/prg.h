// The project's CSPRNG: AES-128 in counter mode (SP 800-38A) over a 32-byte seed
// (16-byte key || 16-byte initial counter block, incremented as a 128-bit big-endian integer).
//
// Prg::from_os() takes its seed from getrandom(). Prg::from_seed() expands a given seed
// deterministically: that is how seeded ciphertexts expand their `a` polynomial and how
// sub-PRGs are derived. A fixed seed for from_os() exists only through core/testing.h, which
// lives in the pg_core_testing library that only tests link.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/aes.h"

namespace pg::core {

using Seed = std::array<uint8_t, 32>;

// 32 bytes from the kernel's CSPRNG (getrandom); aborts if the kernel cannot provide them.
Seed os_seed();

class Prg {
 public:
  static Prg from_os();
  static Prg from_seed(const Seed& seed);

  Prg(const Prg&) = delete;
  Prg& operator=(const Prg&) = delete;
  Prg(Prg&& other) noexcept;
  Prg& operator=(Prg&& other) noexcept;
  ~Prg();

  // Bulk keystream.
  void fill(std::span<uint8_t> out);
  void fill_blocks(Block* out, size_t n);

  uint64_t next_u64();
  uint32_t next_u32() { return static_cast<uint32_t>(next_u64()); }
  Block next_block();
  bool next_bit() { return (next_u64() & 1) != 0; }

  // Uniform in [0, bound), bound > 0, by rejection from the smallest covering power of two:
  // no modulo bias, and on average fewer than two draws.
  uint64_t uniform_below(uint64_t bound);

  // A fresh seed drawn from this stream: the seed of a sub-PRG.
  Seed derive_seed();
  Prg derive() { return from_seed(derive_seed()); }

 private:
  explicit Prg(const Seed& seed);
  void refill();

  static constexpr size_t kBufBlocks = 64;
  Aes128 aes_;
  uint64_t ctr_hi_ = 0;  // the counter block as a big-endian 128-bit integer
  uint64_t ctr_lo_ = 0;
  alignas(32) std::array<uint8_t, kBufBlocks * 16> buf_{};
  size_t pos_ = kBufBlocks * 16;  // next unread byte of buf_
};

}  // namespace pg::core
