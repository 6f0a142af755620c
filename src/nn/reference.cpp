#include "nn/reference.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "nn/direct_conv.h"
#include "nn/kernels/fp64_gemm.h"

namespace pg::nn {
namespace ref {

std::vector<double> conv(const ConvParams& p, int c, int h, int w_in, int m,
                         std::span<const double> x, std::span<const double> w,
                         std::span<const double> bias) {
  const kernels::ConvGeometry g{
      c,         h,          w_in,         m,           p.kh,    p.kw, p.stride_h, p.stride_w,
      p.pad_top, p.pad_left, p.pad_bottom, p.pad_right, p.groups};
  std::vector<double> y(g.out_size());
  detail::direct_conv<double>(
      g, [&](size_t i) { return w[i]; }, x, y);
  const size_t plane = size_t(g.out_h()) * g.out_w();
  for (size_t i = 0; i < y.size() && !bias.empty(); ++i) y[i] += bias[i / plane];
  return y;
}

std::vector<double> pool(const ConvParams& p, bool max, int c, int h, int w_in,
                         std::span<const double> x) {
  const int oh = (h + p.pad_top + p.pad_bottom - p.kh) / p.stride_h + 1;
  const int ow = (w_in + p.pad_left + p.pad_right - p.kw) / p.stride_w + 1;
  std::vector<double> y(size_t(c) * oh * ow);
  for (int ch = 0; ch < c; ++ch) {
    for (int oy = 0; oy < oh; ++oy) {
      for (int ox = 0; ox < ow; ++ox) {
        double acc = max ? -std::numeric_limits<double>::infinity() : 0.0;
        for (int dy = 0; dy < p.kh; ++dy) {
          const int iy = oy * p.stride_h - p.pad_top + dy;
          if (iy < 0 || iy >= h) continue;
          for (int dx = 0; dx < p.kw; ++dx) {
            const int ix = ox * p.stride_w - p.pad_left + dx;
            if (ix < 0 || ix >= w_in) continue;
            const double v = x[(size_t(ch) * h + iy) * w_in + ix];
            acc = max ? std::max(acc, v) : acc + v;
          }
        }
        y[(size_t(ch) * oh + oy) * ow + ox] = max ? acc : acc / (double(p.kh) * p.kw);
      }
    }
  }
  return y;
}

}  // namespace ref

namespace {

ref::ConvParams params_of(const Node& n) {
  return {n.kernel[0], n.kernel[1], n.strides[0], n.strides[1], n.pads[0],
          n.pads[1],   n.pads[2],   n.pads[3],    n.groups};
}

// Channel of flat index i in a tensor of shape s (axis 1), for per-channel broadcasting.
size_t channel_of(const Shape& s, size_t i) {
  size_t inner = 1;
  for (size_t a = 2; a < s.size(); ++a) inner *= size_t(s[a]);
  return (i / inner) % size_t(s[1]);
}

std::vector<double> conv_node(const Graph& g, const Node& n, const std::vector<double>& x,
                              EvalOptions opt) {
  const Shape& xs = g.shape_of(n.inputs[0]);
  const Tensor& w = g.constant(n.inputs[1]);
  static const std::vector<double> kNone;
  const std::vector<double>& b = n.inputs.size() > 2 ? g.constant(n.inputs[2]).data : kNone;
  const int c = int(xs[1]), h = int(xs[2]), wi = int(xs[3]), m = int(w.shape[0]);
  if (!opt.fast_conv) return ref::conv(params_of(n), c, h, wi, m, x, w.data, b);
  kernels::ConvGeometry geo{c,           h,           wi,           m,
                            n.kernel[0], n.kernel[1], n.strides[0], n.strides[1],
                            n.pads[0],   n.pads[1],   n.pads[2],    n.pads[3],
                            n.groups};
  std::vector<double> y(geo.out_size());
  kernels::conv2d_double(geo, w.data, x, y);
  const size_t plane = size_t(geo.out_h()) * geo.out_w();
  for (size_t i = 0; i < y.size() && !b.empty(); ++i) y[i] += b[i / plane];
  return y;
}

std::vector<double> gemm_node(const Graph& g, const Node& n, const std::vector<double>& x) {
  const Tensor& w = g.constant(n.inputs[1]);
  const size_t out = size_t(w.shape[0]), in = size_t(w.shape[1]);
  std::vector<double> y(out);
  for (size_t o = 0; o < out; ++o) {
    double acc = n.inputs.size() > 2 ? g.constant(n.inputs[2]).data[o] : 0.0;
    for (size_t i = 0; i < in; ++i) acc += w.data[o * in + i] * x[i];
    y[o] = acc;
  }
  return y;
}

std::vector<double> batch_norm(const Graph& g, const Node& n, const std::vector<double>& x) {
  const Shape& s = g.shape_of(n.inputs[0]);
  const auto& scale = g.constant(n.inputs[1]).data;
  const auto& bias = g.constant(n.inputs[2]).data;
  const auto& mean = g.constant(n.inputs[3]).data;
  const auto& var = g.constant(n.inputs[4]).data;
  std::vector<double> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const size_t c = channel_of(s, i);
    y[i] = (x[i] - mean[c]) / std::sqrt(var[c] + n.epsilon) * scale[c] + bias[c];
  }
  return y;
}

std::vector<double> binary(const Graph& g, const Node& n, const std::map<std::string, Tensor>& v) {
  const bool ka = g.is_constant(n.inputs[0]);
  const bool kb = g.is_constant(n.inputs[1]);
  const std::vector<double>& a = ka ? g.constant(n.inputs[0]).data : v.at(n.inputs[0]).data;
  const std::vector<double>& b = kb ? g.constant(n.inputs[1]).data : v.at(n.inputs[1]).data;
  const Shape& s = g.shapes.at(n.output);
  std::vector<double> y(size_t(element_count(s)));
  // A constant operand is a scalar or per channel; two computed operands have the same shape.
  auto at = [&](const std::vector<double>& t, bool k, size_t i) {
    return !k ? t[i] : (t.size() == 1 ? t[0] : t[channel_of(s, i)]);
  };
  for (size_t i = 0; i < y.size(); ++i) {
    const double l = at(a, ka, i), r = at(b, kb, i);
    switch (n.op) {
      case OpKind::kAdd:
        y[i] = l + r;
        break;
      case OpKind::kSub:
        y[i] = l - r;
        break;
      case OpKind::kMul:
        y[i] = l * r;
        break;
      default:
        y[i] = l / r;
        break;
    }
  }
  return y;
}

std::vector<double> pad_node(const Shape& xs, const Shape& ys, const Node& n,
                             const std::vector<double>& x) {
  std::vector<double> y(size_t(element_count(ys)), 0.0);
  const size_t rank = xs.size();
  std::vector<int64_t> idx(rank, 0);
  for (size_t i = 0; i < x.size(); ++i) {
    size_t rem = i, off = 0, stride = 1;
    for (size_t a = rank; a-- > 0;) {
      idx[a] = int64_t(rem % size_t(xs[a]));
      rem /= size_t(xs[a]);
    }
    for (size_t a = rank; a-- > 0;) {
      off += size_t(idx[a] + n.pad[a]) * stride;
      stride *= size_t(ys[a]);
    }
    y[off] = x[i];
  }
  return y;
}

std::vector<double> slice_node(const Shape& xs, const Shape& ys, const Node& n,
                               const std::vector<double>& x) {
  std::vector<double> y(size_t(element_count(ys)));
  const size_t rank = xs.size();
  for (size_t i = 0; i < y.size(); ++i) {
    size_t rem = i, off = 0, stride = 1;
    for (size_t a = rank; a-- > 0;) {
      const size_t k = rem % size_t(ys[a]);
      rem /= size_t(ys[a]);
      off += k * size_t(n.steps[a]) * stride;
      stride *= size_t(xs[a]);
    }
    y[i] = x[off];
  }
  return y;
}

std::vector<double> softmax(const std::vector<double>& x) {
  const double top = *std::max_element(x.begin(), x.end());
  std::vector<double> y(x.size());
  double sum = 0;
  for (size_t i = 0; i < x.size(); ++i) sum += (y[i] = std::exp(x[i] - top));
  for (auto& v : y) v /= sum;
  return y;
}

std::vector<double> eval_node(const Graph& g, const Node& n, const std::map<std::string, Tensor>& v,
                              EvalOptions opt) {
  if (n.op == OpKind::kAdd || n.op == OpKind::kSub || n.op == OpKind::kMul ||
      n.op == OpKind::kDiv) {
    return binary(g, n, v);  // either operand may be the constant
  }
  const std::vector<double>& x = v.at(n.inputs[0]).data;
  const Shape& xs = g.shape_of(n.inputs[0]);
  const Shape& ys = g.shapes.at(n.output);
  switch (n.op) {
    case OpKind::kConv:
      return conv_node(g, n, x, opt);
    case OpKind::kGemm:
      return gemm_node(g, n, x);
    case OpKind::kBatchNorm:
      return batch_norm(g, n, x);
    case OpKind::kMaxPool:
    case OpKind::kAveragePool:
      return ref::pool(params_of(n), n.op == OpKind::kMaxPool, int(xs[1]), int(xs[2]), int(xs[3]),
                       x);
    case OpKind::kGlobalAveragePool: {
      ref::ConvParams p;
      p.kh = int(xs[2]);
      p.kw = int(xs[3]);
      return ref::pool(p, false, int(xs[1]), int(xs[2]), int(xs[3]), x);
    }
    case OpKind::kRelu: {
      std::vector<double> y(x.size());
      for (size_t i = 0; i < x.size(); ++i) y[i] = std::max(x[i], 0.0);
      return y;
    }
    case OpKind::kPad:
      return pad_node(xs, ys, n, x);
    case OpKind::kSlice:
      return slice_node(xs, ys, n, x);
    case OpKind::kConcat: {
      std::vector<double> y;
      for (const auto& in : n.inputs) {
        const auto& d = v.at(in).data;
        y.insert(y.end(), d.begin(), d.end());  // axis 1 of a batch of one: blocks in order
      }
      return y;
    }
    case OpKind::kSoftmax:
      return softmax(x);
    default:  // Flatten, Reshape, Identity, Dropout, Truncate: the identity on the data
      return x;
  }
  throw std::invalid_argument("evaluate: unknown op");
}

}  // namespace

std::map<std::string, Tensor> evaluate_all(const Graph& g, std::span<const double> input,
                                           EvalOptions options) {
  if (int64_t(input.size()) != element_count(g.input_shape)) {
    throw std::invalid_argument("evaluate: the input has " + std::to_string(input.size()) +
                                " values, the graph expects " + to_string(g.input_shape));
  }
  if (g.shapes.size() != g.nodes.size() + 1) {
    throw std::invalid_argument("evaluate: run infer_shapes on the graph first");
  }
  std::map<std::string, Tensor> values;
  values[g.input] = Tensor{g.input_shape, {input.begin(), input.end()}};
  for (const auto& n : g.nodes) {
    values[n.output] = Tensor{g.shapes.at(n.output), eval_node(g, n, values, options)};
  }
  return values;
}

std::vector<double> evaluate(const Graph& g, std::span<const double> input, EvalOptions options) {
  auto values = evaluate_all(g, input, options);
  return std::move(values.at(g.output).data);
}

}  // namespace pg::nn
