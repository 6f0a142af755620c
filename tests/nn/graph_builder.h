// Builds small graphs of the IR with random weights, for the reference and pass tests.
#pragma once

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/prg.h"
#include "nn/graph.h"

namespace pg::nn::testing {

inline double uniform(core::Prg& prg, double lo, double hi) {
  return lo + (hi - lo) * double(prg.next_u64() >> 11) * 0x1.0p-53;
}

inline std::vector<double> random_values(core::Prg& prg, size_t n, double lo = -1, double hi = 1) {
  std::vector<double> v(n);
  for (auto& x : v) x = uniform(prg, lo, hi);
  return v;
}

class GraphBuilder {
 public:
  GraphBuilder(Shape input, core::Prg& prg) : prg_(prg) {
    g_.input = "x";
    g_.input_shape = std::move(input);
    g_.shapes[g_.input] = g_.input_shape;
  }

  const Shape& shape(const std::string& v) const { return g_.shape_of(v); }

  std::string constant(Shape s, std::vector<double> data) {
    const std::string name = "k" + std::to_string(counter_++);
    g_.constants[name] = Tensor{std::move(s), std::move(data)};
    return name;
  }
  std::string random_constant(Shape s, double lo = -1, double hi = 1) {
    const size_t n = size_t(element_count(s));
    return constant(std::move(s), random_values(prg_, n, lo, hi));
  }

  std::string add(OpKind op, std::vector<std::string> inputs, Node attrs = {}) {
    attrs.op = op;
    attrs.name = std::string(op_name(op)) + "_" + std::to_string(counter_);
    attrs.inputs = std::move(inputs);
    attrs.output = "v" + std::to_string(counter_++);
    auto s = infer_node_shape(g_, attrs);
    if (!s.ok()) throw std::invalid_argument(s.error().to_string());
    g_.shapes[attrs.output] = s.value();
    g_.nodes.push_back(attrs);
    return attrs.output;
  }

  std::string conv(const std::string& x, int m, int k, int stride = 1, int pad = 0, int groups = 1,
                   bool bias = true) {
    Node n;
    n.kernel = {k, k};
    n.strides = {stride, stride};
    n.pads = {pad, pad, pad, pad};
    n.groups = groups;
    const int64_t c = shape(x)[1];
    std::vector<std::string> in = {x, random_constant({m, c / groups, k, k})};
    if (bias) in.push_back(random_constant({m}));
    return add(OpKind::kConv, in, n);
  }
  std::string gemm(const std::string& x, int out, bool bias = true) {
    std::vector<std::string> in = {x, random_constant({out, element_count(shape(x))})};
    if (bias) in.push_back(random_constant({out}));
    return add(OpKind::kGemm, in);
  }
  std::string pool(OpKind op, const std::string& x, int k, int stride,
                   std::array<int, 4> pads = {}) {
    Node n;
    n.kernel = {k, k};
    n.strides = {stride, stride};
    n.pads = pads;
    return add(op, {x}, n);
  }
  std::string batch_norm(const std::string& x) {
    const int64_t c = shape(x)[1];
    Node n;
    n.epsilon = 1e-3;
    return add(OpKind::kBatchNorm,
               {x, random_constant({c}, 0.5, 1.5), random_constant({c}), random_constant({c}),
                random_constant({c}, 0.5, 1.5)},
               n);
  }
  // Per-channel (or scalar) constant operand on the right (or the left).
  std::string arith(OpKind op, const std::string& x, bool per_channel, bool left = false) {
    const int64_t c = shape(x)[1];
    const Shape ks = per_channel ? (shape(x).size() == 4 ? Shape{c, 1, 1} : Shape{c}) : Shape{};
    const std::string k = random_constant(ks, 0.5, 1.5);
    return add(op, left ? std::vector<std::string>{k, x} : std::vector<std::string>{x, k});
  }
  std::string reshape(const std::string& x, Shape s, OpKind op = OpKind::kReshape) {
    Node n;
    n.shape = std::move(s);
    return add(op, {x}, n);
  }
  std::string flatten(const std::string& x) {
    return reshape(x, {1, element_count(shape(x))}, OpKind::kFlatten);
  }
  std::string pad(const std::string& x, std::vector<int64_t> pads) {
    Node n;
    n.pad = std::move(pads);
    return add(OpKind::kPad, {x}, n);
  }
  std::string slice(const std::string& x, int step) {
    Node n;
    n.steps = {1, 1, step, step};
    return add(OpKind::kSlice, {x}, n);
  }

  Graph finish(const std::string& output) {
    g_.output = output;
    auto st = infer_shapes(g_);
    if (!st.ok()) throw std::invalid_argument(st.error().to_string());
    return g_;
  }

  std::vector<double> random_input() {
    return random_values(prg_, size_t(element_count(g_.input_shape)));
  }

 private:
  core::Prg& prg_;
  Graph g_;
  int counter_ = 0;
};

}  // namespace pg::nn::testing
