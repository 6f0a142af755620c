#include "protocol/schedule.h"

#include <stdexcept>

#include "core/secure.h"
#include "nn/fixed_point.h"

namespace pg::protocol {

using core::ErrorCode;
using core::make_error;

namespace {

mpc::NonLinearSpec spec_of(const nn::Plan& p, const nn::NonLinearStep& s) {
  mpc::NonLinearSpec spec;
  spec.ell = size_t(p.ell);
  spec.shift = size_t(p.f_w);
  spec.n_in = p.tensors[s.in].size();
  switch (s.kind) {
    case nn::NonLinearKind::kRelu:
      spec.kind = mpc::NonLinearKind::kReluTruncate;
      break;
    case nn::NonLinearKind::kMaxPoolRelu:
      spec.kind = mpc::NonLinearKind::kMaxPoolReluTruncate;
      spec.windows = s.windows(p.tensors[s.in], p.tensors[s.out]);
      break;
    case nn::NonLinearKind::kTruncate:
      // z = y >>ₐ f_w, re-masked: the truncation circuit without the ReLU.
      spec.kind = mpc::NonLinearKind::kTruncateRemask;
      break;
  }
  return spec;
}

}  // namespace

core::Result<Schedule> Schedule::make(const nn::Plan& plan) {
  Schedule s;
  try {
    plan.validate();
  } catch (const std::invalid_argument& e) {
    return make_error(ErrorCode::kMalformed, std::string("invalid plan: ") + e.what());
  }
  if (plan.f_w < 1 || plan.f_w >= plan.ell) {
    return make_error(ErrorCode::kUnsupported, "the plan's f_w must lie in [1, ℓ)");
  }
  s.architecture = plan.architecture();
  s.he_terms = he_term_refs(plan);
  bool output_is_affine = false;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    if (const auto* a = std::get_if<nn::AffineStep>(&plan.steps[i])) {
      if (a->out == plan.output) output_is_affine = true;
      continue;
    }
    const mpc::NonLinearSpec spec = spec_of(plan, std::get<nn::NonLinearStep>(plan.steps[i]));
    try {
      mpc::validate(spec);
    } catch (const std::invalid_argument& e) {
      return make_error(ErrorCode::kUnsupported, e.what());
    }
    s.nonlinear_steps.push_back(i);
    s.nl_specs.push_back(std::move(spec));
  }
  if (!output_is_affine) {
    return make_error(ErrorCode::kUnsupported, "the plan's output is not an affine step's output");
  }
  s.argmax.kind = mpc::NonLinearKind::kArgmax;
  s.argmax.ell = size_t(plan.ell);
  s.argmax.shift = 0;
  s.argmax.n_in = plan.tensors[plan.output].size();
  return s;
}

uint64_t Schedule::mask() const {
  return nn::ring_mask(architecture.ell);
}

const nn::AffineStep& Schedule::affine_of(size_t k) const {
  return std::get<nn::AffineStep>(architecture.steps.at(he_terms.at(k).step));
}

const nn::HeTerm& Schedule::term(size_t k) const {
  return affine_of(k).he_terms.at(he_terms[k].term);
}

Shares random_shares(core::Prg& prg, size_t n, int ell) {
  Shares v(n);
  prg.fill({reinterpret_cast<uint8_t*>(v.data()), n * sizeof(uint64_t)});
  const uint64_t mask = nn::ring_mask(ell);
  for (auto& x : v) x &= mask;
  return v;
}

void wipe(Shares& v) {
  if (!v.empty()) core::secure_zero(v.data(), v.size() * sizeof(uint64_t));
  v.clear();
  v.shrink_to_fit();
}

void wipe(std::vector<Shares>& v) {
  for (auto& s : v) wipe(s);
  v.clear();
}

}  // namespace pg::protocol
