// Lowering a merged graph (after run_merge_passes) into a plan whose weights are still real:
// every ReLU, MaxPool+ReLU and Truncate becomes a non-linear step, and the linear ops feeding
// one become an affine step: one homomorphic term per Conv/Gemm/pooling on a masked tensor
// (split per tensor of a channel Concat), one public term per identity, Slice or channel Pad of
// a masked tensor (residual branches and shortcut "A"), and the biases summed per element.
// quantize.h turns the result into integers.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "nn/graph.h"
#include "nn/plan.h"

namespace pg::nn {

// The real coefficients of one affine step, aligned with its terms.
struct RealAffine {
  std::vector<std::vector<double>> he_weights;  // per homomorphic term, the plan's layout
  std::vector<double> public_factors;           // per public term
  std::vector<double> bias;                     // per output element
};

struct LoweredPlan {
  Plan plan;                            // shapes and steps; ell, f, f_w and weights unset
  std::vector<RealAffine> real;         // per step (empty for non-linear steps)
  std::vector<std::string> step_names;  // per step, the graph value it computes
};

// Errors name the node that cannot be lowered (e.g. a MaxPool not followed by a ReLU, a
// convolution of a strided Slice, a spatial Pad that was not folded into a convolution).
core::Result<LoweredPlan> lower(const Graph& merged);

}  // namespace pg::nn
