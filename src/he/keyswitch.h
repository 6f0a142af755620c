// Hybrid key switching (Han–Ki; Halevi–Polyakov–Shoup) and the division by P (internal to
// pg_he, used by the evaluator and the public-key encryptor).
//
// Extended layout at level l: rows 0 .. l hold q_0 .. q_l and rows l+1 .. l+k the special primes
// p_0 .. p_{k−1} (context prime indices L .. L+k−1).
//
// decompose: c (NTT, level l) → digits D_d = [c]_{Q_d} lifted to the extended basis (fast base
//   conversion), NTT domain. Digit d covers data primes [d·α, min((d+1)·α, l+1)).
// switch_key: (u0, u1) = round(Σ_d D_d·(b_d, a_d) / P). Rotations apply their automorphism to
//   the result (see GaloisKeys), so one decomposition serves many rotations (hoisting).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "he/context.h"
#include "he/keys.h"
#include "he/rns_poly.h"

namespace pg::he {

struct Decomposition {
  size_t level = 0;
  std::vector<RnsPoly> digits;
};

// Context prime index of extended row r at level l.
inline size_t ext_prime(const Context& ctx, size_t level, size_t r) {
  return r <= level ? r : ctx.data_primes() + (r - level - 1);
}

void decompose(const Context& ctx, const RnsPoly& c_ntt, size_t level, Decomposition& out);

// u0, u1 get level + 1 rows, NTT domain.
void switch_key(const Context& ctx, const Decomposition& dec, const KSwitchKey& key, RnsPoly& u0,
                RnsPoly& u1);

// ext (extended layout at `level`, NTT) → out = round(ext / P) over q_0 .. q_level, NTT. ext's
// special rows are destroyed.
void mod_down(const Context& ctx, size_t level, RnsPoly& ext, RnsPoly& out);

}  // namespace pg::he
