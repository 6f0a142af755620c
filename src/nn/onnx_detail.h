// Internal to the ONNX importer (onnx_*.cpp): constants met during import, attribute access, and
// the evaluation of constant subgraphs. Not part of the nn API.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "nn/graph.h"

namespace pg::nn::onnx_detail {

// A constant value: float data in `f` or integer data in `i` (int32/int64/bool).
struct Const {
  bool is_int = false;
  Shape dims;
  std::vector<double> f;
  std::vector<int64_t> i;
  int64_t count() const { return element_count(dims); }
  double value(size_t k) const { return is_int ? double(i[k]) : f[k]; }
  // Element k as an integer. Callers check a float constant with integer_operand() first; here a
  // float outside the int64 range (or NaN) saturates (NaN to 0) instead of being undefined.
  int64_t int_value(size_t k) const {
    if (is_int) return i[k];
    const double v = f[k];
    if (!(v == v)) return 0;
    if (v >= 9223372036854775807.0) return INT64_MAX;  // 2^63 as a double
    if (v <= -9223372036854775808.0) return INT64_MIN;
    return int64_t(v);
  }
};

// An error naming `what` unless every element of c is an integer (a float constant must hold
// finite whole numbers in the int64 range), for operands that ONNX types as integers (shapes,
// indices, pads, starts, ends, axes, steps).
core::Status integer_operand(const Const& c, const std::string& label, const char* what);

using ConstMap = std::map<std::string, Const>;

// The error helpers; every message names the node (and op).
std::string node_label(const onnx::NodeProto& n, size_t index);
core::Error node_error(const std::string& label, const std::string& what);
core::Error unsupported_attribute(const std::string& label, const onnx::AttributeProto& a);

// Reads a TensorProto with every size checked first.
core::Result<Const> read_tensor(const onnx::TensorProto& t, const std::string& what);

// Attribute access: the value or a default, with a type check.
class Attrs {
 public:
  Attrs(const onnx::NodeProto& n, std::string label);
  const std::string& label() const { return label_; }
  // An error naming the first attribute that is not in `known`.
  core::Status only(std::initializer_list<const char*> known) const;
  core::Result<int64_t> get_int(const char* name, int64_t fallback) const;
  core::Result<double> get_float(const char* name, double fallback) const;
  core::Result<std::vector<int64_t>> get_ints(const char* name) const;  // empty if absent
  core::Result<std::string> get_string(const char* name, const std::string& fallback) const;
  const onnx::AttributeProto* find(const char* name) const;
  core::Error bad_value(const char* name, const std::string& why) const;

 private:
  const onnx::NodeProto& n_;
  std::string label_;
};

// Evaluates a node whose inputs are all constants, if its op is one of the constant-subgraph
// ops. Returns false (and leaves `out` alone) if the op is not one of them.
core::Result<bool> eval_constant_node(const onnx::NodeProto& n, const std::string& label,
                                      const ConstMap& consts, const Graph& g, Const& out);

// Translates a node with a computed input into IR nodes appended to g (shapes inferred).
core::Status translate_node(const onnx::NodeProto& n, const std::string& label,
                            const ConstMap& consts, Graph& g);

}  // namespace pg::nn::onnx_detail
