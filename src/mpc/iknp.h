// IKNP OT extension (Ishai, Kilian, Nissim, Petrank, CRYPTO 2003), semi-honest, on 128-bit
// strings: correlated, random and chosen-message OT from 128 base OTs run once per session.
//
// Roles are those of the extension: the sender holds the correlation Δ (its base-OT choice
// bits); the receiver holds the choice bits r. Per batch of m OTs the receiver expands its two
// seeds of each base OT into rows t^i and t^i ⊕ u^i ⊕ r and sends u^i (16 bytes per OT); the
// sender gets q^i = t^i ⊕ Δ_i·r. Transposed: q_j = t_j ⊕ r_j·Δ, a correlated OT. The PRG
// streams continue from batch to batch, so the base OTs are never rerun.
//
//   COT:    sender gets q_j (the pair is q_j, q_j ⊕ Δ); receiver gets q_j ⊕ r_j·Δ.
//           With Δ = the garbling Δ, q_j is the zero label of the receiver's input wire j.
//   ROT:    m_b = H(q_j ⊕ b·Δ, τ_j) with the TCCR of tccr.h and a fresh OT-domain tweak τ_j.
//   chosen: the sender masks x_0, x_1 with the ROT pads (two blocks per OT go back).
//
// Δ has its lsb set when it doubles as the garbling Δ, so 127 of its bits are unknown to the
// receiver: the correlation-robustness bound is 2^-127 per query, in line with half-gates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/prg.h"
#include "mpc/aes_ctr.h"
#include "mpc/channel.h"
#include "mpc/tccr.h"

namespace pg::mpc {

inline constexpr size_t kIknpBaseOts = 128;

class IknpSender {
 public:
  explicit IknpSender(Block delta);
  ~IknpSender();
  IknpSender(const IknpSender&) = delete;
  IknpSender& operator=(const IknpSender&) = delete;

  // 128 base OTs (this side is their receiver, choosing the bits of Δ). Once per session.
  void setup(Channel& ch, core::Prg& prg);
  bool ready() const { return !streams_.empty(); }
  Block delta() const { return delta_; }

  void send_cot(Channel& ch, Block* q, size_t n);
  void send_rot(Channel& ch, Block* m0, Block* m1, size_t n);
  void send_chosen(Channel& ch, const Block* x0, const Block* x1, size_t n);

 private:
  Block delta_;
  std::vector<AesCtrStream> streams_;  // keyed by k_i^{Δ_i}
  uint64_t rot_counter_ = 0;
};

class IknpReceiver {
 public:
  IknpReceiver() = default;
  // 128 base OTs (this side is their sender). Once per session.
  void setup(Channel& ch, core::Prg& prg);
  bool ready() const { return !streams0_.empty(); }

  // choices: packed bits, n of them.
  void recv_cot(Channel& ch, const uint8_t* choices, Block* t, size_t n);
  void recv_rot(Channel& ch, const uint8_t* choices, Block* m, size_t n);
  void recv_chosen(Channel& ch, const uint8_t* choices, Block* x, size_t n);

 private:
  std::vector<AesCtrStream> streams0_;
  std::vector<AesCtrStream> streams1_;
  uint64_t rot_counter_ = 0;
};

// OTs per batch (a multiple of 128): the u matrix of one batch is 128 × kIknpBatch bits.
inline constexpr size_t kIknpBatch = 4096;

}  // namespace pg::mpc
