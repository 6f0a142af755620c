// Keyed AES-128 in counter mode, the row generator of the OT extension: one stream per base-OT
// key, 1–2 AES blocks per extended OT, so this is the OT extension's hot loop. Block k of a
// stream is AES_key(k), k a 64-bit counter in the low word of the block. VAES when the CPU has
// it, else AES-NI with eight blocks in flight. The key schedule is core::Aes128's.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/aes.h"
#include "core/prg.h"
#include "mpc/block.h"

namespace pg::mpc {

class AesCtrStream {
 public:
  // The key is the first 16 bytes of the seed (a base-OT output).
  explicit AesCtrStream(const core::Seed& seed, AesPath path = AesPath::kAuto);
  AesCtrStream(AesCtrStream&& other) noexcept;
  AesCtrStream& operator=(AesCtrStream&& other) noexcept;
  AesCtrStream(const AesCtrStream&) = delete;
  AesCtrStream& operator=(const AesCtrStream&) = delete;

  // The next n keystream blocks.
  void fill(Block* out, size_t n);
  // Blocks counter .. counter + n − 1, without moving the stream (random access, thread-safe).
  void fill_at(uint64_t counter, Block* out, size_t n) const;

 private:
  core::Aes128 aes_;  // wipes its round keys on destruction
  uint64_t counter_ = 0;
  bool use_vaes_;
};

}  // namespace pg::mpc
