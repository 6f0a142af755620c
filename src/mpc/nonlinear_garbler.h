// The server's side of one non-linear layer: the garbler (PROTOCOL.md §3–4).
//
//   offline(ch, session)  correlated OTs give the client its labels for c and r' (the zero
//                         labels are the OT outputs), then the whole layer is garbled and its
//                         tables streamed to the channel. Kept afterwards: a 32-byte seed that
//                         re-derives the zero labels of u, and the output decoding bits.
//   online(ch, u)         sends the labels of u (16·ℓ bytes per input element), receives the
//                         output permute bits (ℓ bits per output) and decodes the server's
//                         share z = NL(...) − r'. Returns z (empty for argmax, whose decoding
//                         bits went to the client offline). One round trip per layer.
//
// A prepared layer serves exactly one inference: online() a second time, or before offline(),
// throws std::invalid_argument. Secrets are wiped after use and on destruction.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

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
  // u: the server's shares (n_in values, taken mod 2^ℓ). Returns z mod 2^ℓ, one per output.
  std::vector<uint64_t> online(Channel& ch, std::span<const uint64_t> u);

 private:
  enum class State : uint8_t { kNew, kPrepared, kUsed };
  // Phase A on elements [e0, e0 + n): c labels at c_labels[(e - e0) · plan.c_stride() + i],
  // sums written from sums[0].
  void garble_adders(Channel& ch, const HalfGateGarbler& gc, AesCtrStream& u_prg, size_t n,
                     const Block* c_labels, Block* sums, uint64_t& tweak);
  // Phase B on outputs g.outputs[j0 .. j1): sums indexed from element sums_base; r' labels of
  // output o at r_labels[plan.cot_r(o, i) - r_base].
  void garble_windows(Channel& ch, const HalfGateGarbler& gc, const LayerPlan::Group& g, size_t j0,
                      size_t j1, const Block* sums, size_t sums_base, const Block* r_labels,
                      size_t r_base, uint64_t& tweak);
  void wipe();

  std::unique_ptr<LayerPlan> plan_;
  State state_ = State::kNew;
  core::Seed u_seed_{};
  Block delta_{};
  SecretBytes decode_;  // lsb of each output's zero label, packed: bit o · out_bits + i
};

}  // namespace pg::mpc
