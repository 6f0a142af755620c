#include "protocol/server_model.h"

#include <stdexcept>

namespace pg::protocol {

using core::ErrorCode;
using core::make_error;

core::Result<std::shared_ptr<const ServerModel>> ServerModel::from_plan(nn::Plan plan,
                                                                        const ModelOptions& options,
                                                                        double merge_seconds) {
  if (!plan.has_weights()) {
    return make_error(ErrorCode::kInvalidInput, "the server's plan has no weights");
  }
  std::shared_ptr<ServerModel> m(new ServerModel());
  PG_TRY_ASSIGN(m->schedule_, Schedule::make(plan));
  m->plan_ = std::move(plan);
  m->he_options_ = options.he;
  m->merge_seconds_ = merge_seconds;
  try {
    m->affine_.resize(m->plan_.steps.size());
    for (size_t i = 0; i < m->plan_.steps.size(); ++i) {
      if (const auto* a = std::get_if<nn::AffineStep>(&m->plan_.steps[i])) {
        m->affine_[i] = std::make_unique<AffineEvaluator>(m->plan_, *a);
      }
    }
    m->he_ = options.he_factory ? options.he_factory(m->plan_, options.he)
                                : make_he_server(m->plan_, options.he);
  } catch (const std::invalid_argument& e) {
    return make_error(ErrorCode::kUnsupported, e.what());
  }
  if (m->he_->num_terms() != m->schedule_.he_terms.size()) {
    return make_error(ErrorCode::kMismatch, "the HE backend counts a different number of terms");
  }
  core::ByteWriter w;
  nn::write_architecture(w, m->plan_);
  m->architecture_bytes_ = w.take();
  m->hash_ = nn::architecture_hash(m->plan_);
  return std::shared_ptr<const ServerModel>(std::move(m));
}

}  // namespace pg::protocol
