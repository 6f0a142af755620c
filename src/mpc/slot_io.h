// Moving labels between element-major arrays (one element's bits contiguous, as the OT runs and
// the label flights store them) and the slot-major layout of the half-gates engine
// (labels[slot · lanes + lane]), shared by the garbler and the evaluator of a layer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mpc/block.h"
#include "mpc/circuit.h"

namespace pg::mpc::slot_io {

// Input bits [first, first + bits) of every lane: lane k's come from src[k · stride + i].
inline void load_inputs(Block* slots, size_t lanes, size_t first, const Block* src, size_t stride,
                        size_t bits) {
  for (size_t i = 0; i < bits; ++i) {
    Block* dst = slots + (Circuit::kFirstInput + first + i) * lanes;
    for (size_t k = 0; k < lanes; ++k) dst[k] = src[k * stride + i];
  }
}

// One lane's input bits [first, first + bits) from a contiguous src.
inline void load_lane(Block* slots, size_t lanes, size_t lane, size_t first, const Block* src,
                      size_t bits) {
  for (size_t i = 0; i < bits; ++i)
    slots[(Circuit::kFirstInput + first + i) * lanes + lane] = src[i];
}

// Copies the first `bits` outputs of `from` (all lanes) into inputs [first, first + bits) of
// another circuit's slots with the same lane count.
inline void chain_outputs(const Block* from_slots, const Circuit& from, Block* to_slots,
                          size_t lanes, size_t first, size_t bits) {
  for (size_t i = 0; i < bits; ++i) {
    const Block* src = from_slots + from.outputs()[i] * lanes;
    Block* dst = to_slots + (Circuit::kFirstInput + first + i) * lanes;
    for (size_t k = 0; k < lanes; ++k) dst[k] = src[k];
  }
}

// Lane k's outputs, least significant label bit of output i at bit i (out_bits ≤ 64).
inline void output_lsbs(const Block* slots, const Circuit& c, size_t lanes, size_t out_bits,
                        uint64_t* values) {
  for (size_t k = 0; k < lanes; ++k) values[k] = 0;
  for (size_t i = 0; i < out_bits; ++i) {
    const Block* p = slots + c.outputs()[i] * lanes;
    for (size_t k = 0; k < lanes; ++k) values[k] |= (block_low(p[k]) & 1) << i;
  }
}

// Lane k's output labels, output i at dst[k · stride + i].
inline void store_outputs(const Block* slots, const Circuit& c, size_t lanes, size_t bits,
                          Block* dst, size_t stride) {
  for (size_t i = 0; i < bits; ++i) {
    const Block* p = slots + c.outputs()[i] * lanes;
    for (size_t k = 0; k < lanes; ++k) dst[k * stride + i] = p[k];
  }
}

}  // namespace pg::mpc::slot_io
