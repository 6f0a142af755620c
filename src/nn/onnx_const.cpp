// Evaluation of constant subgraphs at import: the shape arithmetic PyTorch's exporter emits
// (e.g. the pads of ResNet's shortcut "A": ConstantOfShape, Concat, Reshape, a reversing Slice,
// Transpose, Cast) and arithmetic on constants. Every output size is bounded by its inputs or
// checked against kMaxTensorElements before allocation.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "nn/onnx_detail.h"

namespace pg::nn::onnx_detail {
namespace {

using core::ErrorCode;
using core::make_error;
using core::Result;

// Row-major strides of a shape.
std::vector<int64_t> strides_of(const Shape& s) {
  std::vector<int64_t> st(s.size(), 1);
  for (size_t a = s.size(); a-- > 1;) st[a - 1] = st[a] * s[a];
  return st;
}

// out[k] = in[src(k)] for a gather-like reindexing.
Const reindex(const Const& in, Shape dims, const std::vector<int64_t>& src) {
  Const out;
  out.is_int = in.is_int;
  out.dims = std::move(dims);
  for (int64_t k : src) {
    if (in.is_int) {
      out.i.push_back(in.i[size_t(k)]);
    } else {
      out.f.push_back(in.f[size_t(k)]);
    }
  }
  return out;
}

Result<int64_t> normalise_axis(int64_t axis, size_t rank, const std::string& label) {
  const int64_t r = int64_t(rank);
  if (axis < -r || axis >= r)
    return node_error(label, "axis " + std::to_string(axis) + " out of range");
  return axis < 0 ? axis + r : axis;
}

Result<Const> slice(const std::vector<const Const*>& in, const std::string& label) {
  const Const& x = *in[0];
  const size_t rank = x.dims.size();
  // Optional inputs come as nullptr when their name is empty; starts and ends are required.
  if (in.size() < 3 || in[1] == nullptr || in[2] == nullptr) {
    return node_error(label, "needs starts and ends (inputs 1 and 2 must not be empty)");
  }
  PG_TRY(integer_operand(*in[1], label, "starts"));
  PG_TRY(integer_operand(*in[2], label, "ends"));
  if (in.size() > 3 && in[3] != nullptr) PG_TRY(integer_operand(*in[3], label, "axes"));
  if (in.size() > 4 && in[4] != nullptr) PG_TRY(integer_operand(*in[4], label, "steps"));
  const size_t n = size_t(in[1]->count());
  if (size_t(in[2]->count()) != n) return node_error(label, "starts and ends differ in length");
  std::vector<int64_t> start(rank, 0), step(rank, 1);
  Shape dims = x.dims;
  for (size_t k = 0; k < n; ++k) {
    int64_t axis = int64_t(k);
    if (in.size() > 3 && in[3] != nullptr) {
      if (size_t(in[3]->count()) != n) return node_error(label, "axes length");
      PG_TRY_ASSIGN(axis, normalise_axis(in[3]->int_value(k), rank, label));
    }
    if (size_t(axis) >= rank) return node_error(label, "too many axes");
    const int64_t st = in.size() > 4 && in[4] != nullptr ? in[4]->int_value(k) : 1;
    if (st == 0 || st == INT64_MIN) return node_error(label, "a bad step");
    const int64_t d = x.dims[size_t(axis)];
    int64_t s = in[1]->int_value(k), e = in[2]->int_value(k);
    if (s < 0) s += d;
    if (e < 0) e += d;
    s = st > 0 ? std::clamp<int64_t>(s, 0, d) : std::clamp<int64_t>(s, 0, d - 1);
    e = st > 0 ? std::clamp<int64_t>(e, 0, d) : std::clamp<int64_t>(e, -1, d - 1);
    const int64_t span = st > 0 ? e - s : s - e;
    const int64_t mag = st > 0 ? st : -st;
    dims[size_t(axis)] = span <= 0 ? 0 : 1 + (span - 1) / mag;
    start[size_t(axis)] = s;
    step[size_t(axis)] = st;
  }
  const auto in_strides = strides_of(x.dims);
  const int64_t count = element_count(dims);
  std::vector<int64_t> src(static_cast<size_t>(count));
  for (int64_t k = 0; k < count; ++k) {
    int64_t rem = k, off = 0;
    for (size_t a = rank; a-- > 0;) {
      const int64_t idx = rem % dims[a];
      rem /= dims[a];
      off += (start[a] + idx * step[a]) * in_strides[a];
    }
    src[size_t(k)] = off;
  }
  return reindex(x, dims, src);
}

Result<Const> transpose(const Const& x, std::vector<int64_t> perm, const std::string& label) {
  const size_t rank = x.dims.size();
  if (perm.empty()) {
    for (size_t a = rank; a-- > 0;) perm.push_back(int64_t(a));
  }
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  for (size_t a = 0; a < rank; ++a) {
    if (sorted.size() != rank || sorted[a] != int64_t(a)) return node_error(label, "bad perm");
  }
  Shape dims(rank);
  for (size_t a = 0; a < rank; ++a) dims[a] = x.dims[size_t(perm[a])];
  const auto in_strides = strides_of(x.dims);
  std::vector<int64_t> src(static_cast<size_t>(x.count()));
  for (int64_t k = 0; k < x.count(); ++k) {
    int64_t rem = k, off = 0;
    for (size_t a = rank; a-- > 0;) {
      off += (rem % dims[a]) * in_strides[size_t(perm[a])];
      rem /= dims[a];
    }
    src[size_t(k)] = off;
  }
  return reindex(x, dims, src);
}

Result<Const> gather(const Const& x, const Const& idx, int64_t axis_attr,
                     const std::string& label) {
  PG_TRY_ASSIGN(int64_t axis, normalise_axis(axis_attr, x.dims.size(), label));
  PG_TRY(integer_operand(idx, label, "indices"));
  const int64_t d = x.dims[size_t(axis)];
  int64_t outer = 1, inner = 1;
  for (int64_t a = 0; a < axis; ++a) outer *= x.dims[size_t(a)];
  for (size_t a = size_t(axis) + 1; a < x.dims.size(); ++a) inner *= x.dims[a];
  Shape dims(x.dims.begin(), x.dims.begin() + axis);
  dims.insert(dims.end(), idx.dims.begin(), idx.dims.end());
  dims.insert(dims.end(), x.dims.begin() + axis + 1, x.dims.end());
  if (element_count(dims) > kMaxTensorElements) return node_error(label, "output too large");
  std::vector<int64_t> src;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t k = 0; k < idx.count(); ++k) {
      int64_t j = idx.int_value(size_t(k));
      if (j < 0) j += d;
      if (j < 0 || j >= d) return node_error(label, "index out of range");
      for (int64_t q = 0; q < inner; ++q) src.push_back((o * d + j) * inner + q);
    }
  }
  return reindex(x, dims, src);
}

Result<Const> concat(const std::vector<const Const*>& in, int64_t axis_attr,
                     const std::string& label) {
  const Const& first = *in[0];
  PG_TRY_ASSIGN(int64_t axis, normalise_axis(axis_attr, first.dims.size(), label));
  Const out;
  out.is_int = first.is_int;
  out.dims = first.dims;
  out.dims[size_t(axis)] = 0;
  int64_t outer = 1;
  for (int64_t a = 0; a < axis; ++a) outer *= first.dims[size_t(a)];
  for (const Const* c : in) {
    Shape a = c->dims, b = first.dims;
    if (a.size() != b.size() || c->is_int != first.is_int) return node_error(label, "mixed inputs");
    a[size_t(axis)] = b[size_t(axis)] = 0;
    if (a != b) return node_error(label, "input shapes differ");
    out.dims[size_t(axis)] += c->dims[size_t(axis)];
  }
  if (out.count() > kMaxTensorElements) return node_error(label, "output too large");
  for (int64_t o = 0; o < outer; ++o) {
    for (const Const* c : in) {
      const int64_t block = outer == 0 ? 0 : c->count() / outer;
      for (int64_t k = o * block; k < (o + 1) * block; ++k) {
        if (c->is_int) {
          out.i.push_back(c->i[size_t(k)]);
        } else {
          out.f.push_back(c->f[size_t(k)]);
        }
      }
    }
  }
  return out;
}

Result<Const> reshape(const Const& x, const Const& shape, bool allow_zero,
                      const std::string& label) {
  PG_TRY(integer_operand(shape, label, "the shape"));
  Shape dims;
  int infer = -1;
  int64_t known = 1;
  for (int64_t k = 0; k < shape.count(); ++k) {
    int64_t d = shape.int_value(size_t(k));
    if (d == 0 && !allow_zero) {
      if (size_t(k) >= x.dims.size()) return node_error(label, "0 copies a missing dim");
      d = x.dims[size_t(k)];
    }
    if (d == -1) {
      if (infer >= 0) return node_error(label, "two -1 dims");
      infer = int(k);
      d = 1;
    } else if (d < 0 || d > kMaxTensorElements) {
      return node_error(label, "a bad dim " + std::to_string(d));
    }
    dims.push_back(d);
    if (d > 0) known = element_count({known, d});
  }
  if (infer >= 0) {
    if (known == 0 || x.count() % known != 0) return node_error(label, "cannot infer -1");
    dims[size_t(infer)] = x.count() / known;
  }
  if (element_count(dims) != x.count()) return node_error(label, "element count changes");
  Const out = x;
  out.dims = dims;
  return out;
}

Result<Const> arithmetic(const std::string& op, const Const& a, const Const& b,
                         const std::string& label) {
  if (a.dims != b.dims && a.count() != 1 && b.count() != 1) {
    return node_error(label, "constant operands of shapes " + to_string(a.dims) + " and " +
                                 to_string(b.dims) + " (only equal shapes or a scalar)");
  }
  Const out;
  out.is_int = a.is_int && b.is_int;
  out.dims = a.count() == 1 ? b.dims : a.dims;
  const int64_t n = element_count(out.dims);
  for (int64_t k = 0; k < n; ++k) {
    const size_t ia = a.count() == 1 ? 0 : size_t(k), ib = b.count() == 1 ? 0 : size_t(k);
    if (out.is_int) {
      // Wrapping arithmetic: hostile constants must not reach signed overflow.
      const uint64_t x = uint64_t(a.i[ia]), y = uint64_t(b.i[ib]);
      if (op == "Div") {
        if (b.i[ib] == 0 || (a.i[ia] == INT64_MIN && b.i[ib] == -1)) {
          return node_error(label, "integer division by zero or overflow");
        }
        out.i.push_back(a.i[ia] / b.i[ib]);
      } else {
        out.i.push_back(int64_t(op == "Add" ? x + y : op == "Sub" ? x - y : x * y));
      }
    } else {
      const double x = a.value(ia), y = b.value(ib);
      out.f.push_back(op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : x / y);
    }
  }
  return out;
}

Result<Const> unsqueeze(const Const& x, std::vector<int64_t> axes, bool squeeze,
                        const std::string& label) {
  Const out = x;
  if (squeeze) {
    Shape dims;
    for (size_t a = 0; a < x.dims.size(); ++a) {
      bool drop = axes.empty() && x.dims[a] == 1;
      for (int64_t ax : axes)
        drop = drop || (ax < 0 ? ax + int64_t(x.dims.size()) : ax) == int64_t(a);
      if (drop && x.dims[a] != 1) return node_error(label, "squeezing a dim that is not 1");
      if (!drop) dims.push_back(x.dims[a]);
    }
    out.dims = dims;
    return out;
  }
  const int64_t rank = int64_t(x.dims.size() + axes.size());
  for (auto& a : axes) a = a < 0 ? a + rank : a;
  std::sort(axes.begin(), axes.end());
  for (int64_t a : axes) {
    if (a < 0 || a > int64_t(out.dims.size())) return node_error(label, "axis out of range");
    out.dims.insert(out.dims.begin() + a, 1);
  }
  return out;
}

Result<Const> constant_value(const Attrs& attrs) {
  PG_TRY(attrs.only({"value", "value_float", "value_floats", "value_int", "value_ints"}));
  Const out;
  if (const auto* a = attrs.find("value")) return read_tensor(a->t(), attrs.label());
  if (const auto* a = attrs.find("value_ints")) {
    out.is_int = true;
    out.i.assign(a->ints().begin(), a->ints().end());
    out.dims = {int64_t(out.i.size())};
  } else if (const auto* b = attrs.find("value_int")) {
    out.is_int = true;
    out.i = {b->i()};
  } else if (const auto* c = attrs.find("value_floats")) {
    out.f.assign(c->floats().begin(), c->floats().end());
    out.dims = {int64_t(out.f.size())};
  } else if (const auto* d = attrs.find("value_float")) {
    out.f = {double(d->f())};
  } else {
    return node_error(attrs.label(), "no value");
  }
  return out;
}

Result<Const> shape_value(const Shape& s, const Attrs& attrs) {
  PG_TRY(attrs.only({"start", "end"}));
  const int64_t r = int64_t(s.size());
  PG_TRY_ASSIGN(int64_t start, attrs.get_int("start", 0));
  PG_TRY_ASSIGN(int64_t end, attrs.get_int("end", r));
  start = std::clamp<int64_t>(start < 0 ? start + r : start, 0, r);
  end = std::clamp<int64_t>(end < 0 ? end + r : end, 0, r);
  Const out;
  out.is_int = true;
  for (int64_t a = start; a < end; ++a) out.i.push_back(s[size_t(a)]);
  out.dims = {int64_t(out.i.size())};
  return out;
}

Result<Const> cast(const Const& x, const Attrs& attrs) {
  PG_TRY(attrs.only({"to", "saturate"}));
  PG_TRY_ASSIGN(int64_t to, attrs.get_int("to", 1));
  const bool to_int = to == onnx::TensorProto::INT64 || to == onnx::TensorProto::INT32 ||
                      to == onnx::TensorProto::BOOL;
  if (!to_int && to != onnx::TensorProto::FLOAT && to != onnx::TensorProto::DOUBLE) {
    return attrs.bad_value("to", "only float, double and integer types");
  }
  Const out = x;
  out.is_int = to_int;
  if (to_int && !x.is_int) {
    for (double v : x.f) {
      if (!(std::fabs(v) < 9e18)) return node_error(attrs.label(), "a value out of integer range");
      out.i.push_back(int64_t(v));
    }
    out.f.clear();
  } else if (!to_int && x.is_int) {
    for (int64_t v : x.i) out.f.push_back(double(v));
    out.i.clear();
  }
  return out;
}

Result<Const> constant_of_shape(const Const& shape, const Attrs& attrs) {
  PG_TRY(attrs.only({"value"}));
  PG_TRY(integer_operand(shape, attrs.label(), "the shape"));
  Shape dims;
  for (int64_t k = 0; k < shape.count(); ++k) {
    const int64_t d = shape.int_value(size_t(k));
    if (d < 0) return node_error(attrs.label(), "a negative dim");
    dims.push_back(d);
  }
  const int64_t count = element_count(dims);
  if (count > kMaxTensorElements) {
    return node_error(attrs.label(), "shape " + to_string(dims) + " is too large");
  }
  Const v;
  v.f = {0.0};
  if (const auto* a = attrs.find("value")) {
    PG_TRY_ASSIGN(v, read_tensor(a->t(), attrs.label()));
  }
  if (v.count() != 1) return node_error(attrs.label(), "value must have one element");
  Const out;
  out.is_int = v.is_int;
  out.dims = dims;
  if (v.is_int) {
    out.i.assign(size_t(count), v.i[0]);
  } else {
    out.f.assign(size_t(count), v.f[0]);
  }
  return out;
}

Result<Const> eval_op(const std::string& op, const std::vector<const Const*>& in,
                      const Attrs& attrs) {
  const std::string& label = attrs.label();
  auto second = [&]() -> const Const* { return in.size() > 1 ? in[1] : nullptr; };
  if (op == "Identity") return *in[0];
  if (op == "Cast") return cast(*in[0], attrs);
  if (op == "ConstantOfShape") return constant_of_shape(*in[0], attrs);
  if (op == "Gather") {
    PG_TRY(attrs.only({"axis"}));
    PG_TRY_ASSIGN(int64_t axis, attrs.get_int("axis", 0));
    if (second() == nullptr) return node_error(label, "needs indices");
    return gather(*in[0], *in[1], axis, label);
  }
  if (op == "Unsqueeze" || op == "Squeeze") {
    PG_TRY(attrs.only({"axes"}));
    PG_TRY_ASSIGN(std::vector<int64_t> axes, attrs.get_ints("axes"));
    if (second() != nullptr) {
      if (!in[1]->is_int) return node_error(label, "axes must be integers");
      axes = in[1]->i;
    }
    return unsqueeze(*in[0], axes, op == "Squeeze", label);
  }
  if (op == "Concat") {
    PG_TRY(attrs.only({"axis"}));
    PG_TRY_ASSIGN(int64_t axis, attrs.get_int("axis", 0));
    if (std::find(in.begin(), in.end(), nullptr) != in.end())
      return node_error(label, "empty input");
    return concat(in, axis, label);
  }
  if (op == "Reshape") {
    PG_TRY(attrs.only({"allowzero"}));
    PG_TRY_ASSIGN(int64_t allow_zero, attrs.get_int("allowzero", 0));
    if (second() == nullptr) return node_error(label, "needs a shape");
    return reshape(*in[0], *in[1], allow_zero != 0, label);
  }
  if (op == "Slice") {
    PG_TRY(attrs.only({}));
    return slice(in, label);
  }
  if (op == "Transpose") {
    PG_TRY(attrs.only({"perm"}));
    PG_TRY_ASSIGN(std::vector<int64_t> perm, attrs.get_ints("perm"));
    return transpose(*in[0], perm, label);
  }
  PG_TRY(attrs.only({}));
  if (second() == nullptr || in.size() != 2) return node_error(label, "expects two inputs");
  return arithmetic(op, *in[0], *in[1], label);
}

}  // namespace

Result<bool> eval_constant_node(const onnx::NodeProto& n, const std::string& label,
                                const ConstMap& consts, const Graph& g, Const& out) {
  const std::string& op = n.op_type();
  static const char* kOps[] = {"Constant",  "ConstantOfShape",
                               "Shape",     "Gather",
                               "Unsqueeze", "Squeeze",
                               "Cast",      "Identity",
                               "Concat",    "Reshape",
                               "Slice",     "Transpose",
                               "Add",       "Sub",
                               "Mul",       "Div"};
  if (std::none_of(std::begin(kOps), std::end(kOps), [&](const char* k) { return op == k; })) {
    return false;
  }
  const Attrs attrs(n, label);
  if (op == "Constant") {
    PG_TRY_ASSIGN(out, constant_value(attrs));
    return true;
  }
  if (op == "Shape") {
    // The shape of a computed value is known at import (shapes are static).
    if (n.input_size() != 1 || consts.count(n.input(0)) || !g.shapes.count(n.input(0))) {
      return false;
    }
    PG_TRY_ASSIGN(out, shape_value(g.shapes.at(n.input(0)), attrs));
    return true;
  }
  std::vector<const Const*> in;
  for (const auto& name : n.input()) {
    if (name.empty()) {
      in.push_back(nullptr);
      continue;
    }
    auto it = consts.find(name);
    if (it == consts.end()) return false;  // a computed input: not a constant subgraph
    in.push_back(&it->second);
  }
  if (in.empty() || in[0] == nullptr) return node_error(label, "missing input");
  PG_TRY_ASSIGN(out, eval_op(op, in, attrs));
  return true;
}

}  // namespace pg::nn::onnx_detail
