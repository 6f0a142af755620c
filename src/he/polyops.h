// Row operations on residues mod one prime (internal to pg_he). Inputs are in [0, q) unless a
// function says otherwise; outputs likewise. The additive ones are AVX2; products use the
// scalar 64×64 → 128-bit multiply, which AVX2 lacks.
#pragma once

#include <cstddef>
#include <cstdint>

#include "he/modarith.h"

namespace pg::he::rows {

void add(const uint64_t* a, const uint64_t* b, uint64_t* out, size_t n, uint64_t q);
void sub(const uint64_t* a, const uint64_t* b, uint64_t* out, size_t n, uint64_t q);
void negate(const uint64_t* a, uint64_t* out, size_t n, uint64_t q);
// out = a·b mod q (Barrett on the bit length: Modulus::reduce_product).
void mul(const uint64_t* a, const uint64_t* b, uint64_t* out, size_t n, const Modulus& q);
// out = a·w mod q with per-coefficient Shoup companions wp of w (w < q), a < 2^64.
void mul_shoup(const uint64_t* a, const uint64_t* w, const uint64_t* wp, uint64_t* out, size_t n,
               uint64_t q);
// out = out + a·w mod q, w with Shoup companions wp.
void mul_shoup_add(const uint64_t* a, const uint64_t* w, const uint64_t* wp, uint64_t* out,
                   size_t n, uint64_t q);
// out = out + a·b mod q.
void mul_add(const uint64_t* a, const uint64_t* b, uint64_t* out, size_t n, const Modulus& q);
// out = a·w mod q for a constant w < q, a in [0, 2^64).
void mul_scalar(const uint64_t* a, const ShoupConst& w, uint64_t* out, size_t n, uint64_t q);
// out = (a − b)·w mod q, with a, b in [0, q) (the rescale step).
void sub_mul_scalar(const uint64_t* a, const uint64_t* b, const ShoupConst& w, uint64_t* out,
                    size_t n, uint64_t q);

}  // namespace pg::he::rows
