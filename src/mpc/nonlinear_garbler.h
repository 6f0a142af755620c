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
  void garble_phase_a(Channel& ch, GarblerSession& session, const SecretBlocks& q,
                      SecretBlocks& sums, uint64_t& tweak);
  void garble_phase_b(Channel& ch, GarblerSession& session, const SecretBlocks& q,
                      const SecretBlocks& sums, uint64_t& tweak);
  void wipe();

  std::unique_ptr<LayerPlan> plan_;
  State state_ = State::kNew;
  core::Seed u_seed_{};
  Block delta_{};
  SecretBytes decode_;  // lsb of each output's zero label, packed: bit o · out_bits + i
};

}  // namespace pg::mpc
