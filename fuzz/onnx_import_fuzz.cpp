// Fuzzes the ONNX importer (protobuf parsing, tensors, attributes, constant subgraphs, shape
// inference) on arbitrary bytes. Seeds: small models with the ops PyTorch exports.
#include <cstdint>
#include <vector>

#include "nn/onnx_builder.h"
#include "nn/onnx_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)pg::nn::import_onnx({data, size});
  return 0;
}

extern "C" void pg_fuzz_seed_inputs(std::vector<std::vector<uint8_t>>* out) {
  using pg::nn::testing::OnnxModel;
  out->push_back(OnnxModel::small_conv().bytes());
  // conv → ceil-mode max-pool → strided Slice → channel Pad from a constant subgraph →
  // Flatten → Gemm.
  OnnxModel o = OnnxModel::small_conv();
  o.m.mutable_graph()->clear_output();
  auto* p = o.node("MaxPool", {"y"}, "p");
  OnnxModel::attr_ints(p, "kernel_shape", {3, 3});
  OnnxModel::attr_ints(p, "strides", {2, 2});
  OnnxModel::attr_int(p, "ceil_mode", 1);
  o.init_ints("starts", {0, 0});
  o.init_ints("ends", {INT64_MAX, INT64_MAX});
  o.init_ints("axes", {2, 3});
  o.init_ints("steps", {2, 2});
  o.node("Slice", {"p", "starts", "ends", "axes", "steps"}, "s");
  o.init_ints("two", {2});
  o.node("ConstantOfShape", {"two"}, "zeros");
  o.init_ints("pairs", {0, 0, 0, 0, 1, 1});
  auto* cat = o.node("Concat", {"pairs", "zeros"}, "cat");
  OnnxModel::attr_int(cat, "axis", 0);
  o.init_ints("shape", {-1, 2});
  o.node("Reshape", {"cat", "shape"}, "m");
  auto* t = o.node("Transpose", {"m"}, "tr");
  OnnxModel::attr_ints(t, "perm", {1, 0});
  o.init_ints("flat", {-1});
  o.node("Reshape", {"tr", "flat"}, "pads");
  o.node("Pad", {"s", "pads"}, "padded");
  o.node("Flatten", {"padded"}, "f");
  o.init("W", {3, 4}, std::vector<float>(12, 0.25f));
  auto* gemm = o.node("Gemm", {"f", "W"}, "z");
  OnnxModel::attr_int(gemm, "transB", 1);
  o.output("z");
  out->push_back(o.bytes());
}
