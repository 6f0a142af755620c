#include "nn/onnx_import.h"

#include <climits>
#include <fstream>

#include "nn/onnx_detail.h"

namespace pg::nn {
namespace {

using core::ErrorCode;
using core::make_error;
using core::Result;
using core::Status;
using onnx_detail::Const;
using onnx_detail::ConstMap;

Status check_opset(const onnx::ModelProto& model) {
  int64_t version = -1;
  for (const auto& o : model.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx") version = o.version();
  }
  if (version < 0) return make_error(ErrorCode::kUnsupported, "the model declares no ONNX opset");
  if (version < kMinOpset || version > kMaxOpset) {
    return make_error(ErrorCode::kUnsupported,
                      "opset " + std::to_string(version) + " is not supported (only " +
                          std::to_string(kMinOpset) + " to " + std::to_string(kMaxOpset) + ")");
  }
  return {};
}

Result<Shape> input_shape(const onnx::ValueInfoProto& v) {
  const std::string what = "input '" + v.name() + "'";
  if (!v.type().has_tensor_type() ||
      v.type().tensor_type().elem_type() != onnx::TensorProto::FLOAT) {
    return make_error(ErrorCode::kUnsupported, what + ": only float tensors are supported");
  }
  const auto& t = v.type().tensor_type();
  if (!t.has_shape()) return make_error(ErrorCode::kUnsupported, what + ": no shape");
  Shape s;
  for (int k = 0; k < t.shape().dim_size(); ++k) {
    const auto& d = t.shape().dim(k);
    if (!d.has_dim_value()) {
      return make_error(ErrorCode::kUnsupported,
                        what + ": dynamic shape (dimension " + std::to_string(k) + " is '" +
                            (d.has_dim_param() ? d.dim_param() : std::string("unknown")) +
                            "'); export with a fixed input shape");
    }
    if (d.dim_value() < 1 || d.dim_value() > kMaxTensorElements) {
      return make_error(ErrorCode::kMalformed, what + ": dimension " + std::to_string(k) + " is " +
                                                   std::to_string(d.dim_value()));
    }
    s.push_back(d.dim_value());
  }
  if ((s.size() != 4 && s.size() != 2) || s[0] != 1) {
    return make_error(ErrorCode::kUnsupported,
                      what + ": shape " + to_string(s) + " (only 1xCxHxW or 1xF)");
  }
  if (element_count(s) > kMaxTensorElements) {
    return make_error(ErrorCode::kTooLarge, what + ": shape " + to_string(s) + " is too large");
  }
  return s;
}

Status read_io(const onnx::GraphProto& gp, const ConstMap& consts, Graph& g) {
  int inputs = 0;
  for (const auto& v : gp.input()) {
    if (consts.count(v.name())) continue;  // older exporters list initializers as inputs
    if (++inputs > 1) return make_error(ErrorCode::kUnsupported, "the model has several inputs");
    PG_TRY_ASSIGN(g.input_shape, input_shape(v));
    g.input = v.name();
  }
  if (inputs == 0) return make_error(ErrorCode::kMalformed, "the model has no input");
  if (gp.output_size() != 1) {
    return make_error(ErrorCode::kUnsupported,
                      "the model has " + std::to_string(gp.output_size()) + " outputs (only 1)");
  }
  g.output = gp.output(0).name();
  g.shapes[g.input] = g.input_shape;
  return {};
}

Status read_nodes(const onnx::GraphProto& gp, ConstMap& consts, Graph& g) {
  for (int i = 0; i < gp.node_size(); ++i) {
    const auto& n = gp.node(i);
    const std::string label = onnx_detail::node_label(n, size_t(i));
    if (!n.domain().empty() && n.domain() != "ai.onnx") {
      return make_error(ErrorCode::kUnsupported,
                        label + ": unsupported op '" + n.domain() + "::" + n.op_type() + "'");
    }
    for (const auto& out : n.output()) {
      if (!out.empty() && (consts.count(out) || g.shapes.count(out))) {
        return make_error(ErrorCode::kMalformed, label + ": output '" + out + "' is defined twice");
      }
    }
    Const value;
    PG_TRY_ASSIGN(bool folded, onnx_detail::eval_constant_node(n, label, consts, g, value));
    if (folded) {
      if (n.output_size() != 1 || n.output(0).empty()) {
        return onnx_detail::node_error(label, "expects one output");
      }
      consts[n.output(0)] = std::move(value);
      continue;
    }
    PG_TRY(onnx_detail::translate_node(n, label, consts, g));
  }
  return {};
}

Result<Graph> import_graph(const onnx::GraphProto& gp) {
  if (size_t(gp.node_size()) > kMaxModelNodes) {
    return make_error(ErrorCode::kTooLarge, "the model has " + std::to_string(gp.node_size()) +
                                                " nodes, above the limit of " +
                                                std::to_string(kMaxModelNodes));
  }
  if (gp.sparse_initializer_size() > 0) {
    return make_error(ErrorCode::kUnsupported, "sparse initializers are not supported");
  }
  ConstMap consts;
  for (const auto& t : gp.initializer()) {
    PG_TRY_ASSIGN(Const c, onnx_detail::read_tensor(t, "initializer '" + t.name() + "'"));
    consts[t.name()] = std::move(c);
  }
  Graph g;
  PG_TRY(read_io(gp, consts, g));
  PG_TRY(read_nodes(gp, consts, g));
  if (consts.count(g.output)) {
    return make_error(ErrorCode::kUnsupported, "the output '" + g.output + "' is a constant");
  }
  remove_dead_nodes(g);
  PG_TRY(infer_shapes(g));
  return g;
}

}  // namespace

Result<Graph> import_onnx(std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxModelBytes || bytes.size() > size_t(INT_MAX)) {
    return make_error(ErrorCode::kTooLarge, "the model is " + std::to_string(bytes.size()) +
                                                " bytes, above the limit of " +
                                                std::to_string(kMaxModelBytes));
  }
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return make_error(ErrorCode::kMalformed, "not an ONNX model (the protobuf does not parse)");
  }
  PG_TRY(check_opset(model));
  if (!model.has_graph()) return make_error(ErrorCode::kMalformed, "the model has no graph");
  return import_graph(model.graph());
}

Result<Graph> import_onnx_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) return make_error(ErrorCode::kIo, "cannot open '" + path + "'");
  const std::streamoff size = f.tellg();
  if (size < 0) return make_error(ErrorCode::kIo, "cannot read '" + path + "'");
  if (size_t(size) > kMaxModelBytes) {
    return make_error(ErrorCode::kTooLarge,
                      "'" + path + "' is larger than " + std::to_string(kMaxModelBytes) + " bytes");
  }
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  f.seekg(0);
  if (!f.read(reinterpret_cast<char*>(bytes.data()), size)) {
    return make_error(ErrorCode::kIo, "cannot read '" + path + "'");
  }
  auto g = import_onnx(bytes);
  if (!g.ok()) return make_error(g.error().code, path + ": " + g.error().message);
  return g;
}

}  // namespace pg::nn
