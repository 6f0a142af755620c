// Half-gates garbling (Zahur, Rosulek, Evans, EUROCRYPT 2015) with free-XOR and
// point-and-permute, hashed with the fixed-key TCCR of tccr.h.
//
// The engine garbles and evaluates `lanes` independent instances of one circuit at once
// (1 ≤ lanes ≤ kMaxLanes), gate by gate: the hashes of all lanes of a gate are computed together,
// which keeps the AES pipeline full even though each instance is a sequential carry chain.
//
// Full batches of kMaxLanes run on a VAES engine that keeps labels in 256-bit registers; other
// batches, and CPUs without VAES, on a generic one. Both produce the same tables and labels.
//
// Layout: labels are slot-major, labels[slot * lanes + lane] (see circuit.h for slots). The
// garbler's labels are zero labels (the one label is zero ^ Δ); the evaluator's are the active
// labels. Tables are 2 blocks per AND gate and lane, in gate order with lanes inner: exactly the
// byte stream the garbler sends and the evaluator reads.
//
// Tweaks: the t-th garbled AND gate-lane pair of a session (counting from the counter passed in)
// hashes with tweaks 2t and 2t + 1. Both parties advance their counter identically, by
// and_count × lanes per call, so no tweak repeats under the session's Δ.
#pragma once

#include <cstddef>
#include <cstdint>

#include "mpc/circuit.h"
#include "mpc/tccr.h"

namespace pg::mpc {

inline constexpr size_t kMaxLanes = 8;

class HalfGateGarbler {
 public:
  // Δ must have its least significant bit set (point-and-permute); otherwise invalid_argument.
  explicit HalfGateGarbler(Block delta);
  ~HalfGateGarbler();
  HalfGateGarbler(const HalfGateGarbler&) = delete;
  HalfGateGarbler& operator=(const HalfGateGarbler&) = delete;

  Block delta() const { return delta_; }

  // Fills the constant slots, garbles every gate, writes 2 × and_count × lanes table blocks.
  void garble(const Circuit& c, size_t lanes, Block* labels, Block* tables, uint64_t& tweak) const;

  // Tests only: use the generic engine even where the 8-lane VAES one applies.
  void force_generic_engine(bool on) { force_generic_ = on; }

 private:
  Block delta_;
  const Tccr& hash_;
  bool force_generic_ = false;
};

class HalfGateEvaluator {
 public:
  HalfGateEvaluator();

  // Fills the constant slots and evaluates every gate, reading 2 × and_count × lanes blocks.
  void evaluate(const Circuit& c, size_t lanes, Block* labels, const Block* tables,
                uint64_t& tweak) const;

  // Tests only: use the generic engine even where the 8-lane VAES one applies.
  void force_generic_engine(bool on) { force_generic_ = on; }

 private:
  const Tccr& hash_;
  bool force_generic_ = false;
};

// Table blocks for `lanes` instances of `c`.
inline size_t table_blocks(const Circuit& c, size_t lanes) {
  return 2 * c.and_count() * lanes;
}

}  // namespace pg::mpc
