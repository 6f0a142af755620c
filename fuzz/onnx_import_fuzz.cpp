// Fuzzes the ONNX importer (protobuf parsing, tensors, attributes, constant subgraphs, shape
// inference) on arbitrary bytes, and then, for every graph small enough to merge quickly, the
// rest of the merge stage on it: the passes, lowering, quantisation, calibration, the merge
// report and the fixed-point plan. Seeds: small models with the ops PyTorch exports, models with
// empty optional inputs, and models whose merge takes every path (fusion, residuals, folding).
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "nn/fixed_point.h"
#include "nn/merge.h"
#include "nn/merge_report.h"
#include "nn/onnx_builder.h"
#include "nn/onnx_import.h"
#include "nn/plan_io.h"

namespace {

using namespace pg::nn;

// Bounds that keep one merge cheap (the importer alone allows 2^28-element tensors): every value,
// the node count and the constants. A fused block is then at most 2^20 weights.
constexpr int64_t kMaxFuzzValue = 1024;
constexpr size_t kMaxFuzzNodes = 48;
constexpr size_t kMaxFuzzConstants = size_t{1} << 15;

bool small_enough(const Graph& g) {
  if (g.nodes.size() > kMaxFuzzNodes) return false;
  for (const auto& [name, shape] : g.shapes) {
    if (element_count(shape) > kMaxFuzzValue) return false;
  }
  size_t constants = 0;
  for (const auto& [name, t] : g.constants) constants += t.data.size();
  return constants <= kMaxFuzzConstants;
}

// merge() returns an error for what the plan cannot express; it must never crash or throw.
void merge_and_run(const Graph& g) {
  if (!small_enough(g)) return;
  const size_t n = size_t(element_count(g.input_shape));
  MergeOptions o;
  o.f = 8;
  o.f_w = 8;
  o.calibration = {std::vector<double>(n, 0.5), std::vector<double>(n)};
  for (size_t i = 0; i < n; ++i) o.calibration[1][i] = double(int(i % 7) - 3) / 3.0;
  auto m = merge(g, o);
  if (!m.ok()) return;
  const Plan& p = m.value().plan;
  (void)architecture_hash(p.architecture());
  (void)run_plan(p, encode_input(p, o.calibration[1]));
  try {
    // The report's cost model refuses (std::invalid_argument) a block that fits no ring.
    (void)make_report(g, m.value(), o.margin_bits, [](size_t, uint64_t) { return size_t{8192}; });
  } catch (const std::invalid_argument&) {
  }
}

using pg::nn::testing::OnnxModel;

// small_conv (x 1x1x4x4 → Conv → Relu → y) plus one node whose required input is empty.
std::vector<uint8_t> with_empty_input(const char* op, const std::vector<std::string>& inputs) {
  OnnxModel o = OnnxModel::small_conv();
  o.init_ints("d", {1, 2, 3, 4});
  o.init_ints("e", {2});
  o.node(op, inputs, "z", "n");
  return o.bytes();
}

// x 1x2x6x6 → Conv 3x3 (pad 1) → BatchNorm → Relu → AveragePool 3x3 (pad 1) → Conv 1x1 →
// Sub (residual) → Relu → Add constant → Conv 3x3 → Flatten → Gemm 16 → Gemm 4.
std::vector<uint8_t> merge_paths() {
  OnnxModel o;
  o.input("x", {1, 2, 6, 6});
  o.init("w1", {2, 2, 3, 3}, std::vector<float>(36, 0.125f));
  o.init("b1", {2}, {0.5f, 0.0f});
  auto* c1 = o.node("Conv", {"x", "w1", "b1"}, "c1");
  OnnxModel::attr_ints(c1, "kernel_shape", {3, 3});
  OnnxModel::attr_ints(c1, "pads", {1, 1, 1, 1});
  o.init("g", {2}, {1.0f, 2.0f});
  o.init("be", {2}, {0.1f, 0.0f});
  o.init("mu", {2}, {0.0f, 0.5f});
  o.init("va", {2}, {1.0f, 4.0f});
  o.node("BatchNormalization", {"c1", "g", "be", "mu", "va"}, "bn");
  o.node("Relu", {"bn"}, "r1");
  auto* p = o.node("AveragePool", {"r1"}, "p");
  OnnxModel::attr_ints(p, "kernel_shape", {3, 3});
  OnnxModel::attr_ints(p, "pads", {1, 1, 1, 1});
  OnnxModel::attr_int(p, "count_include_pad", 1);
  o.init("w2", {2, 2, 1, 1}, {1.0f, -1.0f, 0.5f, 0.0f});
  auto* c2 = o.node("Conv", {"p", "w2"}, "c2");
  OnnxModel::attr_ints(c2, "kernel_shape", {1, 1});
  o.node("Sub", {"c2", "r1"}, "res");
  o.node("Relu", {"res"}, "r2");
  o.init("k", {2, 1, 1}, {0.0f, 0.25f});
  o.node("Add", {"r2", "k"}, "shifted");
  o.init("w3", {2, 2, 3, 3}, std::vector<float>(36, -0.0625f));
  auto* c3 = o.node("Conv", {"shifted", "w3"}, "c3");
  OnnxModel::attr_ints(c3, "kernel_shape", {3, 3});
  OnnxModel::attr_ints(c3, "pads", {1, 1, 1, 1});
  o.node("Flatten", {"c3"}, "f");
  o.init("W4", {16, 72}, std::vector<float>(16 * 72, 0.01f));
  auto* g1 = o.node("Gemm", {"f", "W4"}, "h");
  OnnxModel::attr_int(g1, "transB", 1);
  o.init("W5", {4, 16}, std::vector<float>(64, -0.5f));
  auto* g2 = o.node("Gemm", {"h", "W5"}, "y");
  OnnxModel::attr_int(g2, "transB", 1);
  o.output("y");
  return o.bytes();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto g = pg::nn::import_onnx({data, size});
  if (g.ok()) merge_and_run(g.value());
  return 0;
}

extern "C" void pg_fuzz_seed_inputs(std::vector<std::vector<uint8_t>>* out) {
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
  auto* zeros = o.node("ConstantOfShape", {"two"}, "zeros");
  auto* value = zeros->add_attribute();  // int64 zeros, to concatenate with the int64 pairs
  value->set_name("value");
  value->set_type(onnx::AttributeProto::TENSOR);
  value->mutable_t()->set_data_type(onnx::TensorProto::INT64);
  value->mutable_t()->add_dims(1);
  value->mutable_t()->add_int64_data(0);
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
  o.init("W", {3, 6}, std::vector<float>(18, 0.25f));
  auto* gemm = o.node("Gemm", {"f", "W"}, "z");
  OnnxModel::attr_int(gemm, "transB", 1);
  o.output("z");
  out->push_back(o.bytes());
  // Empty names for inputs the op needs, in constant subgraphs and on computed values.
  out->push_back(with_empty_input("Slice", {"d", "", "e"}));
  out->push_back(with_empty_input("Slice", {"y", "", "e"}));
  out->push_back(with_empty_input("Slice", {"d", "e", "e", "", ""}));
  out->push_back(with_empty_input("Gather", {"d", ""}));
  out->push_back(with_empty_input("Reshape", {"y", ""}));
  out->push_back(with_empty_input("Concat", {"d", "", "e"}));
  out->push_back(with_empty_input("Add", {"", "y"}));
  out->push_back(with_empty_input("Pad", {"y", "", ""}));
  out->push_back(with_empty_input("BatchNormalization", {"y", "", "e", "e", "e"}));
  out->push_back(merge_paths());
}
