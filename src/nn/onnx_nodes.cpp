// Translation of ONNX nodes with a computed input into the graph IR, normalising to graph.h's
// conventions (Gemm as W [out][in] with alpha/beta folded, MatMul as Gemm, ceil-mode max-pool as
// end padding, Pad and Slice with resolved constant operands).
#include <algorithm>
#include <map>

#include "nn/onnx_detail.h"

namespace pg::nn::onnx_detail {
namespace {

using core::ErrorCode;
using core::make_error;
using core::Result;
using core::Status;

constexpr int64_t kMaxWindow = 4096;

struct Ctx {
  const onnx::NodeProto& n;
  const std::string& label;
  const ConstMap& consts;
  Graph& g;
  Attrs attrs;

  Ctx(const onnx::NodeProto& node, const std::string& l, const ConstMap& c, Graph& graph)
      : n(node), label(l), consts(c), g(graph), attrs(node, l) {}

  core::Error error(const std::string& what) const { return node_error(label, what); }

  Node make(OpKind op) const {
    Node node;
    node.op = op;
    node.name = n.name().empty() ? label : n.name();
    node.output = n.output_size() > 0 ? n.output(0) : std::string();
    for (const auto& in : n.input()) {
      if (!in.empty()) node.inputs.push_back(in);
    }
    return node;
  }
  // The constant input i (an initializer or a folded constant subgraph), or nullptr.
  const Const* constant(int i) const {
    if (i >= n.input_size() || n.input(i).empty()) return nullptr;
    auto it = consts.find(n.input(i));
    return it == consts.end() ? nullptr : &it->second;
  }
  Result<const Const*> need_constant(int i, const char* what) const {
    const Const* c = constant(i);
    if (c == nullptr) return error(std::string(what) + " must be a constant");
    return c;
  }
  // Registers a constant operand under `name` (a fresh name if it was transformed).
  std::string add_constant(const std::string& name, Shape dims, std::vector<double> data) {
    if (auto it = g.constants.find(name);
        it != g.constants.end() && it->second.data == data && it->second.shape == dims) {
      return name;
    }
    const std::string fresh = g.constants.count(name) ? g.fresh_name(name) : name;
    g.constants[fresh] = Tensor{std::move(dims), std::move(data)};
    return fresh;
  }
  std::string add_constant(const std::string& name, const Const& c) {
    std::vector<double> data(size_t(c.count()));
    for (size_t k = 0; k < data.size(); ++k) data[k] = c.value(k);
    return add_constant(name, c.dims, std::move(data));
  }
  Status push(Node node) {
    if (node.output.empty()) return error("no output");
    PG_TRY_ASSIGN(Shape s, infer_node_shape(g, node));
    g.shapes[node.output] = std::move(s);
    g.nodes.push_back(std::move(node));
    return {};
  }
  const Shape& data_shape(int i) const { return g.shapes.at(n.input(i)); }
};

Status no_extra_outputs(const Ctx& c) {
  for (int k = 1; k < c.n.output_size(); ++k) {
    if (!c.n.output(k).empty()) {
      return c.error("output " + std::to_string(k) + " ('" + c.n.output(k) + "') is not supported");
    }
  }
  return {};
}

// kernel_shape, strides, pads (and dilations = 1, auto_pad NOTSET/VALID) into `node`.
Status window_attrs(const Ctx& c, Node& node, const Shape* kernel_dims) {
  PG_TRY_ASSIGN(std::string auto_pad, c.attrs.get_string("auto_pad", "NOTSET"));
  if (auto_pad != "NOTSET" && auto_pad != "VALID") {
    return c.attrs.bad_value("auto_pad", "only NOTSET and VALID");
  }
  PG_TRY_ASSIGN(auto dil, c.attrs.get_ints("dilations"));
  if (std::any_of(dil.begin(), dil.end(), [](int64_t d) { return d != 1; })) {
    return c.attrs.bad_value("dilations", "only 1");
  }
  PG_TRY_ASSIGN(auto ks, c.attrs.get_ints("kernel_shape"));
  if (ks.empty() && kernel_dims != nullptr) ks = {(*kernel_dims)[2], (*kernel_dims)[3]};
  if (ks.size() != 2) return c.attrs.bad_value("kernel_shape", "only 2-D windows");
  if (kernel_dims != nullptr && (ks[0] != (*kernel_dims)[2] || ks[1] != (*kernel_dims)[3])) {
    return c.attrs.bad_value("kernel_shape", "does not match the weights");
  }
  PG_TRY_ASSIGN(auto st, c.attrs.get_ints("strides"));
  if (st.empty()) st = {1, 1};
  PG_TRY_ASSIGN(auto pads, c.attrs.get_ints("pads"));
  if (pads.empty()) pads = {0, 0, 0, 0};
  if (st.size() != 2) return c.attrs.bad_value("strides", "only 2-D windows");
  if (pads.size() != 4) return c.attrs.bad_value("pads", "only 2-D windows");
  for (int k = 0; k < 2; ++k) {
    if (ks[k] < 1 || ks[k] > kMaxWindow) return c.attrs.bad_value("kernel_shape", "out of range");
    if (st[k] < 1 || st[k] > kMaxWindow) return c.attrs.bad_value("strides", "out of range");
    node.kernel[k] = int(ks[k]);
    node.strides[k] = int(st[k]);
  }
  for (int k = 0; k < 4; ++k) {
    if (pads[k] < 0 || pads[k] > kMaxWindow) return c.attrs.bad_value("pads", "out of range");
    node.pads[k] = int(pads[k]);
  }
  return {};
}

// PyTorch's (and onnxruntime's) ceil mode, as extra end padding on the floor formula: the output
// is ⌈(in + pads − k)/s⌉ + 1, less one if the last window would start in the end padding.
void ceil_mode_padding(int64_t in, int k, int s, int pad_begin, int& pad_end) {
  const int64_t span = in + pad_begin + pad_end - k;
  if (span < 0) return;
  int64_t out = (span + s - 1) / s + 1;
  if ((out - 1) * s >= in + pad_begin) --out;
  const int64_t need = (out - 1) * s + k - in - pad_begin;
  pad_end = int(std::max<int64_t>(pad_end, need));
}

Status conv(Ctx& c) {
  PG_TRY(c.attrs.only({"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"}));
  PG_TRY_ASSIGN(const Const* w, c.need_constant(1, "the weight"));
  if (w->dims.size() != 4)
    return c.error("only 2-D convolutions (weights " + to_string(w->dims) + ")");
  Node node = c.make(OpKind::kConv);
  PG_TRY(window_attrs(c, node, &w->dims));
  PG_TRY_ASSIGN(int64_t group, c.attrs.get_int("group", 1));
  if (group < 1 || group > kMaxWindow) return c.attrs.bad_value("group", "out of range");
  node.groups = int(group);
  node.inputs[1] = c.add_constant(c.n.input(1), *w);
  if (c.n.input_size() > 2 && !c.n.input(2).empty()) {
    PG_TRY_ASSIGN(const Const* b, c.need_constant(2, "the bias"));
    node.inputs[2] = c.add_constant(c.n.input(2), *b);
  }
  return c.push(std::move(node));
}

Status gemm(Ctx& c) {
  PG_TRY(c.attrs.only({"alpha", "beta", "transA", "transB"}));
  PG_TRY_ASSIGN(double alpha, c.attrs.get_float("alpha", 1.0));
  PG_TRY_ASSIGN(double beta, c.attrs.get_float("beta", 1.0));
  PG_TRY_ASSIGN(int64_t trans_a, c.attrs.get_int("transA", 0));
  PG_TRY_ASSIGN(int64_t trans_b, c.attrs.get_int("transB", 0));
  if (trans_a != 0) return c.attrs.bad_value("transA", "only 0");
  PG_TRY_ASSIGN(const Const* b, c.need_constant(1, "input B"));
  if (b->dims.size() != 2) return c.error("input B must be a matrix");
  const int64_t out = trans_b ? b->dims[0] : b->dims[1], in = trans_b ? b->dims[1] : b->dims[0];
  std::vector<double> w(static_cast<size_t>(out * in));
  for (int64_t o = 0; o < out; ++o) {
    for (int64_t i = 0; i < in; ++i) {
      w[size_t(o * in + i)] = alpha * b->value(size_t(trans_b ? o * in + i : i * out + o));
    }
  }
  Node node = c.make(OpKind::kGemm);
  const bool identity = trans_b && alpha == 1.0;
  node.inputs[1] = c.add_constant(identity ? c.n.input(1) : c.n.input(1) + "/normalised", {out, in},
                                  std::move(w));
  if (c.n.input_size() > 2 && !c.n.input(2).empty()) {
    PG_TRY_ASSIGN(const Const* bias, c.need_constant(2, "input C"));
    if (bias->count() != out && bias->count() != 1)
      return c.error("input C must have one value per output");
    std::vector<double> bv(static_cast<size_t>(out));
    for (int64_t o = 0; o < out; ++o)
      bv[size_t(o)] = beta * bias->value(bias->count() == 1 ? 0 : size_t(o));
    node.inputs[2] =
        c.add_constant(c.n.input(2) + (beta == 1.0 && bias->count() == out ? "" : "/normalised"),
                       {out}, std::move(bv));
  }
  return c.push(std::move(node));
}

Status matmul(Ctx& c) {
  PG_TRY(c.attrs.only({}));
  PG_TRY_ASSIGN(const Const* b, c.need_constant(1, "input B"));
  const Shape& a = c.data_shape(0);
  if (b->dims.size() != 2 || a.size() != 2 || a[0] != 1 || a[1] != b->dims[0]) {
    return c.error("only [1, K] x [K, N] with a constant right operand");
  }
  const int64_t in = b->dims[0], out = b->dims[1];
  std::vector<double> w(static_cast<size_t>(out * in));
  for (int64_t o = 0; o < out; ++o) {
    for (int64_t i = 0; i < in; ++i) w[size_t(o * in + i)] = b->value(size_t(i * out + o));
  }
  Node node = c.make(OpKind::kGemm);
  node.inputs[1] = c.add_constant(c.n.input(1) + "/transposed", {out, in}, std::move(w));
  return c.push(std::move(node));
}

Status batch_norm(Ctx& c) {
  PG_TRY(c.attrs.only({"epsilon", "momentum", "training_mode", "spatial"}));
  PG_TRY_ASSIGN(int64_t training, c.attrs.get_int("training_mode", 0));
  if (training != 0) return c.attrs.bad_value("training_mode", "only inference");
  PG_TRY_ASSIGN(double eps, c.attrs.get_float("epsilon", 1e-5));
  if (!(eps > 0)) return c.attrs.bad_value("epsilon", "must be positive");
  PG_TRY(no_extra_outputs(c));
  Node node = c.make(OpKind::kBatchNorm);
  node.epsilon = eps;
  if (c.n.input_size() != 5) return c.error("expects 5 inputs");
  // Per-channel folding broadcasts over 1xC or 1xCxHxW only.
  if (const size_t rank = c.data_shape(0).size(); rank != 2 && rank != 4) {
    return c.error("a rank-" + std::to_string(rank) + " input " + to_string(c.data_shape(0)) +
                   " is not supported (only 1xC and 1xCxHxW)");
  }
  for (int i = 1; i < 5; ++i) {
    PG_TRY_ASSIGN(const Const* p, c.need_constant(i, "a batch-norm parameter"));
    node.inputs[size_t(i)] = c.add_constant(c.n.input(i), *p);
  }
  const auto& var = c.g.constants.at(node.inputs[4]).data;
  if (std::any_of(var.begin(), var.end(), [eps](double v) { return !(v + eps > 0); })) {
    return c.error("a negative variance");
  }
  return c.push(std::move(node));
}

Status pool(Ctx& c, bool max) {
  if (max) {
    PG_TRY(c.attrs.only({"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads",
                         "storage_order", "strides"}));
    PG_TRY_ASSIGN(int64_t order, c.attrs.get_int("storage_order", 0));
    if (order != 0) return c.attrs.bad_value("storage_order", "only 0");
    PG_TRY(no_extra_outputs(c));
  } else {
    PG_TRY(c.attrs.only(
        {"auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides"}));
  }
  Node node = c.make(max ? OpKind::kMaxPool : OpKind::kAveragePool);
  PG_TRY(window_attrs(c, node, nullptr));
  const Shape& x = c.data_shape(0);
  if (x.size() != 4) return c.error("expects a 1xCxHxW input, got " + to_string(x));
  PG_TRY_ASSIGN(int64_t ceil_mode, c.attrs.get_int("ceil_mode", 0));
  const std::array<int, 4> floor_pads = node.pads;
  if (ceil_mode != 0) {
    ceil_mode_padding(x[2], node.kernel[0], node.strides[0], node.pads[0], node.pads[2]);
    ceil_mode_padding(x[3], node.kernel[1], node.strides[1], node.pads[1], node.pads[3]);
  }
  if (!max) {
    PG_TRY_ASSIGN(int64_t include, c.attrs.get_int("count_include_pad", 0));
    // ONNX (and PyTorch) divide a ceil-mode window that hangs past the padded input by its
    // clipped size, whatever count_include_pad says: the divisor varies, not a convolution.
    if (node.pads != floor_pads) {
      return c.attrs.bad_value("ceil_mode",
                               "an average whose last window hangs past the padded input (its "
                               "divisor would be the clipped window, not " +
                                   std::to_string(node.kernel[0]) + "x" +
                                   std::to_string(node.kernel[1]) + ")");
    }
    // Excluding the padding from the divisor makes border windows differ: not a convolution.
    if (include == 0 && node.pads != std::array<int, 4>{0, 0, 0, 0}) {
      return c.attrs.bad_value("count_include_pad", "a padded average that excludes the padding");
    }
  }
  return c.push(std::move(node));
}

Status reshape(Ctx& c, bool flatten) {
  const Shape& x = c.data_shape(0);
  Node node = c.make(flatten ? OpKind::kFlatten : OpKind::kReshape);
  if (flatten) {
    PG_TRY(c.attrs.only({"axis"}));
    PG_TRY_ASSIGN(int64_t axis, c.attrs.get_int("axis", 1));
    if (axis < 0) axis += int64_t(x.size());
    if (axis < 0 || axis > int64_t(x.size())) return c.attrs.bad_value("axis", "out of range");
    const Shape head(x.begin(), x.begin() + axis), tail(x.begin() + axis, x.end());
    node.shape = {element_count(head), element_count(tail)};
  } else {
    PG_TRY(c.attrs.only({"allowzero"}));
    PG_TRY_ASSIGN(const Const* s, c.need_constant(1, "the shape"));
    PG_TRY(integer_operand(*s, c.label, "the shape"));
    int infer = -1;
    for (int64_t k = 0; k < s->count(); ++k) {
      int64_t d = s->int_value(size_t(k));
      if (d == 0 && size_t(k) < x.size()) d = x[size_t(k)];
      if (d == -1 && infer < 0) infer = int(k);
      if ((d < 1 && d != -1) || d > kMaxTensorElements) return c.error("bad target shape");
      node.shape.push_back(d);
    }
    if (infer >= 0) {
      node.shape[size_t(infer)] = 1;
      const int64_t rest = element_count(node.shape);
      if (rest < 1 || element_count(x) % rest != 0) return c.error("cannot infer the -1 dim");
      node.shape[size_t(infer)] = element_count(x) / rest;
    }
    node.inputs.resize(1);
  }
  return c.push(std::move(node));
}

Status pad(Ctx& c) {
  PG_TRY(c.attrs.only({"mode"}));
  PG_TRY_ASSIGN(std::string mode, c.attrs.get_string("mode", "constant"));
  if (mode != "constant") return c.attrs.bad_value("mode", "only constant (zero) padding");
  PG_TRY_ASSIGN(const Const* pads, c.need_constant(1, "the pads"));
  PG_TRY(integer_operand(*pads, c.label, "the pads"));
  if (c.n.input_size() > 2 && !c.n.input(2).empty() && c.constant(2) == nullptr) {
    return c.error("constant_value must be a constant");
  }
  if (const Const* v = c.constant(2); v != nullptr && (v->count() != 1 || v->value(0) != 0.0)) {
    return c.error("only zero padding (constant_value must be 0)");
  }
  if (c.n.input_size() > 3 && !c.n.input(3).empty())
    return c.error("the axes input is not supported");
  Node node = c.make(OpKind::kPad);
  for (int64_t k = 0; k < pads->count(); ++k) node.pad.push_back(pads->int_value(size_t(k)));
  if (std::any_of(node.pad.begin(), node.pad.end(), [](int64_t p) { return p < 0; })) {
    return c.error("negative pads (cropping) are not supported");
  }
  node.inputs.resize(1);
  return c.push(std::move(node));
}

Status slice(Ctx& c) {
  PG_TRY(c.attrs.only({}));
  const Shape& x = c.data_shape(0);
  PG_TRY_ASSIGN(const Const* starts, c.need_constant(1, "starts"));
  PG_TRY_ASSIGN(const Const* ends, c.need_constant(2, "ends"));
  // Optional operands: absent (or an empty name), else they must be constants.
  for (int i : {3, 4}) {
    if (i < c.n.input_size() && !c.n.input(i).empty() && c.constant(i) == nullptr) {
      return c.error(std::string(i == 3 ? "axes" : "steps") + " must be a constant");
    }
  }
  const Const* axes = c.constant(3);
  const Const* steps = c.constant(4);
  PG_TRY(integer_operand(*starts, c.label, "starts"));
  PG_TRY(integer_operand(*ends, c.label, "ends"));
  if (axes != nullptr) PG_TRY(integer_operand(*axes, c.label, "axes"));
  if (steps != nullptr) PG_TRY(integer_operand(*steps, c.label, "steps"));
  Node node = c.make(OpKind::kSlice);
  node.steps.assign(x.size(), 1);
  const int64_t n = starts->count();
  if (ends->count() != n || (axes && axes->count() != n) || (steps && steps->count() != n)) {
    return c.error("starts, ends, axes and steps differ in length");
  }
  for (int64_t k = 0; k < n; ++k) {
    int64_t axis = axes ? axes->int_value(size_t(k)) : k;
    if (axis < 0) axis += int64_t(x.size());
    if (axis < 0 || axis >= int64_t(x.size())) return c.error("axis out of range");
    const int64_t d = x[size_t(axis)], step = steps ? steps->int_value(size_t(k)) : 1;
    int64_t s = starts->int_value(size_t(k)), e = ends->int_value(size_t(k));
    if (s < 0) s += d;
    if (e < 0) e += d;
    if (step < 1 || step > kMaxWindow || std::clamp<int64_t>(s, 0, d) != 0 || e < d) {
      return c.error("only strided subsampling from the start to the end of an axis is supported");
    }
    node.steps[size_t(axis)] = int(step);
  }
  node.inputs.resize(1);
  return c.push(std::move(node));
}

Status binary(Ctx& c, OpKind op) {
  PG_TRY(c.attrs.only({}));
  if (c.n.input_size() != 2 || c.n.input(0).empty() || c.n.input(1).empty()) {
    return c.error("expects two (non-empty) inputs");
  }
  Node node = c.make(op);
  for (int i = 0; i < 2; ++i) {
    if (const Const* k = c.constant(i)) node.inputs[size_t(i)] = c.add_constant(c.n.input(i), *k);
  }
  return c.push(std::move(node));
}

Status simple(Ctx& c, OpKind op) {
  if (op == OpKind::kSoftmax || op == OpKind::kConcat) {
    PG_TRY(c.attrs.only({"axis"}));
    PG_TRY_ASSIGN(int64_t axis, c.attrs.get_int("axis", op == OpKind::kSoftmax ? -1 : 1));
    const int64_t rank = int64_t(c.data_shape(0).size());
    if (axis < 0) axis += rank;
    if (op == OpKind::kSoftmax && axis != rank - 1)
      return c.attrs.bad_value("axis", "only the last axis");
    Node node = c.make(op);
    node.axis = int(axis);
    return c.push(std::move(node));
  }
  if (op == OpKind::kDropout) {
    PG_TRY(c.attrs.only({"seed", "ratio"}));
    if (const Const* t = c.constant(2); t != nullptr && t->count() == 1 && t->value(0) != 0) {
      return c.error("training_mode must be false");
    }
    Node node = c.make(op);
    node.inputs.resize(1);
    return c.push(std::move(node));
  }
  PG_TRY(c.attrs.only({}));
  return c.push(c.make(op));
}

}  // namespace

Status translate_node(const onnx::NodeProto& n, const std::string& label, const ConstMap& consts,
                      Graph& g) {
  using Translator = Status (*)(Ctx&);
  static const std::map<std::string, Translator> kOps = {
      {"Conv", [](Ctx& c) { return conv(c); }},
      {"Gemm", [](Ctx& c) { return gemm(c); }},
      {"MatMul", [](Ctx& c) { return matmul(c); }},
      {"BatchNormalization", [](Ctx& c) { return batch_norm(c); }},
      {"MaxPool", [](Ctx& c) { return pool(c, true); }},
      {"AveragePool", [](Ctx& c) { return pool(c, false); }},
      {"Flatten", [](Ctx& c) { return reshape(c, true); }},
      {"Reshape", [](Ctx& c) { return reshape(c, false); }},
      {"Pad", [](Ctx& c) { return pad(c); }},
      {"Slice", [](Ctx& c) { return slice(c); }},
      {"Add", [](Ctx& c) { return binary(c, OpKind::kAdd); }},
      {"Sub", [](Ctx& c) { return binary(c, OpKind::kSub); }},
      {"Mul", [](Ctx& c) { return binary(c, OpKind::kMul); }},
      {"Div", [](Ctx& c) { return binary(c, OpKind::kDiv); }},
      {"Relu", [](Ctx& c) { return simple(c, OpKind::kRelu); }},
      {"GlobalAveragePool", [](Ctx& c) { return simple(c, OpKind::kGlobalAveragePool); }},
      {"Identity", [](Ctx& c) { return simple(c, OpKind::kIdentity); }},
      {"Dropout", [](Ctx& c) { return simple(c, OpKind::kDropout); }},
      {"Softmax", [](Ctx& c) { return simple(c, OpKind::kSoftmax); }},
      {"Concat", [](Ctx& c) { return simple(c, OpKind::kConcat); }},
  };
  auto it = kOps.find(n.op_type());
  if (it == kOps.end()) {
    return make_error(ErrorCode::kUnsupported, label + ": unsupported op '" + n.op_type() + "'");
  }
  Ctx c(n, label, consts, g);
  if (n.output_size() < 1 || n.output(0).empty()) return c.error("no output");
  const bool binary_op =
      n.op_type() == "Add" || n.op_type() == "Sub" || n.op_type() == "Mul" || n.op_type() == "Div";
  for (const auto& in : n.input()) {
    if (!in.empty() && !g.shapes.count(in) && !consts.count(in)) {
      return c.error("input '" + in + "' is not defined before use");
    }
  }
  if (!binary_op && (n.input_size() < 1 || !g.shapes.count(n.input(0)))) {
    return c.error("its first input is not a computed value");
  }
  return it->second(c);
}

}  // namespace pg::nn::onnx_detail
