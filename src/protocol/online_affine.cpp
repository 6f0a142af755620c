#include "protocol/online_affine.h"

#include <stdexcept>

#include "nn/fixed_point.h"

namespace pg::protocol {

AffineEvaluator::AffineEvaluator(const nn::Plan& plan, const nn::AffineStep& step)
    : plan_(&plan), step_(&step) {
  for (const auto& t : step.he_terms) {
    if (t.weights.empty()) throw std::invalid_argument("AffineEvaluator: a term has no weights");
    // The kernels' digit planes, and so their timing, follow the public bound (weight_bits from
    // the architecture, taps from the geometry), never the weights' actual magnitudes.
    convs_.emplace_back(t.geometry, t.weights,
                        nn::kernels::WeightBound::public_bound(t.weight_bits, t.geometry.taps()));
  }
  // The kernels build their engines (packed weights, transforms) on first use; do it now, on
  // zeros, so that the first inference does not pay for it.
  for (const auto& conv : convs_) {
    const std::vector<uint64_t> zeros(conv.geometry().in_size(), 0);
    std::vector<uint64_t> y(conv.geometry().out_size());
    conv.apply(zeros, plan.ell, y);
  }
}

void AffineEvaluator::apply(const std::vector<std::vector<uint64_t>>& shares,
                            std::span<const uint64_t> t, std::span<uint64_t> u) const {
  const int ell = plan_->ell;
  if (t.size() != u.size() || step_->bias.size() != u.size()) {
    throw std::invalid_argument("AffineEvaluator: mask, bias or output size mismatch");
  }
  for (size_t i = 0; i < u.size(); ++i) u[i] = t[i] + uint64_t(step_->bias[i]);
  std::vector<uint64_t> y(u.size());
  for (size_t k = 0; k < convs_.size(); ++k) {
    convs_[k].apply(shares.at(step_->he_terms[k].in), ell, y);
    for (size_t i = 0; i < u.size(); ++i) u[i] += y[i];
  }
  for (const auto& s : step_->public_terms) {
    s.accumulate(plan_->tensors.at(s.in), shares.at(s.in), u);
  }
  const uint64_t mask = nn::ring_mask(ell);
  for (auto& v : u) v &= mask;
}

}  // namespace pg::protocol
