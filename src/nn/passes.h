// The merge stage's graph passes (PROTOCOL.md §2, steps 1–3). Each rewrites the graph in place,
// keeps what it computes equal in real arithmetic (the tests check every pass alone against the
// reference engine to 1e-9 relative), and leaves the shapes inferred. A structure a pass cannot
// handle is left alone; lower.h reports what remains unsupported.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/result.h"
#include "nn/graph.h"

namespace pg::nn {

// What each pass did, one line per rewrite (for the merge report and the tests).
using PassLog = std::vector<std::string>;

// Removes Identity and Dropout, and a final Softmax (argmax and logits order are unchanged).
// A Softmax anywhere else is an error.
core::Status remove_identities(Graph& g, PassLog* log = nullptr);

// Folds BatchNormalization into the Conv or Gemm that produces its input (when that output has
// no other use); any other BatchNormalization becomes a per-channel Mul and Add.
core::Status fold_batch_norm(Graph& g, PassLog* log = nullptr);

// Folds a per-channel (or scalar) constant Mul/Div/Add/Sub into the Conv or Gemm before it
// (weights and bias), else into the Conv or Gemm after it (input-channel scaling; an additive
// constant only into an unpadded Conv or a Gemm). What remains becomes a 1x1 depthwise Conv
// (rank 4) or a diagonal Gemm (rank 2).
core::Status fold_constants(Graph& g, PassLog* log = nullptr);

// Removes zero-size Pads and folds a spatial zero Pad into the Conv or AveragePool after it.
core::Status fold_pads(Graph& g, PassLog* log = nullptr);

struct FuseOptions {
  size_t ring_degree = 8192;  // N at which the cost model compares fused and separate blocks
};

// Fuses chains of linear ops into one: Conv→AvgPool, AvgPool→Conv, Flatten/Reshape→Gemm,
// GlobalAvgPool→Gemm (and any pooling into a Conv or Gemm) whenever the fusion is exact, and
// Conv→Conv, Conv→Gemm and Gemm→Gemm when it is exact and the cost model (he_cost.h,
// coefficient encoding, plus the garbled truncation a separate pair needs) says the fused block
// is cheaper. No fused block has more than kMaxTermWeights weights (plan_io.h). A fusion is
// exact unless the second op's padding reads positions where the first op's real input would
// appear, or where its bias would (if it has a bias operand, whatever its values). Every
// decision depends on shapes and public attributes only, never on weight or bias values.
core::Status fuse_linear(Graph& g, const FuseOptions& options = {}, PassLog* log = nullptr);

// Moves MaxPool before ReLU (they commute), pushing MaxPool and ReLU through channel Concats,
// so that each MaxPool+ReLU becomes one non-linear block on an affine output.
core::Status reorder_maxpool(Graph& g, PassLog* log = nullptr);

// Inserts a Truncate (the identity in real arithmetic) wherever a linear op reads the output of
// another linear op that was not fused with it, so that every affine block reads masked values.
core::Status insert_truncations(Graph& g, PassLog* log = nullptr);

// All of the above, in order.
core::Status run_merge_passes(Graph& g, const FuseOptions& options = {}, PassLog* log = nullptr);

}  // namespace pg::nn
