#include "nn/lower.h"

#include <map>
#include <variant>

#include "nn/conv_view.h"

namespace pg::nn {
namespace {

using core::ErrorCode;
using core::make_error;
using core::Result;
using core::Status;

// A masked value: plan tensors in channel order (several for a Concat).
struct Piece {
  size_t tensor;
  int channels;
  size_t elements;
};
struct Masked {
  std::vector<Piece> pieces;
  bool reshaped = false;  // read through a Flatten/Reshape: channel offsets no longer apply
};
// A public linear function of a masked value: subsampling and channel padding.
struct Public {
  Masked src;
  int stride_h = 1, stride_w = 1;
  int pad_before = 0, pad_after = 0;
};
// Σ terms + bias, with real coefficients.
struct Affine {
  std::vector<HeTerm> he;
  std::vector<std::vector<double>> he_w;
  std::vector<PublicTerm> pub;
  std::vector<double> pub_factor;
  std::vector<double> bias;  // per element
};
// A MaxPool waiting for the ReLU that makes it a non-linear step.
struct PendingPool {
  std::string input;
  const Node* node;
};
using Value = std::variant<Masked, Public, Affine, PendingPool>;

TensorInfo info_of(const Shape& s) {
  const auto [c, h, w] = chw_of(s);
  return {c, h, w};
}

class Lowerer {
 public:
  explicit Lowerer(const Graph& g) : g_(g) {}

  Result<LoweredPlan> run() {
    const size_t in = add_tensor(info_of(g_.input_shape));
    out_.plan.input = in;
    values_[g_.input] =
        Masked{{Piece{in, info_of(g_.input_shape).c, out_.plan.tensors[in].size()}}};
    for (const auto& n : g_.nodes) PG_TRY(visit(n));
    PG_TRY_ASSIGN(out_.plan.output, materialize(g_.output));
    return std::move(out_);
  }

 private:
  core::Error error(const Node& n, const std::string& what) const {
    return make_error(ErrorCode::kUnsupported,
                      "node '" + n.name + "' (" + op_name(n.op) + "): " + what);
  }

  size_t add_tensor(TensorInfo t) {
    out_.plan.tensors.push_back(t);
    return out_.plan.tensors.size() - 1;
  }

  Status visit(const Node& n);
  Result<Affine> linear(const Node& n);
  Result<Affine> sum(const Node& n);
  Result<Affine> as_affine(const std::string& v);
  Result<size_t> materialize(const std::string& v);
  Status nonlinear(const Node& n, NonLinearKind kind, const std::string& in, const Node* pool);
  Result<Public> public_of(const Node& n);

  const Graph& g_;
  LoweredPlan out_;
  std::map<std::string, Value> values_;
  std::map<std::string, size_t> materialized_;
};

Result<Affine> Lowerer::linear(const Node& n) {
  const auto* src = std::get_if<Masked>(&values_.at(n.inputs[0]));
  if (src == nullptr) return error(n, "reads a value that is not masked");
  const ConvView view = *conv_view(g_, n);
  const bool dense = n.op == OpKind::kGemm;
  const size_t out = view.geo.out_size(), plane = out / size_t(view.geo.out_c);
  Affine a;
  a.bias.assign(out, 0.0);
  for (size_t i = 0; i < out && !view.bias.empty(); ++i) a.bias[i] = view.bias[i / plane];
  if (src->pieces.size() == 1) {
    HeTerm t;
    t.in = src->pieces[0].tensor;
    t.dense = dense;
    t.geometry =
        dense ? kernels::dense_geometry(int(view.geo.in_size()), view.geo.out_c) : view.geo;
    a.he.push_back(t);
    a.he_w.push_back(view.w);
    return a;
  }
  if (src->reshaped && !dense) return error(n, "a convolution of a reshaped Concat");
  const ConvView full = expand_groups(view);
  const size_t in_total = full.geo.in_size(), taps = size_t(full.geo.kh) * full.geo.kw;
  size_t offset = 0;  // elements (dense) or channels (convolution) before this piece
  for (const Piece& p : src->pieces) {
    HeTerm t;
    t.in = p.tensor;
    t.dense = dense;
    std::vector<double> w;
    if (dense) {
      t.geometry = kernels::dense_geometry(int(p.elements), full.geo.out_c);
      for (int o = 0; o < full.geo.out_c; ++o) {
        const auto row = full.w.begin() + ptrdiff_t(size_t(o) * in_total + offset);
        w.insert(w.end(), row, row + ptrdiff_t(p.elements));
      }
      offset += p.elements;
    } else {
      t.geometry = full.geo;
      t.geometry.in_c = p.channels;
      for (int o = 0; o < full.geo.out_c; ++o) {
        const auto row = full.w.begin() + ptrdiff_t((size_t(o) * full.geo.in_c + offset) * taps);
        w.insert(w.end(), row, row + ptrdiff_t(size_t(p.channels) * taps));
      }
      offset += size_t(p.channels);
    }
    a.he.push_back(t);
    a.he_w.push_back(std::move(w));
  }
  return a;
}

Result<Affine> Lowerer::as_affine(const std::string& v) {
  const Value& val = values_.at(v);
  if (const auto* a = std::get_if<Affine>(&val)) return *a;
  if (const auto* p = std::get_if<PendingPool>(&val)) {
    return error(*p->node, "a MaxPool must be followed by a ReLU (MaxPool+ReLU is one step)");
  }
  Public pub;
  if (const auto* m = std::get_if<Masked>(&val)) {
    pub.src = *m;
  } else {
    pub = std::get<Public>(val);
  }
  if (pub.stride_h != pub.stride_w) {
    return make_error(ErrorCode::kUnsupported,
                      "value '" + v + "': a subsampling with unequal strides on the two axes");
  }
  int total = 0;
  for (const Piece& p : pub.src.pieces) total += p.channels;
  Affine a;
  int offset = 0;
  size_t out = 0;
  for (const Piece& p : pub.src.pieces) {
    PublicTerm t{p.tensor, 1, pub.stride_h, pub.pad_before + offset,
                 pub.pad_after + total - offset - p.channels};
    offset += p.channels;
    out = t.output_shape(out_.plan.tensors[p.tensor]).size();
    a.pub.push_back(t);
    a.pub_factor.push_back(1.0);
  }
  a.bias.assign(out, 0.0);
  return a;
}

Result<size_t> Lowerer::materialize(const std::string& v) {
  if (auto it = materialized_.find(v); it != materialized_.end()) return it->second;
  PG_TRY_ASSIGN(Affine a, as_affine(v));
  TensorInfo shape = info_of(g_.shape_of(v));
  // A public term fixes its output's shape (a reshaped identity keeps its source's shape).
  if (!a.pub.empty()) shape = a.pub[0].output_shape(out_.plan.tensors[a.pub[0].in]);
  if (shape.size() != a.bias.size()) {
    return make_error(ErrorCode::kUnsupported, "value '" + v + "': terms of different shapes");
  }
  const size_t t = add_tensor(shape);
  out_.plan.steps.push_back(AffineStep{t, a.he, a.pub, {}});
  out_.real.push_back(RealAffine{std::move(a.he_w), std::move(a.pub_factor), std::move(a.bias)});
  out_.step_names.push_back(v);
  materialized_[v] = t;
  return t;
}

Status Lowerer::nonlinear(const Node& n, NonLinearKind kind, const std::string& in,
                          const Node* pool) {
  PG_TRY_ASSIGN(size_t y, materialize(in));
  const TensorInfo shape = info_of(g_.shape_of(n.output));
  const size_t z = add_tensor(shape);
  NonLinearStep s;
  s.in = y;
  s.out = z;
  s.kind = kind;
  if (pool != nullptr) {
    s.pool = PoolWindow{pool->kernel[0], pool->kernel[1], pool->strides[0], pool->strides[1],
                        pool->pads[0],   pool->pads[1],   pool->pads[2],    pool->pads[3]};
  }
  out_.plan.steps.push_back(s);
  out_.real.emplace_back();
  out_.step_names.push_back(n.output);
  values_[n.output] = Masked{{Piece{z, shape.c, shape.size()}}};
  return {};
}

Result<Public> Lowerer::public_of(const Node& n) {
  const Value& src = values_.at(n.inputs[0]);
  Public p;
  if (const auto* m = std::get_if<Masked>(&src)) {
    p.src = *m;
  } else if (const auto* q = std::get_if<Public>(&src)) {
    p = *q;
  } else {
    return error(n, "reads a value that is not masked");
  }
  if (p.src.reshaped || g_.shape_of(n.inputs[0]).size() != 4) return error(n, "expects 1xCxHxW");
  if (n.op == OpKind::kSlice) {
    p.stride_h *= n.steps[2];
    p.stride_w *= n.steps[3];
    return p;
  }
  if (n.pad[2] || n.pad[3] || n.pad[6] || n.pad[7]) {
    return error(n, "a spatial Pad that was not folded into a convolution");
  }
  p.pad_before += int(n.pad[1]);
  p.pad_after += int(n.pad[5]);
  return p;
}

// An Add: the terms of both operands, the biases summed. A Sub negates the second operand's
// weights, public factors (the identity branch becomes factor −1, public) and bias first.
Result<Affine> Lowerer::sum(const Node& n) {
  PG_TRY_ASSIGN(Affine a, as_affine(n.inputs[0]));
  PG_TRY_ASSIGN(Affine b, as_affine(n.inputs[1]));
  if (a.bias.size() != b.bias.size()) return error(n, "operands of different sizes");
  if (n.op == OpKind::kSub) {
    for (auto& w : b.he_w) {
      for (double& v : w) v = -v;
    }
    for (double& v : b.pub_factor) v = -v;
    for (double& v : b.bias) v = -v;
  }
  for (size_t i = 0; i < a.bias.size(); ++i) a.bias[i] += b.bias[i];
  a.he.insert(a.he.end(), b.he.begin(), b.he.end());
  a.he_w.insert(a.he_w.end(), b.he_w.begin(), b.he_w.end());
  a.pub.insert(a.pub.end(), b.pub.begin(), b.pub.end());
  a.pub_factor.insert(a.pub_factor.end(), b.pub_factor.begin(), b.pub_factor.end());
  return a;
}

Status Lowerer::visit(const Node& n) {
  switch (n.op) {
    case OpKind::kConv:
    case OpKind::kGemm:
    case OpKind::kAveragePool:
    case OpKind::kGlobalAveragePool: {
      PG_TRY_ASSIGN(Affine a, linear(n));
      values_[n.output] = std::move(a);
      return {};
    }
    case OpKind::kAdd:
    case OpKind::kSub: {
      PG_TRY_ASSIGN(Affine a, sum(n));
      values_[n.output] = std::move(a);
      return {};
    }
    case OpKind::kSlice:
    case OpKind::kPad: {
      PG_TRY_ASSIGN(Public p, public_of(n));
      values_[n.output] = std::move(p);
      return {};
    }
    case OpKind::kConcat: {
      Masked m;
      for (const auto& in : n.inputs) {
        const auto* part = std::get_if<Masked>(&values_.at(in));
        if (part == nullptr || part->reshaped)
          return error(n, "concatenates a value that is not masked");
        m.pieces.insert(m.pieces.end(), part->pieces.begin(), part->pieces.end());
      }
      values_[n.output] = std::move(m);
      return {};
    }
    case OpKind::kFlatten:
    case OpKind::kReshape: {
      Value v = values_.at(n.inputs[0]);
      if (auto* m = std::get_if<Masked>(&v)) m->reshaped = true;
      values_[n.output] = std::move(v);
      return {};
    }
    case OpKind::kMaxPool:
      values_[n.output] = PendingPool{n.inputs[0], &n};
      return {};
    case OpKind::kRelu: {
      if (const auto* p = std::get_if<PendingPool>(&values_.at(n.inputs[0]))) {
        if (g_.consumers(n.inputs[0]).size() != 1 || n.inputs[0] == g_.output) {
          return error(*p->node, "a MaxPool must be followed by a ReLU and nothing else");
        }
        return nonlinear(n, NonLinearKind::kMaxPoolRelu, p->input, p->node);
      }
      return nonlinear(n, NonLinearKind::kRelu, n.inputs[0], nullptr);
    }
    case OpKind::kTruncate:
      return nonlinear(n, NonLinearKind::kTruncate, n.inputs[0], nullptr);
    default:
      return error(n, "this op is left after merging and cannot be lowered");
  }
}

}  // namespace

Result<LoweredPlan> lower(const Graph& merged) {
  Lowerer l(merged);
  PG_TRY_ASSIGN(LoweredPlan p, l.run());
  // ℓ, f and f_w are placeholders until quantisation; validate the structure with them.
  p.plan.ell = 64;
  try {
    p.plan.validate();
  } catch (const std::invalid_argument& e) {
    return make_error(ErrorCode::kUnsupported,
                      std::string("the lowered plan is inconsistent: ") + e.what());
  }
  p.plan.ell = 0;
  return p;
}

}  // namespace pg::nn
