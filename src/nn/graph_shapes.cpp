// Shape inference and structural checks of the graph IR (see graph.h for op semantics).
#include "nn/graph.h"

namespace pg::nn {
namespace {

using core::ErrorCode;
using core::make_error;
using core::Result;

struct Checker {
  const Graph& g;
  const Node& n;

  core::Error error(const std::string& what) const {
    return make_error(ErrorCode::kMalformed,
                      "node '" + n.name + "' (" + op_name(n.op) + "): " + what);
  }
  Result<Shape> input(size_t i) const {
    if (i >= n.inputs.size()) return error("missing input " + std::to_string(i));
    const std::string& name = n.inputs[i];
    if (g.is_constant(name)) return g.constant(name).shape;
    auto it = g.shapes.find(name);
    if (it == g.shapes.end()) return error("input '" + name + "' is not defined before use");
    return it->second;
  }
  Result<Shape> constant(size_t i) const {
    if (i >= n.inputs.size()) return error("missing input " + std::to_string(i));
    if (!g.is_constant(n.inputs[i])) {
      return error("input '" + n.inputs[i] + "' must be a constant (an initializer)");
    }
    return g.constant(n.inputs[i]).shape;
  }
};

// Output size of a window op along one axis, or -1 if the window does not fit.
int64_t window_out(int64_t in, int k, int stride, int pad_begin, int pad_end) {
  if (k < 1 || stride < 1 || pad_begin < 0 || pad_end < 0 || in + pad_begin + pad_end < k) {
    return -1;
  }
  return (in + pad_begin + pad_end - k) / stride + 1;
}

Result<Shape> window_shape(const Checker& c, const Shape& x, int64_t channels) {
  if (x.size() != 4 || x[0] != 1) return c.error("expects a 1xCxHxW input, got " + to_string(x));
  const Node& n = c.n;
  const int64_t oh = window_out(x[2], n.kernel[0], n.strides[0], n.pads[0], n.pads[2]);
  const int64_t ow = window_out(x[3], n.kernel[1], n.strides[1], n.pads[1], n.pads[3]);
  if (oh < 1 || ow < 1) {
    return c.error("a " + std::to_string(n.kernel[0]) + "x" + std::to_string(n.kernel[1]) +
                   " window (stride " + std::to_string(n.strides[0]) + ") does not fit the input " +
                   to_string(x));
  }
  return Shape{1, channels, oh, ow};
}

Result<Shape> conv_shape(const Checker& c) {
  PG_TRY_ASSIGN(Shape x, c.input(0));
  PG_TRY_ASSIGN(Shape w, c.constant(1));
  const Node& n = c.n;
  if (x.size() != 4 || x[0] != 1) return c.error("expects a 1xCxHxW input, got " + to_string(x));
  if (w.size() != 4 || w[2] != n.kernel[0] || w[3] != n.kernel[1]) {
    return c.error("weights of shape " + to_string(w) + " do not match the kernel");
  }
  if (n.groups < 1 || x[1] % n.groups != 0 || w[0] % n.groups != 0 || w[1] * n.groups != x[1]) {
    return c.error("weights " + to_string(w) + " do not fit " + std::to_string(x[1]) +
                   " input channels in " + std::to_string(n.groups) + " groups");
  }
  if (n.inputs.size() > 2) {
    PG_TRY_ASSIGN(Shape b, c.constant(2));
    if (element_count(b) != w[0] || b.size() != 1) return c.error("bias shape " + to_string(b));
  }
  return window_shape(c, x, w[0]);
}

Result<Shape> gemm_shape(const Checker& c) {
  PG_TRY_ASSIGN(Shape x, c.input(0));
  PG_TRY_ASSIGN(Shape w, c.constant(1));
  if (x.empty() || x[0] != 1) return c.error("expects a batch of 1, got " + to_string(x));
  if (w.size() != 2 || w[1] != element_count(x)) {
    return c.error("weights of shape " + to_string(w) + " do not match the input " + to_string(x));
  }
  if (c.n.inputs.size() > 2) {
    PG_TRY_ASSIGN(Shape b, c.constant(2));
    if (element_count(b) != w[0] || b.size() != 1) return c.error("bias shape " + to_string(b));
  }
  return Shape{1, w[0]};
}

// A constant operand broadcasts as a scalar or per channel ([C], [C,1,1], [1,C,1,1], [1,C]).
bool broadcasts(const Shape& k, const Shape& x) {
  if (element_count(k) == 1) return true;
  if (x.size() < 2 || element_count(k) != x[1]) return false;
  for (size_t i = 0; i < k.size(); ++i) {
    const size_t axis = x.size() - k.size() + i;  // right-aligned, as numpy broadcasting
    if (axis >= x.size() || (k[i] != 1 && axis != 1)) return false;
  }
  return true;
}

Result<Shape> binary_shape(const Checker& c) {
  if (c.n.inputs.size() != 2) return c.error("expects two inputs");
  PG_TRY_ASSIGN(Shape a, c.input(0));
  PG_TRY_ASSIGN(Shape b, c.input(1));
  const bool ka = c.g.is_constant(c.n.inputs[0]), kb = c.g.is_constant(c.n.inputs[1]);
  if (ka && kb) return c.error("both operands are constants");
  if (!ka && !kb) {
    if (c.n.op != OpKind::kAdd && c.n.op != OpKind::kSub) {
      return c.error("only Add and Sub may combine two computed tensors");
    }
    if (a != b)
      return c.error("operand shapes " + to_string(a) + " and " + to_string(b) + " differ");
    return a;
  }
  if (ka && c.n.op == OpKind::kDiv) return c.error("division by a computed tensor");
  const Shape& k = ka ? a : b;
  const Shape& x = ka ? b : a;
  if (!broadcasts(k, x)) {
    return c.error("constant of shape " + to_string(k) + " does not broadcast per channel over " +
                   to_string(x));
  }
  return x;
}

Result<Shape> pad_shape(const Checker& c) {
  PG_TRY_ASSIGN(Shape x, c.input(0));
  const auto& p = c.n.pad;
  if (p.size() != 2 * x.size()) return c.error("pads do not match the rank");
  if (p[0] != 0 || p[x.size()] != 0) return c.error("padding the batch axis");
  Shape out = x;
  for (size_t i = 0; i < x.size(); ++i) {
    if (p[i] < 0 || p[i + x.size()] < 0 || p[i] > 4096 || p[i + x.size()] > 4096) {
      return c.error("pads out of range [0, 4096]");
    }
    out[i] += p[i] + p[i + x.size()];
  }
  return out;
}

Result<Shape> concat_shape(const Checker& c) {
  if (c.n.axis != 1) return c.error("only axis 1 (channels) is supported");
  if (c.n.inputs.empty()) return c.error("no inputs");
  PG_TRY_ASSIGN(Shape out, c.input(0));
  if (out.size() < 2) return c.error("expects rank 2 or more");
  out[1] = 0;
  for (size_t i = 0; i < c.n.inputs.size(); ++i) {
    if (c.g.is_constant(c.n.inputs[i])) return c.error("concatenating a constant");
    PG_TRY_ASSIGN(Shape s, c.input(i));
    Shape a = s, b = out;
    a[1] = b[1] = 0;
    if (a != b) return c.error("input shapes differ outside axis 1: " + to_string(s));
    out[1] += s[1];
  }
  return out;
}

Result<Shape> slice_shape(const Checker& c) {
  PG_TRY_ASSIGN(Shape x, c.input(0));
  if (c.n.steps.size() != x.size()) return c.error("steps do not match the rank");
  Shape out = x;
  for (size_t i = 0; i < x.size(); ++i) {
    const int s = c.n.steps[i];
    if (s < 1 || (s > 1 && i < 2)) return c.error("only spatial axes may be subsampled");
    out[i] = (x[i] + s - 1) / s;
  }
  return out;
}

}  // namespace

Result<Shape> infer_node_shape(const Graph& g, const Node& n) {
  const Checker c{g, n};
  switch (n.op) {
    case OpKind::kConv:
      return conv_shape(c);
    case OpKind::kGemm:
      return gemm_shape(c);
    case OpKind::kBatchNorm: {
      PG_TRY_ASSIGN(Shape x, c.input(0));
      if (x.size() < 2 || n.inputs.size() != 5) return c.error("expects x and 4 parameters");
      for (size_t i = 1; i < 5; ++i) {
        PG_TRY_ASSIGN(Shape p, c.constant(i));
        if (element_count(p) != x[1]) return c.error("parameter shape " + to_string(p));
      }
      return x;
    }
    case OpKind::kMaxPool:
    case OpKind::kAveragePool: {
      PG_TRY_ASSIGN(Shape x, c.input(0));
      if (n.op == OpKind::kMaxPool && (n.pads[0] >= n.kernel[0] || n.pads[2] >= n.kernel[0] ||
                                       n.pads[1] >= n.kernel[1] || n.pads[3] >= n.kernel[1])) {
        return c.error("pads must be smaller than the kernel");
      }
      return window_shape(c, x, x.size() == 4 ? x[1] : 0);
    }
    case OpKind::kGlobalAveragePool: {
      PG_TRY_ASSIGN(Shape x, c.input(0));
      if (x.size() != 4 || x[0] != 1) return c.error("expects a 1xCxHxW input");
      return Shape{1, x[1], 1, 1};
    }
    case OpKind::kFlatten:
    case OpKind::kReshape: {
      PG_TRY_ASSIGN(Shape x, c.input(0));
      if (n.shape.empty() || n.shape[0] != 1 || element_count(n.shape) != element_count(x)) {
        return c.error("cannot reshape " + to_string(x) + " to " + to_string(n.shape));
      }
      return n.shape;
    }
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv:
      return binary_shape(c);
    case OpKind::kPad:
      return pad_shape(c);
    case OpKind::kConcat:
      return concat_shape(c);
    case OpKind::kSlice:
      return slice_shape(c);
    case OpKind::kRelu:
    case OpKind::kIdentity:
    case OpKind::kDropout:
    case OpKind::kSoftmax:
    case OpKind::kTruncate:
      if (n.inputs.size() != 1) return c.error("expects one input");
      if (g.is_constant(n.inputs[0])) return c.error("applied to a constant");
      return c.input(0);
  }
  return c.error("unknown op");
}

core::Status infer_shapes(Graph& g) {
  g.shapes.clear();
  if (g.is_constant(g.input)) return make_error(ErrorCode::kMalformed, "the input is a constant");
  g.shapes[g.input] = g.input_shape;
  for (const auto& n : g.nodes) {
    if (n.output.empty() || g.shapes.count(n.output) || g.is_constant(n.output)) {
      return make_error(ErrorCode::kMalformed,
                        "node '" + n.name + "': output '" + n.output + "' is defined twice");
    }
    PG_TRY_ASSIGN(Shape s, infer_node_shape(g, n));
    for (int64_t d : s) {
      if (d < 1) return make_error(ErrorCode::kMalformed, "node '" + n.name + "': empty output");
    }
    if (element_count(s) > kMaxTensorElements) {
      return make_error(ErrorCode::kTooLarge,
                        "node '" + n.name + "': output " + to_string(s) + " is too large");
    }
    g.shapes[n.output] = std::move(s);
  }
  if (!g.shapes.count(g.output) || g.output == g.input) {
    return make_error(ErrorCode::kMalformed, "the output '" + g.output + "' is not computed");
  }
  return {};
}

}  // namespace pg::nn
