#include "core/aes.h"

#include <cstring>

#include "core/secure.h"

namespace pg::core {
namespace {

template <int kRcon>
Block expand_step(Block key) {
  Block t = _mm_aeskeygenassist_si128(key, kRcon);
  t = _mm_shuffle_epi32(t, 0xff);
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
  return _mm_xor_si128(key, t);
}

}  // namespace

Aes128::~Aes128() {
  secure_zero(rk_.data(), sizeof(rk_));
}

void Aes128::set_key(std::span<const uint8_t, 16> key) {
  set_key(_mm_loadu_si128(reinterpret_cast<const Block*>(key.data())));
}

void Aes128::set_key(Block key) {
  rk_[0] = key;
  rk_[1] = expand_step<0x01>(rk_[0]);
  rk_[2] = expand_step<0x02>(rk_[1]);
  rk_[3] = expand_step<0x04>(rk_[2]);
  rk_[4] = expand_step<0x08>(rk_[3]);
  rk_[5] = expand_step<0x10>(rk_[4]);
  rk_[6] = expand_step<0x20>(rk_[5]);
  rk_[7] = expand_step<0x40>(rk_[6]);
  rk_[8] = expand_step<0x80>(rk_[7]);
  rk_[9] = expand_step<0x1b>(rk_[8]);
  rk_[10] = expand_step<0x36>(rk_[9]);
}

void Aes128::encrypt_blocks(Block* blocks, size_t n) const {
  constexpr size_t kLanes = 8;
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    Block x[kLanes];
    for (size_t j = 0; j < kLanes; ++j) x[j] = _mm_xor_si128(blocks[i + j], rk_[0]);
    for (size_t r = 1; r < kRounds; ++r) {
      for (size_t j = 0; j < kLanes; ++j) x[j] = _mm_aesenc_si128(x[j], rk_[r]);
    }
    for (size_t j = 0; j < kLanes; ++j) blocks[i + j] = _mm_aesenclast_si128(x[j], rk_[kRounds]);
  }
  for (; i < n; ++i) blocks[i] = encrypt(blocks[i]);
}

}  // namespace pg::core
