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
// online(ch, pool) evaluates on all the pool's threads (the steps of LayerPlan); the bytes on
// the wire are those of the one-thread call. The pool must not be shared with the peer's party
// in the same process (a busy pool runs the job on the caller alone).
//
// Memory held between offline() and online() (held_bytes(), = cost(spec).client_held_bytes),
// and nothing else but the small plan: the garbled tables of the whole layer (32 bytes per AND
// gate: 96 ANDs = 3072 B per ReLU at ℓ = 37, f_w = 12; 72 ANDs = 2304 B per truncation) and
// the labels of c and r' (16 bytes per bit: 2ℓ · 16 = 1184 B per element at ℓ = 37), i.e.
// 4256 B per ReLU; for argmax also its decoding bits. The OT outputs and the table flight are
// received straight into these two buffers (no second copy, nothing kept by the channel).
// online() wipes each label as it consumes it and releases both buffers before it returns.
// (Buffers of 2 MiB or more go back to the process-wide cache of block.h, wiped if secret.)
//
// A prepared layer serves exactly one inference: online() a second time, or before offline(),
// throws std::invalid_argument. Labels are wiped after use and on destruction.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "core/thread_pool.h"
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
  // Optional, before offline(): allocates the buffers offline() fills (held_bytes()) and faults
  // in their pages, so that this cost is paid while the caller would wait anyway (the client,
  // while the server computes its homomorphic replies) rather than while the tables stream in.
  void reserve();
  // The argmax index for kArgmax, nothing otherwise.
  std::optional<uint64_t> online(Channel& ch);
  std::optional<uint64_t> online(Channel& ch, core::ThreadPool& pool);
  // Bytes held between offline() and online() (tables and labels).
  size_t held_bytes() const;

 private:
  enum class State : uint8_t { kNew, kPrepared, kUsed };
  struct Scratch;
  using Values = std::vector<uint64_t, WipingAllocator<uint64_t>>;

  std::optional<uint64_t> run_online(Channel& ch, core::ThreadPool* pool);
  // Evaluates step s (u_labels: its elements' labels of u, for phase A), writing the output
  // lsbs of phase B to out and phase A's sums (non-fused layers) to sums.
  void evaluate_step(const LayerPlan::Step& s, const Block* u_labels, Block* sums, Values& out,
                     Scratch& w);
  void evaluate_adder_batch(size_t e, size_t lanes, const Block* u_labels, const Block* tables,
                            uint64_t tweak, Scratch& w);
  void evaluate_window_batch(const LayerPlan::Group& g, size_t j, size_t lanes, const Block* sums,
                             bool fused, Values& out, const Block* tables, uint64_t tweak,
                             Scratch& w);
  void wipe();

  std::unique_ptr<LayerPlan> plan_;
  const HalfGateEvaluator* gc_ = nullptr;
  State state_ = State::kNew;
  uint64_t tweak_base_ = 0;
  ConsumedSecretBlocks labels_;  // active labels of c and r', in COT order (see nonlinear_spec.h)
  PublicBlocks tables_;          // garbled tables are what the wire carried: not secret
  SecretBytes decode_;           // argmax only
};

}  // namespace pg::mpc
