// The merge report (PROTOCOL.md §2): for the network before merging (the imported graph, every
// linear layer evaluated as its own homomorphic block) and after (the plan's affine steps): the
// number of linear layers, multiplicative levels, ReLUs, MACs, and the homomorphic operation
// counts of both encodings (he_cost.h) at each block's ring degree N.
//
// Before merging, a linear layer is a Conv or Gemm (MatMul), a BatchNormalization or a constant
// Mul/Div (a 1x1 depthwise convolution), or an AveragePool/GlobalAveragePool (a depthwise
// convolution); Add, Sub, Pad, Flatten, Reshape, Slice, Concat, Identity and Dropout are not.
// Multiplicative levels: the longest chain of linear layers with no non-linearity between them
// (each is one ct–pt multiplication in sequence); after merging every block has depth 1.
// MACs: the multiply-accumulates of the linear layers (a pooling counts its window).
// ReLUs: elements through a ReLU (after merging, the outputs of ReLU and MaxPool+ReLU steps);
// truncations are reported apart.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nn/graph.h"
#include "nn/he_cost.h"
#include "nn/merge.h"
#include "nn/plan.h"

namespace pg::nn {

// N for a block with `taps` multiply-accumulates per output and weights of magnitude at most
// `max_abs_weight` (the protocol's choose_linear_params decides this from ℓ).
using RingDegreeFn = std::function<size_t(size_t taps, uint64_t max_abs_weight)>;

struct LayerCounts {
  std::string name;
  std::string kind;  // "conv", "dense", "depthwise"
  size_t ring_degree = 0;
  uint64_t macs = 0;
  HeOpCount coeff, slot;
};

struct NetworkCounts {
  uint64_t linear_layers = 0;
  int levels = 0;
  uint64_t relus = 0;
  uint64_t truncations = 0;
  uint64_t macs = 0;
  HeOpCount coeff, slot;
  std::vector<LayerCounts> layers;
};

// The imported graph, each linear layer on its own (weights quantised at f_w for N).
NetworkCounts count_graph(const Graph& g, int f_w, const RingDegreeFn& ring_degree);
// The plan; `names` (optional, per step) labels the blocks. N comes from each term's public
// weight bound, |w| ≤ 2^weight_bits − 1.
NetworkCounts count_plan(const Plan& p, const RingDegreeFn& ring_degree,
                         const std::vector<std::string>& names = {});

struct MergeReport {
  NetworkCounts before, after;
  int ell = 0, f = 0, f_w = 0, bound_bits = 0, margin_bits = 0;
};

MergeReport make_report(const Graph& original, const MergeResult& merged, int margin_bits,
                        const RingDegreeFn& ring_degree);

// A human-readable table: totals before/after, then the plan's blocks.
std::string format_report(const MergeReport& r);

}  // namespace pg::nn
