#include "protocol/online_affine.h"

#include <stdexcept>

namespace pg::protocol {

AffineEvaluator::AffineEvaluator(const AffineStep& step, int ell) : step_(&step), ell_(ell) {
  for (const auto& t : step.he_terms) {
    if (t.weights.empty()) throw std::invalid_argument("AffineEvaluator: a term has no weights");
    convs_.emplace_back(t.geometry, t.weights);
  }
}

void AffineEvaluator::apply(const std::vector<std::vector<uint64_t>>& shares,
                            std::span<const uint64_t> t, std::span<uint64_t> u) const {
  const uint64_t mask = ell_ == 64 ? ~uint64_t{0} : (uint64_t{1} << ell_) - 1;
  if (t.size() != u.size() || (!step_->bias.empty() && step_->bias.size() != u.size())) {
    throw std::invalid_argument("AffineEvaluator: mask or output size mismatch");
  }
  for (size_t i = 0; i < u.size(); ++i) {
    u[i] = t[i] + (step_->bias.empty() ? 0 : uint64_t(step_->bias[i]));
  }
  std::vector<uint64_t> y(u.size());
  for (size_t k = 0; k < convs_.size(); ++k) {
    convs_[k].apply(shares.at(step_->he_terms[k].in), ell_, y);
    for (size_t i = 0; i < u.size(); ++i) u[i] += y[i];
  }
  for (const auto& s : step_->scale_terms) {
    const auto& x = shares.at(s.in);
    for (size_t i = 0; i < u.size(); ++i) u[i] += uint64_t(s.factor) * x[i];
  }
  for (auto& v : u) v &= mask;
}

}  // namespace pg::protocol
