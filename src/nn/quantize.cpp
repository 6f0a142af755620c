#include "nn/quantize.h"

#include <bit>
#include <cmath>

#include "nn/fixed_point.h"

namespace pg::nn {
namespace {

using core::ErrorCode;
using core::make_error;
using core::Result;

// round(v · 2^shift), or an error if it needs `bits` or more bits of magnitude.
Result<int64_t> to_int(double v, int shift, int bits, const std::string& what) {
  const double r = std::round(std::ldexp(v, shift));
  if (!(std::fabs(r) < std::ldexp(1.0, bits))) {
    return make_error(ErrorCode::kInvalidInput,
                      what + " " + std::to_string(v) + " needs more than " + std::to_string(bits) +
                          " bits at scale 2^" + std::to_string(shift) + "; lower f or f_w");
  }
  return int64_t(r);
}

int magnitude_bits(uint64_t v) {
  return int(std::bit_width(v));
}

}  // namespace

Result<Plan> quantize(const LoweredPlan& lowered, int f, int f_w, int weight_bits) {
  if (f < 0 || f_w < 0 || f > 30 || f_w > 30) {
    return make_error(ErrorCode::kInvalidInput, "f and f_w must lie in [0, 30]");
  }
  const int bound = weight_bits != 0 ? weight_bits : default_weight_bits(f_w);
  if (bound < 1 || bound > 40) {
    return make_error(ErrorCode::kInvalidInput, "the weight bound must lie in [1, 40] bits");
  }
  Plan p = lowered.plan;
  p.ell = 64;
  p.f = f;
  p.f_w = f_w;
  for (size_t s = 0; s < p.steps.size(); ++s) {
    auto* a = std::get_if<AffineStep>(&p.steps[s]);
    if (a == nullptr) continue;
    const RealAffine& real = lowered.real[s];
    for (size_t k = 0; k < a->he_terms.size(); ++k) {
      HeTerm& t = a->he_terms[k];
      t.weights.resize(real.he_weights[k].size());
      uint64_t largest = 0;
      for (size_t i = 0; i < t.weights.size(); ++i) {
        PG_TRY_ASSIGN(t.weights[i], to_int(real.he_weights[k][i], f_w, 40, "a weight"));
        largest = std::max(largest, uint64_t(std::llabs(t.weights[i])));
      }
      if (magnitude_bits(largest) > bound) {
        return make_error(ErrorCode::kInvalidInput,
                          "step " + std::to_string(s) + " has a weight of magnitude " +
                              std::to_string(std::ldexp(double(largest), -f_w)) +
                              ", beyond the public weight "
                              "bound 2^" +
                              std::to_string(bound - f_w) + " (--weight-bits " +
                              std::to_string(bound) + " at f_w = " + std::to_string(f_w) +
                              "); pass --weight-bits " + std::to_string(magnitude_bits(largest)) +
                              " or more");
      }
      t.weight_bits = bound;
    }
    for (size_t k = 0; k < a->public_terms.size(); ++k) {
      PG_TRY_ASSIGN(a->public_terms[k].factor,
                    to_int(real.public_factors[k], f_w, 40, "a public factor"));
    }
    a->bias.resize(real.bias.size());
    for (size_t i = 0; i < a->bias.size(); ++i) {
      PG_TRY_ASSIGN(a->bias[i], to_int(real.bias[i], f + f_w, 62, "a bias"));
    }
  }
  return p;
}

Result<Calibration> calibrate(const Plan& plan, const std::vector<std::vector<double>>& inputs,
                              int margin_bits) {
  if (inputs.empty()) return make_error(ErrorCode::kInvalidInput, "no calibration inputs");
  Plan p = plan;
  p.ell = 64;
  std::vector<size_t> affine_outputs;
  for (const auto& step : p.steps) {
    if (const auto* a = std::get_if<AffineStep>(&step)) affine_outputs.push_back(a->out);
  }
  Calibration c;
  affine_outputs.push_back(p.input);  // the encoded input must fit the ring too
  for (const auto& x : inputs) {
    const auto values = run_plan_all(p, encode_input(p, x));
    for (size_t t : affine_outputs) {
      for (uint64_t v : values[t]) {
        const int64_t s = to_signed(v, 64);
        c.max_abs = std::max(c.max_abs, s < 0 ? uint64_t(-(s + 1)) + 1 : uint64_t(s));
      }
    }
  }
  const int bits = magnitude_bits(c.max_abs);
  // Past 2^61 the ℓ = 64 run itself may have wrapped: the values cannot be trusted.
  if (bits > 61) {
    return make_error(ErrorCode::kInvalidInput, "activations reach 2^" + std::to_string(bits) +
                                                    " at scale 2^(f + f_w): lower f or f_w");
  }
  c.bound_bits = bits - p.f - p.f_w;
  c.ell = std::max(bits + 1 + margin_bits, p.f + p.f_w + 2);
  if (c.ell > 64) {
    return make_error(ErrorCode::kInvalidInput,
                      "the plan needs ℓ = " + std::to_string(c.ell) + " > 64: lower f or f_w");
  }
  return c;
}

Result<int> choose_ell(const Calibration& c, int requested) {
  if (requested == 0) return c.ell;
  if (requested > 64) {
    return make_error(ErrorCode::kInvalidInput, "ℓ = " + std::to_string(requested) +
                                                    " is too large: the ring is at most 64 bits");
  }
  if (requested < c.ell) {
    return make_error(ErrorCode::kInvalidInput,
                      "ℓ = " + std::to_string(requested) +
                          " is too small: the calibrated activations and the margin need ℓ ≥ " +
                          std::to_string(c.ell));
  }
  return requested;
}

}  // namespace pg::nn
