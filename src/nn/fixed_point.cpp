#include "nn/fixed_point.h"

#include "nn/direct_conv.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace pg::nn {

std::vector<uint64_t> encode_input(const Plan& plan, std::span<const double> x) {
  if (x.size() != plan.tensors.at(plan.input).size()) {
    throw std::invalid_argument("encode_input: the input has " + std::to_string(x.size()) +
                                " values, the plan expects " +
                                std::to_string(plan.tensors[plan.input].size()));
  }
  const uint64_t mask = ring_mask(plan.ell);
  const double limit = std::ldexp(1.0, plan.ell - 1);
  std::vector<uint64_t> out(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const double v = std::round(std::ldexp(x[i], plan.f));
    if (!(std::fabs(v) < limit)) throw std::invalid_argument("encode_input: value out of range");
    out[i] = uint64_t(int64_t(v)) & mask;
  }
  return out;
}

std::vector<double> decode_output(const Plan& plan, std::span<const uint64_t> y) {
  std::vector<double> out(y.size());
  for (size_t i = 0; i < y.size(); ++i) {
    out[i] = std::ldexp(double(to_signed(y[i], plan.ell)), -(plan.f + plan.f_w));
  }
  return out;
}

void apply_he_term(const HeTerm& term, std::span<const uint64_t> x, std::span<uint64_t> y) {
  const ConvGeometry& g = term.geometry;
  if (term.weights.size() != g.weight_count() || x.size() != g.in_size() ||
      y.size() != g.out_size()) {
    throw std::invalid_argument("apply_he_term: size mismatch (or a term without weights)");
  }
  const auto& w = term.weights;
  detail::direct_conv<uint64_t>(
      g, [&](size_t i) { return uint64_t(w[i]); }, x, y);
}

void apply_affine(const Plan& plan, const AffineStep& step,
                  const std::vector<std::vector<uint64_t>>& values, bool with_bias,
                  std::span<uint64_t> out) {
  const size_t n = plan.tensors.at(step.out).size();
  if (out.size() != n) throw std::invalid_argument("apply_affine: output size mismatch");
  if (with_bias && step.bias.size() != n) {
    throw std::invalid_argument("apply_affine: the step has no bias (an architecture?)");
  }
  for (size_t i = 0; i < n; ++i) out[i] = with_bias ? uint64_t(step.bias[i]) : 0;
  std::vector<uint64_t> tmp(n);
  for (const auto& t : step.he_terms) {
    apply_he_term(t, values.at(t.in), tmp);
    for (size_t i = 0; i < n; ++i) out[i] += tmp[i];
  }
  for (const auto& t : step.public_terms) t.accumulate(plan.tensors.at(t.in), values.at(t.in), out);
  const uint64_t mask = ring_mask(plan.ell);
  for (auto& v : out) v &= mask;
}

void apply_nonlinear(const Plan& plan, const NonLinearStep& step, std::span<const uint64_t> y,
                     std::span<uint64_t> z) {
  const TensorInfo& in = plan.tensors.at(step.in);
  const TensorInfo& out = plan.tensors.at(step.out);
  if (y.size() != in.size() || z.size() != out.size()) {
    throw std::invalid_argument("apply_nonlinear: size mismatch");
  }
  const uint64_t mask = ring_mask(plan.ell);
  auto shifted = [&](uint64_t v) { return to_signed(v, plan.ell) >> plan.f_w; };
  if (step.kind == NonLinearKind::kTruncate) {
    for (size_t i = 0; i < y.size(); ++i) z[i] = uint64_t(shifted(y[i])) & mask;
    return;
  }
  if (step.kind == NonLinearKind::kRelu) {
    for (size_t i = 0; i < y.size(); ++i) z[i] = uint64_t(std::max<int64_t>(shifted(y[i]), 0));
    return;
  }
  const auto wins = step.windows(in, out);
  for (size_t i = 0; i < wins.size(); ++i) {
    int64_t best = 0;  // max(max over the window, 0)
    for (uint32_t j : wins[i]) best = std::max(best, shifted(y[j]));
    z[i] = uint64_t(best);
  }
}

std::vector<std::vector<uint64_t>> run_plan_all(const Plan& plan, std::span<const uint64_t> input) {
  if (input.size() != plan.tensors.at(plan.input).size()) {
    throw std::invalid_argument("run_plan: input size mismatch");
  }
  std::vector<std::vector<uint64_t>> values(plan.tensors.size());
  const uint64_t mask = ring_mask(plan.ell);
  values[plan.input].resize(input.size());
  for (size_t i = 0; i < input.size(); ++i) values[plan.input][i] = input[i] & mask;
  for (const auto& step : plan.steps) {
    if (const auto* a = std::get_if<AffineStep>(&step)) {
      values[a->out].resize(plan.tensors[a->out].size());
      apply_affine(plan, *a, values, true, values[a->out]);
    } else {
      const auto& n = std::get<NonLinearStep>(step);
      values[n.out].resize(plan.tensors[n.out].size());
      apply_nonlinear(plan, n, values[n.in], values[n.out]);
    }
  }
  return values;
}

std::vector<uint64_t> run_plan(const Plan& plan, std::span<const uint64_t> input) {
  return std::move(run_plan_all(plan, input)[plan.output]);
}

std::vector<double> run_plan_real(const Plan& plan, std::span<const double> x) {
  const auto enc = encode_input(plan, x);
  return decode_output(plan, run_plan(plan, enc));
}

}  // namespace pg::nn
