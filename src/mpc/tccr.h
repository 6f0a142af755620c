// The tweakable circular-correlation-robust hash of the garbling scheme and of the OT
// extension's random-OT outputs, from fixed-key AES (Guo, Katz, Wang, Yu, "Efficient and Secure
// Multiparty Computation from Fixed-Key Block Ciphers", S&P 2020, §7):
//
//   H(x, i) = π(π(x) ⊕ i) ⊕ π(x),   π = AES-128 under a fixed public key.
//
// Two AES calls per hash, pipelined over many blocks (VAES when the CPU has it, else AES-NI); the
// tweak i must never repeat under one Δ, which the session's gate and OT counters guarantee.
// Domains: GC tweaks have high word 0, OT tweaks high word 1.
#pragma once

#include <array>
#include <cstddef>

#include "mpc/block.h"

namespace pg::mpc {

class Tccr {
 public:
  explicit Tccr(AesPath path = AesPath::kAuto);

  // out[i] = H(x[i], tweaks[i]) for i < n; out may alias x.
  void hash(const Block* x, const Block* tweaks, Block* out, size_t n) const;
  Block hash(Block x, Block tweak) const {
    Block out;
    hash(&x, &tweak, &out, 1);
    return out;
  }
  // π itself (for the known-answer test of the fixed key).
  Block permute(Block x) const;
  bool uses_vaes() const { return use_vaes_; }
  // The fixed key's 11 round keys (public), for kernels that run the hash inline.
  const Block* round_keys() const { return rk_.data(); }

 private:
  std::array<Block, 11> rk_;
  bool use_vaes_;
};

// The process-wide instance (immutable after construction, safe to share between threads).
const Tccr& fixed_tccr();

}  // namespace pg::mpc
