// The server's side of one non-linear layer: the garbler (PROTOCOL.md §3–4).
//
//   offline(ch, session)  correlated OTs give the client its labels for c and r' (the zero
//                         labels are the OT outputs), then the whole layer is garbled and its
//                         tables streamed to the channel. Kept afterwards: a 32-byte seed that
//                         re-derives the zero labels of u, and the output decoding bits (8 bytes
//                         per output).
//   online(ch, u)         sends the labels of u (16·ℓ bytes per input element), receives the
//                         output permute bits (ℓ bits per output) and decodes the server's
//                         share z = NL(...) − r'. Returns z (empty for argmax, whose decoding
//                         bits went to the client offline). One round trip per layer.
//
// offline(ch, session, pool) garbles on all the pool's threads (the steps of LayerPlan, each with
// its own tables and tweaks) and puts exactly the same bytes on the wire as the one-thread call.
// The pool must not be shared with the peer's party in the same process (the pool runs one job at
// a time; a busy pool runs the job on the caller alone).
//
// A prepared layer serves exactly one inference: online() a second time, or before offline(),
// throws std::invalid_argument. Secrets are wiped after use and on destruction.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/thread_pool.h"
#include "mpc/aes_ctr.h"
#include "mpc/nonlinear_spec.h"
#include "mpc/session.h"

namespace pg::mpc {

class NonLinearGarbler {
 public:
  explicit NonLinearGarbler(const NonLinearSpec& spec);
  ~NonLinearGarbler();
  NonLinearGarbler(NonLinearGarbler&&) noexcept;
  NonLinearGarbler& operator=(NonLinearGarbler&&) noexcept;

  const LayerPlan& plan() const { return *plan_; }

  void offline(Channel& ch, GarblerSession& session);
  void offline(Channel& ch, GarblerSession& session, core::ThreadPool& pool);
  // u: the server's shares (n_in values, taken mod 2^ℓ). Returns z mod 2^ℓ, one per output.
  std::vector<uint64_t> online(Channel& ch, std::span<const uint64_t> u);

 private:
  enum class State : uint8_t { kNew, kPrepared, kUsed };
  struct Scratch;
  // What the steps of one offline() share: the OT outputs, the sums of phase A (non-fused
  // layers), the zero-label stream of u, and the layer's first tweak.
  struct Offline {
    const HalfGateGarbler& gc;
    ConsumedSecretBlocks& q;  // wiped batch by batch once garbled
    Block* sums;
    const AesCtrStream& u_prg;
    uint64_t tweak;
  };

  void run_offline(Channel& ch, GarblerSession& session, core::ThreadPool* pool);
  // Garbles step s into w's table buffer.
  void garble_step(const LayerPlan::Step& s, const Offline& off, Scratch& w);
  // Phase A on the batch of `lanes` elements from e; leaves the sums in w's adder slots.
  void garble_adder_batch(size_t e, size_t lanes, const Offline& off, Block* tables, uint64_t tweak,
                          Scratch& w) const;
  // Phase B of group g on the batch of `lanes` outputs from position j; reads its window values
  // from w's window slots (fused) or from off.sums.
  void garble_window_batch(const LayerPlan::Group& g, size_t j, size_t lanes, const Offline& off,
                           bool fused, Block* tables, uint64_t tweak, Scratch& w);
  void wipe();

  std::unique_ptr<LayerPlan> plan_;
  State state_ = State::kNew;
  core::Seed u_seed_{};
  Block delta_{};
  // Per output: bit i is the lsb of output bit i's zero label.
  std::vector<uint64_t, WipingAllocator<uint64_t>> decode_;
};

}  // namespace pg::mpc
