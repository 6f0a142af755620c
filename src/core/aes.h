// AES-128 with AES-NI: key schedule, single and multi-block encryption.
// Used by the PRG (CTR mode) and by the garbled-circuit hash (fixed key).
#pragma once

#include <immintrin.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace pg::core {

using Block = __m128i;

class Aes128 {
 public:
  static constexpr size_t kRounds = 10;

  Aes128() = default;
  explicit Aes128(std::span<const uint8_t, 16> key) { set_key(key); }
  explicit Aes128(Block key) { set_key(key); }
  ~Aes128();
  Aes128(const Aes128&) = default;
  Aes128& operator=(const Aes128&) = default;

  void set_key(std::span<const uint8_t, 16> key);
  void set_key(Block key);

  Block encrypt(Block in) const {
    Block x = _mm_xor_si128(in, rk_[0]);
    for (size_t r = 1; r < kRounds; ++r) x = _mm_aesenc_si128(x, rk_[r]);
    return _mm_aesenclast_si128(x, rk_[kRounds]);
  }

  // Encrypts n blocks in place; the rounds are interleaved 8 at a time to fill the AES pipeline.
  void encrypt_blocks(Block* blocks, size_t n) const;

  // The kRounds + 1 expanded round keys, for kernels that run their own AES pipeline (VAES,
  // CTR streams). Secret whenever the key is: do not copy them out.
  const Block* round_keys() const { return rk_.data(); }

 private:
  std::array<Block, kRounds + 1> rk_{};
};

}  // namespace pg::core
