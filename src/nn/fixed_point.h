// The fixed-point reference engine on a plan: exactly what the secure protocol computes
// (PROTOCOL.md §1 and §4), with the masks left out because they cancel. It is the bit-exactness
// oracle for the protocol: the reconstructed logits of a secure run must equal run_plan's.
//
//   input:      x_int = round(x · 2^f) mod 2^ℓ
//   affine:     y = Σ_he A_int ⋆ x_in + Σ_public factor · P(x_in) + b_int   mod 2^ℓ
//               (A_int ⋆ is the term's convolution or dense product on ring elements; every
//               product and sum is taken mod 2^64, which is exact mod 2^ℓ)
//   non-linear: z = NL(s(y) >>ₐ f_w) mod 2^ℓ, s(y) the signed value of y in [−2^{ℓ−1}, 2^{ℓ−1}),
//               NL = max(·, 0), max over the window then max(·, 0), or the identity (truncate)
//   output:     the logits y_out at scale 2^{f + f_w}; decode_output divides by it.
// The kernels are direct loops written for this file, independent of the fast online kernels
// they check.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "nn/plan.h"

namespace pg::nn {

inline uint64_t ring_mask(int ell) {
  return ell >= 64 ? ~uint64_t{0} : (uint64_t{1} << ell) - 1;
}

// The signed value of v's low ell bits.
inline int64_t to_signed(uint64_t v, int ell) {
  return ell >= 64 ? int64_t(v) : int64_t(v << (64 - ell)) >> (64 - ell);
}

// round(x · 2^f) mod 2^ℓ, rounding half away from zero.
std::vector<uint64_t> encode_input(const Plan& plan, std::span<const double> x);
// s(y) / 2^{f + f_w}.
std::vector<double> decode_output(const Plan& plan, std::span<const uint64_t> y);

// One HE term, y = A_int ⋆ x mod 2^64 (overwrites y).
void apply_he_term(const HeTerm& term, std::span<const uint64_t> x, std::span<uint64_t> y);

// The affine step on tensor values (values[i] is tensor i; only the step's inputs are read).
// with_bias = false gives the linear part only: what the client's masks go through in
// preprocessing. The result is reduced mod 2^ℓ.
void apply_affine(const Plan& plan, const AffineStep& step,
                  const std::vector<std::vector<uint64_t>>& values, bool with_bias,
                  std::span<uint64_t> out);

// z = NL(s(y) >>ₐ f_w) mod 2^ℓ for the step's kind and windows.
void apply_nonlinear(const Plan& plan, const NonLinearStep& step, std::span<const uint64_t> y,
                     std::span<uint64_t> z);

// Runs the whole plan on an encoded input; returns every tensor's value (index = tensor id).
// Needs a plan with weights.
std::vector<std::vector<uint64_t>> run_plan_all(const Plan& plan, std::span<const uint64_t> input);
// The logits (encoded, scale 2^{f + f_w}).
std::vector<uint64_t> run_plan(const Plan& plan, std::span<const uint64_t> input);
// encode → run → decode.
std::vector<double> run_plan_real(const Plan& plan, std::span<const double> x);

}  // namespace pg::nn
