// Builds small ONNX models in memory (protobuf), for the importer's tests.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace pg::nn::testing {

class OnnxModel {
 public:
  explicit OnnxModel(int opset = 13) {
    m.set_ir_version(7);
    auto* o = m.add_opset_import();
    o->set_domain("");
    o->set_version(opset);
  }

  onnx::ValueInfoProto* input(const std::string& name, const std::vector<int64_t>& dims) {
    auto* v = m.mutable_graph()->add_input();
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->mutable_shape()->add_dim()->set_dim_value(d);
    return v;
  }
  void output(const std::string& name) { m.mutable_graph()->add_output()->set_name(name); }

  onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::string& output, const std::string& name = "") {
    auto* n = m.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(name.empty() ? output : name);
    for (const auto& i : inputs) n->add_input(i);
    n->add_output(output);
    return n;
  }

  onnx::TensorProto* init(const std::string& name, const std::vector<int64_t>& dims,
                          const std::vector<float>& values) {
    auto* t = m.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    std::string raw(values.size() * 4, '\0');
    std::memcpy(raw.data(), values.data(), raw.size());
    t->set_raw_data(raw);
    return t;
  }
  onnx::TensorProto* init_ints(const std::string& name, const std::vector<int64_t>& values) {
    auto* t = m.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(int64_t(values.size()));
    for (int64_t v : values) t->add_int64_data(v);
    return t;
  }

  static void attr_ints(onnx::NodeProto* n, const std::string& name,
                        const std::vector<int64_t>& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  static void attr_int(onnx::NodeProto* n, const std::string& name, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void attr_float(onnx::NodeProto* n, const std::string& name, float v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  static void attr_string(onnx::NodeProto* n, const std::string& name, const std::string& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(v);
  }

  std::vector<uint8_t> bytes() const {
    std::string s;
    m.SerializeToString(&s);
    return {s.begin(), s.end()};
  }

  // x [1,1,4,4] → Conv 3x3 (2 out, pad 1) → Relu → output "y": the base of most error tests.
  static OnnxModel small_conv() {
    OnnxModel o;
    o.input("x", {1, 1, 4, 4});
    o.init("w", {2, 1, 3, 3}, std::vector<float>(18, 0.5f));
    o.init("b", {2}, {1.0f, -1.0f});
    auto* c = o.node("Conv", {"x", "w", "b"}, "c", "conv");
    attr_ints(c, "kernel_shape", {3, 3});
    attr_ints(c, "pads", {1, 1, 1, 1});
    o.node("Relu", {"c"}, "y", "relu");
    o.output("y");
    return o;
  }

  onnx::ModelProto m;
};

}  // namespace pg::nn::testing
