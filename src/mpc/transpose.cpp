#include "mpc/transpose.h"

#include <immintrin.h>

#include <cstring>

namespace pg::mpc {
namespace {

// Rows 32·group .. 32·group + 31 of one 128×128 tile: column byte c of the 32 rows ends up in
// register c (rows 0-15 in the low lane, 16-31 in the high lane), then each movemask takes one
// bit of every byte.
inline void transpose_32_rows(const uint8_t* rows, size_t row_stride, size_t group,
                              Block* tile_out) {
  __m256i r[16];
  const uint8_t* base = rows + 32 * group * row_stride;
  for (size_t k = 0; k < 16; ++k) {
    const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(base + k * row_stride));
    const __m128i hi =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(base + (16 + k) * row_stride));
    r[k] = _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
  }
  // Each round interleaves register i with i + 8, which rotates the 8-bit (register, byte)
  // index left by one; four rounds swap register and byte index: a 16×16 byte transpose.
  for (int round = 0; round < 4; ++round) {
    __m256i t[16];
    for (size_t i = 0; i < 8; ++i) {
      t[2 * i] = _mm256_unpacklo_epi8(r[i], r[i + 8]);
      t[2 * i + 1] = _mm256_unpackhi_epi8(r[i], r[i + 8]);
    }
    for (size_t i = 0; i < 16; ++i) r[i] = t[i];
  }
  for (size_t c = 0; c < 16; ++c) {
    __m256i x = r[c];
    for (int s = 0; s < 8; ++s) {
      const auto mask = static_cast<uint32_t>(_mm256_movemask_epi8(x));
      std::memcpy(reinterpret_cast<uint8_t*>(tile_out + 8 * c + 7 - s) + 4 * group, &mask, 4);
      x = _mm256_slli_epi64(x, 1);
    }
  }
}

}  // namespace

void transpose_128(const uint8_t* rows, size_t row_stride, size_t tiles, Block* out) {
  for (size_t t = 0; t < tiles; ++t) {
    for (size_t group = 0; group < 4; ++group) {
      transpose_32_rows(rows + 16 * t, row_stride, group, out + 128 * t);
    }
  }
}

}  // namespace pg::mpc
