// The server's model, prepared once at start-up and shared read-only by every session: the
// merged plan with weights (stage 1, PROTOCOL.md §2), its schedule and architecture hash, the
// online affine evaluators, and the HE backend with its weight plaintexts.
#pragma once

#include <memory>
#include <string>

#include "core/bytes.h"
#include "core/result.h"
#include "nn/plan.h"
#include "nn/plan_io.h"
#include "protocol/he_backend.h"
#include "protocol/online.h"
#include "protocol/schedule.h"

namespace pg::protocol {

struct ModelOptions {
  HeOptions he;                // the HE scheme and packing the sessions use
  HeServerFactory he_factory;  // empty: the product backend (make_he_server)
};

class ServerModel {
 public:
  // From the merged plan with weights (stage 1, nn::merge). Errors name what cannot be run: a
  // truncate step, a plan without a secure HE parameter set, ...
  static core::Result<std::shared_ptr<const ServerModel>> from_plan(nn::Plan plan,
                                                                    const ModelOptions& options,
                                                                    double merge_seconds = 0);

  const nn::Plan& plan() const { return plan_; }
  const Schedule& schedule() const { return schedule_; }
  const AffineEvaluators& affine() const { return affine_; }
  const HeServerBackend& he() const { return *he_; }
  const HeOptions& he_options() const { return he_options_; }
  const core::Bytes& architecture_bytes() const { return architecture_bytes_; }
  const nn::Hash& hash() const { return hash_; }
  double merge_seconds() const { return merge_seconds_; }

 private:
  ServerModel() = default;
  nn::Plan plan_;
  Schedule schedule_;
  AffineEvaluators affine_;
  std::unique_ptr<HeServerBackend> he_;
  HeOptions he_options_;
  core::Bytes architecture_bytes_;
  nn::Hash hash_{};
  double merge_seconds_ = 0;
};

}  // namespace pg::protocol
