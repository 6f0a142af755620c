// The double-precision reference engine on the graph IR: plain direct loops that follow the op
// definitions of graph.h (ONNX's), the accuracy oracle of every later test.
//
// EvalOptions::fast_conv routes Conv through nn::kernels::conv2d_double (im2col + OpenBLAS
// dgemm): the same sums in another order, for runs over whole data sets; the tests check it
// against the direct loops.
#pragma once

#include <map>
#include <span>
#include <string>
#include <vector>

#include "nn/graph.h"

namespace pg::nn {

struct EvalOptions {
  bool fast_conv = false;
};

// Every value of the graph on `input` (shape g.input_shape). Throws std::invalid_argument on a
// graph that has not been through infer_shapes or on an input of the wrong size.
std::map<std::string, Tensor> evaluate_all(const Graph& g, std::span<const double> input,
                                           EvalOptions options = {});
// The output value only.
std::vector<double> evaluate(const Graph& g, std::span<const double> input,
                             EvalOptions options = {});

// The reference kernels, also used by the passes' tests.
namespace ref {

struct ConvParams {
  int kh = 1, kw = 1, stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int groups = 1;
};

// x [C][H][W] → y [M][Ho][Wo]; w [M][C/groups][kh][kw]; bias may be empty.
std::vector<double> conv(const ConvParams& p, int c, int h, int w_in, int m,
                         std::span<const double> x, std::span<const double> w,
                         std::span<const double> bias);
// Max or average (divisor kh·kw, padding counted) over windows, per channel.
std::vector<double> pool(const ConvParams& p, bool max, int c, int h, int w_in,
                         std::span<const double> x);

}  // namespace ref
}  // namespace pg::nn
