// ONNX import (protobuf + Debian's libonnx; this and onnx_*.cpp are the only code that sees
// them). A model exported by PyTorch (opsets 11 to 17) becomes the graph IR of graph.h.
//
// Accepted: one float input of fixed shape 1xCxHxW or 1xF, one output, and these ops with the
// attributes PyTorch exports: Conv (strides, pads, dilations 1, group 1 or any divisor, e.g.
// depthwise), Gemm, MatMul (by a constant), BatchNormalization (inference), Relu, MaxPool
// (including ceil mode), AveragePool, GlobalAveragePool, Flatten, Reshape (constant shape), Add
// (of two tensors, or of a constant), Sub/Mul/Div by a scalar or per-channel constant, Pad
// (constant zeros), Identity, Dropout (inference), Softmax, Concat (channels), Slice (strided
// subsampling of the spatial axes). Constant subgraphs (Constant, ConstantOfShape, Shape,
// Gather, Unsqueeze, Squeeze, Cast, Transpose, Concat, Reshape, Slice, arithmetic on constants)
// are evaluated at import.
//
// Everything else is an error that names the node, the op and the attribute. The bytes are
// untrusted: malformed protobuf, a wrong opset, dynamic or inconsistent shapes, external data
// and sizes beyond kMaxTensorElements are Result errors, never a crash.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/result.h"
#include "nn/graph.h"

namespace pg::nn {

inline constexpr size_t kMaxModelBytes = size_t(512) << 20;
inline constexpr size_t kMaxModelNodes = 100000;
inline constexpr int kMinOpset = 11, kMaxOpset = 17;

core::Result<Graph> import_onnx(std::span<const uint8_t> bytes);
core::Result<Graph> import_onnx_file(const std::string& path);

}  // namespace pg::nn
