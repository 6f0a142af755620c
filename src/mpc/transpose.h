// Bit-matrix transpose for the OT extension: 128 rows of m bits become m columns of 128 bits.
#pragma once

#include <cstddef>
#include <cstdint>

#include "mpc/block.h"

namespace pg::mpc {

// `rows` holds 128 rows, `row_stride` bytes apart, each at least 16 · tiles bytes long (bit j of
// a row is bit j % 8 of byte j / 8). Writes out[j] for j < 128 · tiles: bit i of out[j] (as a
// little-endian 128-bit integer) is bit j of row i. AVX2: a 16×16 byte transpose in each
// 128-bit lane by four rounds of byte interleaves, then eight movemasks per register.
void transpose_128(const uint8_t* rows, size_t row_stride, size_t tiles, Block* out);

}  // namespace pg::mpc
