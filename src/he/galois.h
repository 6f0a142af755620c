// Galois automorphisms σ_g: a(X) ↦ a(X^g), g odd mod 2N. On the slots they rotate (g = 5^k)
// or conjugate (g = 2N − 1). In the bit-reversed NTT domain σ_g is a permutation of the
// evaluations: slot k holds a(ψ^{e_k}), e_k = 2·bitrev(k) + 1, and σ_g(a)(ψ^{e_k}) = a(ψ^{e_k·g}).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pg::he {

// perm with out[k] = in[perm[k]] for NTT-domain data.
std::vector<uint32_t> galois_permutation_ntt(size_t n, uint64_t g);

inline void apply_galois_ntt(const uint64_t* in, const uint32_t* perm, uint64_t* out, size_t n) {
  for (size_t k = 0; k < n; ++k) out[k] = in[perm[k]];
}

// Coefficient-domain σ_g of one row mod q (a reference for tests): coefficient i moves to
// i·g mod 2N, negated when that lands in [N, 2N).
void apply_galois_coeff(const uint64_t* in, uint64_t g, uint64_t q, uint64_t* out, size_t n);

}  // namespace pg::he
