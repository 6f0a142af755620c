// The project's own graph IR: a DAG of ops over named tensors, batch 1, NCHW (rank 4) or
// [1, F] (rank 2). Constant operands (weights, biases, BN statistics) live in `constants`, all in
// double; every other value is computed. Kernels and passes never see ONNX.
//
// Op semantics are ONNX's, restricted to what the importer accepts, with these internal
// conventions (the importer normalises to them):
//   kConv     inputs {x, W, [B]}: W [M][C/g][kh][kw], B [M]; kernel/strides/pads/groups.
//   kGemm     inputs {x, W, [B]}: y[o] = Σ_i W[o][i]·x[i] + B[o], x read flattened (any shape
//             with batch 1), W [out][in] (transB, alpha and beta are folded at import).
//   kBatchNorm inputs {x, scale, bias, mean, var}; epsilon.
//   kAveragePool: count_include_pad semantics (a window's divisor is always kh·kw); the
//             importer rejects padded pools that exclude the padding, and ceil-mode pools whose
//             last window hangs past the padded input (ONNX divides those by less than kh·kw).
//   kMaxPool  floor semantics; ceil mode becomes extra end padding (pads < kernel).
//   kAdd/kSub/kMul/kDiv: two inputs; a constant operand broadcasts (scalar or per channel).
//             Add and Sub may also combine two computed tensors of the same shape.
//   kPad      zero padding, `pads` per axis (begin..., end...), batch axis never padded.
//   kSlice    strided subsampling of spatial axes, from 0 to the end (`steps` per axis).
//   kReshape/kFlatten: relabel the shape (`shape` holds the resolved output shape).
//   kConcat   along axis 1 (channels / features).
//   kTruncate internal: the identity in real arithmetic; in the plan, a truncation by f_w
//             between two linear ops that were not fused.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"

namespace pg::nn {

using Shape = std::vector<int64_t>;

// Largest tensor the IR accepts (elements), checked by the importer before allocating.
inline constexpr int64_t kMaxTensorElements = int64_t(1) << 28;

struct Tensor {
  Shape shape;
  std::vector<double> data;
  size_t size() const { return data.size(); }
};

// Product of the dims (1 for rank 0, 0 if a dim is not positive), saturating at INT64_MAX.
int64_t element_count(const Shape& s);
std::string to_string(const Shape& s);  // "1x16x24x24"

enum class OpKind {
  kConv,
  kGemm,
  kBatchNorm,
  kRelu,
  kMaxPool,
  kAveragePool,
  kGlobalAveragePool,
  kFlatten,
  kReshape,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kPad,
  kIdentity,
  kDropout,
  kSoftmax,
  kConcat,
  kSlice,
  kTruncate,
};

const char* op_name(OpKind op);

struct Node {
  OpKind op = OpKind::kIdentity;
  std::string name;
  std::vector<std::string> inputs;
  std::string output;
  // Conv and pools: kernel (kh, kw), strides, pads (top, left, bottom, right), groups.
  std::array<int, 2> kernel{1, 1};
  std::array<int, 2> strides{1, 1};
  std::array<int, 4> pads{0, 0, 0, 0};
  int groups = 1;
  double epsilon = 1e-5;     // kBatchNorm
  int axis = 1;              // kConcat, kFlatten, kSoftmax
  Shape shape;               // kReshape/kFlatten: the output shape
  std::vector<int64_t> pad;  // kPad: begin for every axis, then end for every axis
  std::vector<int> steps;    // kSlice: the step of every axis (1 = untouched)
};

struct Graph {
  std::string input;  // the single data input
  Shape input_shape;
  std::string output;       // the single output
  std::vector<Node> nodes;  // topological order
  std::map<std::string, Tensor> constants;
  std::map<std::string, Shape> shapes;  // every computed value's shape (after infer_shapes)

  bool is_constant(const std::string& name) const { return constants.count(name) != 0; }
  const Tensor& constant(const std::string& name) const;
  const Shape& shape_of(const std::string& name) const;
  // Indices of the nodes that read `value`.
  std::vector<size_t> consumers(const std::string& value) const;
  // The index of the node producing `value`, or -1 for the input and constants.
  int producer(const std::string& value) const;
  // A name not yet used by any value or constant, built from `base`.
  std::string fresh_name(const std::string& base) const;
};

// Checks the DAG (every input defined before use, one producer per value, the output produced)
// and infers every value's shape, checking operand shapes. Errors name the node and op.
core::Status infer_shapes(Graph& g);
// The shape of one node's output from the shapes of its inputs (already in g.shapes or
// constants), for builders that add nodes one at a time.
core::Result<Shape> infer_node_shape(const Graph& g, const Node& n);

// Drops nodes whose outputs are not needed for the graph output, and unused constants.
void remove_dead_nodes(Graph& g);

// One line per node: "name: Op(inputs) -> output [shape] attributes".
std::string describe(const Graph& g);

}  // namespace pg::nn
