// The negacyclic number-theoretic transform over Z_q[X]/(X^N + 1), q < 2^61, with Harvey's lazy
// butterflies: values stay in [0, 4q) (forward) or [0, 2q) (inverse) between stages, with no
// full reduction per butterfly, and every twiddle is a Shoup constant. The stages are AVX2
// (four butterflies per instruction sequence); the two innermost stages, whose butterflies lie
// inside one 256-bit register, use per-lane twiddle tables and in-register shuffles.
//
// Forward output is in bit-reversed order: slot k holds a(ψ^{2·bitrev(k)+1}), where ψ is the
// smallest primitive 2N-th root of unity mod q. The inverse takes that order back. Pointwise
// products of forward transforms are negacyclic products.
#pragma once

#include <cstddef>
#include <cstdint>

#include "he/aligned.h"
#include "he/modarith.h"

namespace pg::he {

class NttTables {
 public:
  // n a power of two in [2, 2^17]; q ≡ 1 mod 2n prime. Throws std::invalid_argument otherwise.
  NttTables(size_t n, const Modulus& q);

  size_t n() const { return n_; }
  const Modulus& modulus() const { return q_; }
  uint64_t psi() const { return psi_; }

  // In place on n words (any alignment). Input in [0, 4q) for forward, [0, 2q) for inverse;
  // output fully reduced to [0, q).
  void forward(uint64_t* a) const;
  void inverse(uint64_t* a) const;

  // The same transforms without vectorisation: the reference the AVX2 path is tested against.
  void forward_scalar(uint64_t* a) const;
  void inverse_scalar(uint64_t* a) const;

 private:
  void forward_avx2(uint64_t* a) const;
  void inverse_avx2(uint64_t* a) const;

  size_t n_;
  int log_n_;
  Modulus q_;
  uint64_t psi_;
  // ψ^{bitrev(k)} and ψ^{-bitrev(k)} with their Shoup companions, k in [0, n) (k = m + i is the
  // twiddle of group i in the stage with m groups).
  U64Vec w_, wp_, iw_, iwp_;
  // Per-lane twiddles of the two innermost stages (see ntt.cpp for the lane order).
  U64Vec w2_, wp2_, w1_, wp1_, iw2_, iwp2_, iw1_, iwp1_;
  ShoupConst n_inv_;     // n^{-1}
  ShoupConst n_inv_w1_;  // n^{-1}·ψ^{-bitrev(1)}: the last inverse stage's twiddle, pre-scaled
};

}  // namespace pg::he
