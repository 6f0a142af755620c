// Every linear op with weights, seen as one convolution (NCHW, batch 1): a Conv as itself, an
// AveragePool or GlobalAveragePool as a depthwise convolution with weights 1/(kh·kw), and a Gemm
// as a convolution whose kernel covers its whole input (viewed as CxHxW; [1, F] is Fx1x1).
// The merge composes these views, and the lowering turns them into homomorphic terms.
#pragma once

#include <optional>
#include <vector>

#include "nn/graph.h"
#include "nn/kernels/conv_geometry.h"

namespace pg::nn {

struct ConvView {
  kernels::ConvGeometry geo;
  std::vector<double> w;     // [out_c][in_c/groups][kh][kw]
  std::vector<double> bias;  // [out_c]; empty means zero
};

// CxHxW of a value's shape (rank 4: its dims; rank 2 [1, F]: Fx1x1).
std::array<int, 3> chw_of(const Shape& s);

// The view of a Conv, AveragePool, GlobalAveragePool or Gemm node; nullopt for other ops.
std::optional<ConvView> conv_view(const Graph& g, const Node& n);

// The single convolution equal to b∘a (b reads a's output), or nullopt if there is none: when
// b's padding reads positions of a's output where the fused convolution would see a's real input
// instead of zeros, or where it would see a's bias (if a has one: the decision looks at whether
// the bias exists, never at its values, so it reveals nothing about them). a.geo's output shape
// must be b.geo's input shape.
std::optional<ConvView> compose(const ConvView& a, const ConvView& b);

// compose(a, b)'s geometry, or nullopt exactly when compose() returns nullopt, without building
// the weights (whose size is the product of the two layers' sizes and may be huge).
std::optional<kernels::ConvGeometry> composed_geometry(const ConvView& a, const ConvView& b);

// The same view with groups = 1 (zero weights across groups).
ConvView expand_groups(const ConvView& v);

// A view with a 1x1 output as dense weights [out_c][in_c·in_h·in_w] (taps in the padding dropped).
std::vector<double> dense_weights(const ConvView& v);

}  // namespace pg::nn
