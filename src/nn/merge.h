// The merge stage (PROTOCOL.md §2), end to end: the graph passes, the lowering to a plan,
// quantisation at (f, f_w), calibration on sample inputs, and the choice of ℓ.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "nn/graph.h"
#include "nn/lower.h"
#include "nn/passes.h"
#include "nn/plan.h"
#include "nn/quantize.h"

namespace pg::nn {

struct MergeOptions {
  int f = 12;
  int f_w = 12;
  int margin_bits = 2;             // headroom of ℓ over the calibrated bound
  int ell = 0;                     // 0: the calibrated ℓ; else this ℓ (see choose_ell)
  int weight_bits = 0;             // public weight bound; 0: default_weight_bits(f_w)
  size_t cost_ring_degree = 8192;  // N at which the cost-guided fusions compare costs
  // Sample inputs (each of the graph's input size) for the activation bounds.
  std::vector<std::vector<double>> calibration;
};

struct MergeResult {
  Graph merged;         // after the passes: equal to the input graph in real arithmetic
  LoweredPlan lowered;  // the plan with real weights
  Plan plan;            // quantised, with the chosen ℓ
  Calibration calibration;
  PassLog log;  // what each pass did
};

core::Result<MergeResult> merge(const Graph& g, const MergeOptions& options);

}  // namespace pg::nn
