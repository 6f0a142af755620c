// Randomness for RLWE, all from the project CSPRNG (core::Prg):
// - expand_uniform: the public `a` polynomials, deterministically from a 32-byte seed;
// - ternary secrets and masks, uniform over {−1, 0, 1};
// - errors: centred binomial with k = 21 (popcount of 21 bits minus popcount of 21 bits),
//   variance 10.5, σ ≈ 3.24 ≥ 3.2, support [−21, 21];
// - flooding noise, uniform in [−2^b, 2^b) for b ≤ 120.
// Every sampler of secret values is constant-time: popcounts, multiplications and masks, with no
// branch or table index on a sampled value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/prg.h"
#include "he/context.h"
#include "he/rns_poly.h"

namespace pg::he {

// Fills rows 0 .. out.limbs−1 of `out` (primes first, first+1, ...) with uniform residues drawn
// from AES-CTR(seed): for each row in order, each coefficient in order, 64-bit words masked to
// the bit length of q − 1 and rejected when ≥ q (as core::Prg::uniform_below does). The result
// is declared to be in the NTT domain. Rows are a prefix-stable function of the seed: expanding
// fewer rows gives the first rows of a longer expansion.
void expand_uniform(const Context& ctx, const core::Seed& seed, RnsPoly& out, size_t first = 0);

// Centred values, one per coefficient.
void sample_ternary(core::Prg& prg, std::span<int8_t> out);
void sample_cbd(core::Prg& prg, std::span<int8_t> out);

// Writes small signed values into rows 0 .. p.limbs−1 (primes first, first+1, ...), coefficient
// domain, branch-free.
void set_small(const Context& ctx, std::span<const int8_t> v, RnsPoly& p, size_t first = 0);

// Uniform in [−2^bits, 2^bits) (0 ≤ bits ≤ 120), reduced into rows 0 .. p.limbs−1 (data primes
// from 0), coefficient domain, branch-free.
void sample_flooding(const Context& ctx, core::Prg& prg, int bits, RnsPoly& p);

}  // namespace pg::he
