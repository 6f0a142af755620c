// ONNX tensors and attributes, read with every size checked before allocation.
#include <cmath>
#include <cstring>

#include "nn/onnx_detail.h"

namespace pg::nn::onnx_detail {
namespace {

using core::ErrorCode;
using core::make_error;
using core::Result;

std::string list(const google::protobuf::RepeatedField<int64_t>& v) {
  std::string s = "[";
  for (int k = 0; k < v.size(); ++k) s += (k ? ", " : "") + std::to_string(v[k]);
  return s + "]";
}

size_t element_size(int type) {
  switch (type) {
    case onnx::TensorProto::FLOAT:
    case onnx::TensorProto::INT32:
      return 4;
    case onnx::TensorProto::INT64:
    case onnx::TensorProto::DOUBLE:
      return 8;
    case onnx::TensorProto::BOOL:
      return 1;
    default:
      return 0;
  }
}

template <typename T>
T load_le(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));  // x86-64 is little-endian, as ONNX's raw_data
  return v;
}

void decode_raw(const std::string& raw, int type, Const& c) {
  const size_t n = raw.size() / element_size(type);
  const char* p = raw.data();
  for (size_t k = 0; k < n; ++k) {
    switch (type) {
      case onnx::TensorProto::FLOAT:
        c.f[k] = load_le<float>(p + 4 * k);
        break;
      case onnx::TensorProto::DOUBLE:
        c.f[k] = load_le<double>(p + 8 * k);
        break;
      case onnx::TensorProto::INT32:
        c.i[k] = load_le<int32_t>(p + 4 * k);
        break;
      case onnx::TensorProto::INT64:
        c.i[k] = load_le<int64_t>(p + 8 * k);
        break;
      default:
        c.i[k] = p[k] != 0;
        break;
    }
  }
}

// The typed repeated field's size, and a copy of it into c.
size_t typed_size(const onnx::TensorProto& t, int type) {
  switch (type) {
    case onnx::TensorProto::FLOAT:
      return size_t(t.float_data_size());
    case onnx::TensorProto::DOUBLE:
      return size_t(t.double_data_size());
    case onnx::TensorProto::INT64:
      return size_t(t.int64_data_size());
    default:
      return size_t(t.int32_data_size());
  }
}

void decode_typed(const onnx::TensorProto& t, int type, Const& c) {
  for (size_t k = 0; k < typed_size(t, type); ++k) {
    switch (type) {
      case onnx::TensorProto::FLOAT:
        c.f[k] = t.float_data(int(k));
        break;
      case onnx::TensorProto::DOUBLE:
        c.f[k] = t.double_data(int(k));
        break;
      case onnx::TensorProto::INT64:
        c.i[k] = t.int64_data(int(k));
        break;
      default:
        c.i[k] = t.int32_data(int(k));
        break;
    }
  }
}

}  // namespace

std::string node_label(const onnx::NodeProto& n, size_t index) {
  const std::string name = n.name().empty() ? "#" + std::to_string(index) : n.name();
  return "node '" + name + "' (" + n.op_type() + ")";
}

core::Error node_error(const std::string& label, const std::string& what) {
  return make_error(ErrorCode::kUnsupported, label + ": " + what);
}

core::Status integer_operand(const Const& c, const std::string& label, const char* what) {
  if (c.is_int) return {};
  for (double v : c.f) {
    // 2^63 is exact as a double; every double in (-2^63, 2^63) with no fraction fits int64.
    if (!(std::fabs(v) < 9223372036854775808.0) || v != std::trunc(v)) {
      return node_error(label, std::string(what) + " holds " + std::to_string(v) +
                                   ", not an integer in the int64 range");
    }
  }
  return {};
}

core::Error unsupported_attribute(const std::string& label, const onnx::AttributeProto& a) {
  std::string value;
  if (a.ints_size() > 0) value = " = " + list(a.ints());
  if (a.has_i()) value = " = " + std::to_string(a.i());
  if (a.has_s()) value = " = '" + a.s().substr(0, 32) + "'";
  return node_error(label, "unsupported attribute '" + a.name() + "'" + value);
}

Result<Const> read_tensor(const onnx::TensorProto& t, const std::string& what) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL || t.external_data_size() > 0) {
    return make_error(ErrorCode::kUnsupported, what + ": external data is not supported");
  }
  if (t.has_segment()) return make_error(ErrorCode::kUnsupported, what + ": segmented tensor");
  const int type = t.data_type();
  const size_t esize = element_size(type);
  if (esize == 0) {
    return make_error(ErrorCode::kUnsupported,
                      what + ": data type " + std::to_string(type) + " is not supported");
  }
  Const c;
  c.is_int = type != onnx::TensorProto::FLOAT && type != onnx::TensorProto::DOUBLE;
  int64_t count = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || (d > 0 && count > kMaxTensorElements / d)) {
      return make_error(ErrorCode::kTooLarge,
                        what + ": dims " + list(t.dims()) + " are negative or too large");
    }
    count *= d;
    c.dims.push_back(d);
  }
  const bool raw = t.has_raw_data();
  const size_t have = raw ? t.raw_data().size() / esize : typed_size(t, type);
  if ((raw && t.raw_data().size() % esize != 0) || have != size_t(count)) {
    return make_error(ErrorCode::kMalformed,
                      what + ": " + std::to_string(have) + " values for dims " + list(t.dims()));
  }
  if (c.is_int) {
    c.i.resize(size_t(count));
  } else {
    c.f.resize(size_t(count));
  }
  if (raw) {
    decode_raw(t.raw_data(), type, c);
  } else {
    decode_typed(t, type, c);
  }
  for (double v : c.f) {
    if (!std::isfinite(v)) return make_error(ErrorCode::kMalformed, what + ": a non-finite value");
  }
  return c;
}

Attrs::Attrs(const onnx::NodeProto& n, std::string label) : n_(n), label_(std::move(label)) {}

core::Status Attrs::only(std::initializer_list<const char*> known) const {
  for (const auto& a : n_.attribute()) {
    bool ok = false;
    for (const char* k : known) ok = ok || a.name() == k;
    if (!ok) return unsupported_attribute(label_, a);
  }
  return {};
}

const onnx::AttributeProto* Attrs::find(const char* name) const {
  for (const auto& a : n_.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

core::Error Attrs::bad_value(const char* name, const std::string& why) const {
  const auto* a = find(name);
  if (a == nullptr) {
    return node_error(
        label_, "unsupported attribute '" + std::string(name) + "' (its default; " + why + ")");
  }
  core::Error e = unsupported_attribute(label_, *a);
  e.message += " (" + why + ")";
  return e;
}

Result<int64_t> Attrs::get_int(const char* name, int64_t fallback) const {
  const auto* a = find(name);
  if (a == nullptr) return fallback;
  if (a->type() != onnx::AttributeProto::INT) return bad_value(name, "expected an integer");
  return a->i();
}

Result<double> Attrs::get_float(const char* name, double fallback) const {
  const auto* a = find(name);
  if (a == nullptr) return fallback;
  if (a->type() != onnx::AttributeProto::FLOAT || !std::isfinite(a->f())) {
    return bad_value(name, "expected a finite float");
  }
  return double(a->f());
}

Result<std::vector<int64_t>> Attrs::get_ints(const char* name) const {
  const auto* a = find(name);
  if (a == nullptr) return std::vector<int64_t>{};
  if (a->type() != onnx::AttributeProto::INTS) return bad_value(name, "expected integers");
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

Result<std::string> Attrs::get_string(const char* name, const std::string& fallback) const {
  const auto* a = find(name);
  if (a == nullptr) return fallback;
  if (a->type() != onnx::AttributeProto::STRING) return bad_value(name, "expected a string");
  return a->s();
}

}  // namespace pg::nn::onnx_detail
