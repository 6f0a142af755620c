#include "nn/merge.h"

namespace pg::nn {

core::Result<MergeResult> merge(const Graph& g, const MergeOptions& options) {
  MergeResult r;
  r.merged = g;
  PG_TRY(run_merge_passes(r.merged, FuseOptions{options.cost_ring_degree}, &r.log));
  PG_TRY_ASSIGN(r.lowered, lower(r.merged));
  PG_TRY_ASSIGN(r.plan, quantize(r.lowered, options.f, options.f_w, options.weight_bits));
  PG_TRY_ASSIGN(r.calibration, calibrate(r.plan, options.calibration, options.margin_bits));
  PG_TRY_ASSIGN(r.plan.ell, choose_ell(r.calibration, options.ell));
  r.plan.validate();
  return r;
}

}  // namespace pg::nn
