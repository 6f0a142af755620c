// The client's side of one non-linear layer: the evaluator (PROTOCOL.md §3–4).
//
//   offline(ch, session, c, r_next)  obtains the labels of its inputs c (n_in values) and r'
//                         (one per output; empty for argmax) by correlated OT, then receives
//                         and stores the layer's garbled tables (and, for argmax, the output
//                         decoding bits).
//   online(ch)            receives the labels of u, evaluates, and sends the output permute
//                         bits back (ReLU, max-pool, truncate); its own share of z is r'. For
//                         argmax it decodes and returns the index instead, sending nothing.
//
// A prepared layer serves exactly one inference: online() a second time, or before offline(),
// throws std::invalid_argument. Labels and tables are wiped after use and on destruction.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "mpc/nonlinear_spec.h"
#include "mpc/session.h"

namespace pg::mpc {

class NonLinearEvaluator {
 public:
  explicit NonLinearEvaluator(const NonLinearSpec& spec);
  ~NonLinearEvaluator();
  NonLinearEvaluator(NonLinearEvaluator&&) noexcept;
  NonLinearEvaluator& operator=(NonLinearEvaluator&&) noexcept;

  const LayerPlan& plan() const { return *plan_; }

  // c: n_in values, r_next: num_outputs values (both taken mod 2^ℓ; r_next empty for argmax).
  void offline(Channel& ch, EvaluatorSession& session, std::span<const uint64_t> c,
               std::span<const uint64_t> r_next);
  // The argmax index for kArgmax, nothing otherwise.
  std::optional<uint64_t> online(Channel& ch);

 private:
  enum class State : uint8_t { kNew, kPrepared, kUsed };
  // Where the next garbled tables and tweaks of one phase start.
  struct Cursor {
    const Block* tables;
    uint64_t tweak;
  };
  // Phase A on elements [e0, e0 + n): u_labels and sums are indexed from e0.
  void evaluate_adders(const Block* u_labels, size_t e0, size_t n, Block* sums, Cursor& cur) const;
  // Phase B on outputs g.outputs[j0 .. j1): sums are indexed from element sums_base.
  void evaluate_windows(const LayerPlan::Group& g, size_t j0, size_t j1, const Block* sums,
                        size_t sums_base, uint8_t* out_bits, Cursor& cur) const;
  void wipe();

  std::unique_ptr<LayerPlan> plan_;
  const HalfGateEvaluator* gc_ = nullptr;
  State state_ = State::kNew;
  uint64_t tweak_base_ = 0;
  SecretBlocks labels_;  // active labels of c (n_in · ℓ) then r' (n_out · ℓ)
  PublicBlocks tables_;  // garbled tables are what the wire carried: not secret
  SecretBytes decode_;   // argmax only
};

}  // namespace pg::mpc
