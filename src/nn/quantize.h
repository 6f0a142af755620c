// Quantisation and the choice of ℓ (PROTOCOL.md §1 and §2 step 4).
//
//   weights        A_int = round(2^{f_w} · A), with the public bound |A_int| < 2^weight_bits,
//                  the same for every term and fixed by policy, never read off the weights:
//                  the bound sizes the homomorphic parameters, which the client sees, so a
//                  per-layer bit length of the largest weight would tell it about the weights
//   public terms   factor_int = round(2^{f_w} · factor)  (2^{f_w} for an identity branch)
//   biases         b_int = round(2^{f + f_w} · b)
//   ℓ              the fixed-point engine runs the quantised plan at ℓ = 64 on calibration
//                  inputs; with M the largest |A x + b| seen at scale 2^{f + f_w} over every
//                  affine output, ℓ = bit_width(M) + 1 + margin, so that
//                  |A x + b| < 2^{B + margin} with B = bit_width(M) − f − f_w, and
//                  ℓ ≥ f + f_w + B + 1 + margin (and at least f + f_w + 2).
#pragma once

#include <cstdint>
#include <vector>

#include "core/result.h"
#include "nn/lower.h"
#include "nn/plan.h"

namespace pg::nn {

// The public weight bound when none is given: f_w + 3 bits, i.e. real weights in (−8, 8).
inline int default_weight_bits(int f_w) {
  return f_w + 3;
}

// The plan with integer weights at f_w and f + f_w, and ℓ = 64 (before calibration). Every HE
// term gets weight_bits (0: default_weight_bits(f_w)); errors if a weight reaches 2^weight_bits
// (naming the layer and the bits it needs) or a bias needs more than 62 bits.
core::Result<Plan> quantize(const LoweredPlan& lowered, int f, int f_w, int weight_bits = 0);

struct Calibration {
  uint64_t max_abs = 0;  // largest |affine output| (scale 2^{f + f_w}) or |encoded input|
  int bound_bits = 0;    // B: |A x + b| < 2^B in real units (B = bit_width(max_abs) − f − f_w)
  int ell = 0;           // bit_width(max_abs) + 1 + margin, at least f + f_w + 2
};

// Runs `plan` (at ℓ = 64) on every input and chooses ℓ. Errors if ℓ would exceed 64.
core::Result<Calibration> calibrate(const Plan& plan,
                                    const std::vector<std::vector<double>>& inputs,
                                    int margin_bits);

// The ring the plan runs in: the calibrated ℓ, or `requested` (0 = none), which may only be
// larger (a wider ring keeps every value exact; a narrower one would wrap) and at most 64.
// Comparisons with other systems pin ℓ to theirs.
core::Result<int> choose_ell(const Calibration& c, int requested);

}  // namespace pg::nn
