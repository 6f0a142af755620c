// The ONNX importer: the ops and constant subgraphs PyTorch emits, and a clear error for every
// unsupported or malformed input. (models_test.cpp imports the real exported models.)
#include "nn/onnx_import.h"

#include <gtest/gtest.h>

#include <cmath>

#include "nn/reference.h"
#include "onnx_builder.h"

namespace pg::nn {
namespace {

using testing::OnnxModel;

std::string import_error(const OnnxModel& m) {
  auto g = import_onnx(m.bytes());
  return g.ok() ? "(imported)" : g.error().message;
}

TEST(OnnxImport, SmallConvImportsAndEvaluates) {
  auto g = import_onnx(OnnxModel::small_conv().bytes());
  ASSERT_TRUE(g.ok()) << g.error().to_string();
  ASSERT_EQ(g.value().nodes.size(), 2u);
  EXPECT_EQ(g.value().nodes[0].op, OpKind::kConv);
  EXPECT_EQ(g.value().shapes.at("y"), (Shape{1, 2, 4, 4}));
  // All-ones input: the centre sees 9 taps of 0.5, a corner 4.
  const auto y = evaluate(g.value(), std::vector<double>(16, 1.0));
  EXPECT_EQ(y[0], 3.0);       // 4·0.5 + 1
  EXPECT_EQ(y[5], 5.5);       // 9·0.5 + 1
  EXPECT_EQ(y[16 + 5], 3.5);  // 9·0.5 − 1
}

TEST(OnnxImport, ConstantSubgraphsAndMatMulAdd) {
  // x.view(x.size(0), -1) @ B + 10, with the shape computed by Shape/Gather/Unsqueeze/Concat.
  OnnxModel o;
  o.input("x", {1, 1, 2, 2});
  o.node("Shape", {"x"}, "s");
  o.init_ints("zero", {0});
  auto* gather = o.node("Gather", {"s", "zero"}, "n");
  OnnxModel::attr_int(gather, "axis", 0);
  o.init_ints("minus1", {-1});
  auto* cat = o.node("Concat", {"n", "minus1"}, "shape");
  OnnxModel::attr_int(cat, "axis", 0);
  o.node("Reshape", {"x", "shape"}, "flat");
  o.init("B", {4, 1}, {1, 2, 3, 4});
  o.node("MatMul", {"flat", "B"}, "mm");
  auto* ten = o.node("Constant", {}, "ten");
  auto* value = ten->add_attribute();
  value->set_name("value");
  value->set_type(onnx::AttributeProto::TENSOR);
  value->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
  value->mutable_t()->add_float_data(10.0f);
  o.node("Add", {"mm", "ten"}, "y");
  o.output("y");
  auto g = import_onnx(o.bytes());
  ASSERT_TRUE(g.ok()) << g.error().to_string();
  EXPECT_EQ(g.value().nodes.size(), 3u);  // Reshape, Gemm, Add
  EXPECT_EQ(evaluate(g.value(), std::vector<double>{1, 2, 3, 4}), (std::vector<double>{40}));
}

TEST(OnnxImport, GemmAttributesAreFolded) {
  OnnxModel o;
  o.input("x", {1, 2});
  o.init("B", {2, 3}, {1, 2, 3, 4, 5, 6});  // transB = 0: [K=2][N=3]
  o.init("C", {3}, {1, 1, 1});
  auto* n = o.node("Gemm", {"x", "B", "C"}, "y");
  OnnxModel::attr_float(n, "alpha", 2.0f);
  OnnxModel::attr_float(n, "beta", 0.5f);
  o.output("y");
  auto g = import_onnx(o.bytes());
  ASSERT_TRUE(g.ok()) << g.error().to_string();
  // 2·(x·B) + 0.5 with x = (1, −1): 2·(−3, −3, −3) + 0.5.
  EXPECT_EQ(evaluate(g.value(), std::vector<double>{1, -1}),
            (std::vector<double>{-5.5, -5.5, -5.5}));
}

TEST(OnnxImport, CeilModeMaxPoolAndShortcutAPads) {
  OnnxModel o;
  o.input("x", {1, 1, 4, 4});
  auto* p = o.node("MaxPool", {"x"}, "p");
  OnnxModel::attr_ints(p, "kernel_shape", {3, 3});
  OnnxModel::attr_ints(p, "strides", {2, 2});
  OnnxModel::attr_int(p, "ceil_mode", 1);
  o.init_ints("starts", {0});
  o.init_ints("ends", {INT64_MAX});
  o.init_ints("axes", {3});
  o.init_ints("steps", {2});
  o.node("Slice", {"p", "starts", "ends", "axes", "steps"}, "s");
  // pads (0, 1, 0, 0, 0, 2, 0, 0) built as PyTorch does: reversed pairs, transposed, flattened.
  o.init_ints("pairs", {0, 0, 0, 0, 1, 2, 0, 0});  // (w, h, c, n) begin/end pairs, reversed order
  o.init_ints("shape42", {4, 2});
  o.node("Reshape", {"pairs", "shape42"}, "m");
  o.init_ints("rs", {-1});
  o.init_ints("re", {INT64_MIN + 1});
  o.init_ints("ra", {0});
  o.init_ints("rst", {-1});
  o.node("Slice", {"m", "rs", "re", "ra", "rst"}, "rev");
  auto* t = o.node("Transpose", {"rev"}, "tr");
  OnnxModel::attr_ints(t, "perm", {1, 0});
  o.node("Reshape", {"tr", "rs"}, "pads");
  o.node("Pad", {"s", "pads"}, "y");
  o.output("y");
  auto g = import_onnx(o.bytes());
  ASSERT_TRUE(g.ok()) << g.error().to_string();
  EXPECT_EQ(g.value().nodes[0].pads, (std::array<int, 4>{0, 0, 1, 1}));  // ceil mode → end pads
  EXPECT_EQ(g.value().shapes.at("p"), (Shape{1, 1, 2, 2}));
  EXPECT_EQ(g.value().shapes.at("y"), (Shape{1, 4, 2, 1}));
  std::vector<double> x(16);
  for (size_t i = 0; i < 16; ++i) x[i] = double(i);
  // Max-pool windows end at rows/cols 2 and 3: 10, 11, 14, 15; column 0 kept: 10, 14.
  EXPECT_EQ(evaluate(g.value(), x), (std::vector<double>{0, 0, 10, 14, 0, 0, 0, 0}));
}

struct ErrorCase {
  const char* name;
  void (*mutate)(OnnxModel&);
  const char* message;
};

onnx::NodeProto* conv_node(OnnxModel& o) {
  return o.m.mutable_graph()->mutable_node(0);
}

const ErrorCase kErrors[] = {
    {"no opset", [](OnnxModel& o) { o.m.clear_opset_import(); },
     "the model declares no ONNX opset"},
    {"opset 10", [](OnnxModel& o) { o.m.mutable_opset_import(0)->set_version(10); },
     "opset 10 is not supported (only 11 to 17)"},
    {"opset 18", [](OnnxModel& o) { o.m.mutable_opset_import(0)->set_version(18); },
     "opset 18 is not supported (only 11 to 17)"},
    {"dynamic batch",
     [](OnnxModel& o) {
       auto* d = o.m.mutable_graph()
                     ->mutable_input(0)
                     ->mutable_type()
                     ->mutable_tensor_type()
                     ->mutable_shape()
                     ->mutable_dim(0);
       d->set_dim_param("batch");
     },
     "input 'x': dynamic shape (dimension 0 is 'batch'); export with a fixed input shape"},
    {"batch of 2",
     [](OnnxModel& o) {
       o.m.mutable_graph()
           ->mutable_input(0)
           ->mutable_type()
           ->mutable_tensor_type()
           ->mutable_shape()
           ->mutable_dim(0)
           ->set_dim_value(2);
     },
     "input 'x': shape 2x1x4x4 (only 1xCxHxW or 1xF)"},
    {"int input",
     [](OnnxModel& o) {
       o.m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(
           onnx::TensorProto::INT64);
     },
     "input 'x': only float tensors are supported"},
    {"two inputs",
     [](OnnxModel& o) {
       o.input("z", {1, 3});
     },
     "the model has several inputs"},
    {"two outputs", [](OnnxModel& o) { o.output("c"); }, "the model has 2 outputs (only 1)"},
    {"huge initializer",
     [](OnnxModel& o) {
       auto* t = o.m.mutable_graph()->mutable_initializer(0);
       t->clear_dims();
       t->add_dims(int64_t{1} << 20);
       t->add_dims(int64_t{1} << 20);
     },
     "initializer 'w': dims [1048576, 1048576] are negative or too large"},
    {"short raw data",
     [](OnnxModel& o) { o.m.mutable_graph()->mutable_initializer(1)->set_raw_data("abcd"); },
     "initializer 'b': 1 values for dims [2]"},
    {"external data",
     [](OnnxModel& o) {
       o.m.mutable_graph()->mutable_initializer(1)->set_data_location(onnx::TensorProto::EXTERNAL);
     },
     "initializer 'b': external data is not supported"},
    {"non-finite weight",
     [](OnnxModel& o) {
       float inf = 1.0f / 0.0f;
       std::string raw(8, '\0');
       std::memcpy(raw.data(), &inf, 4);
       o.m.mutable_graph()->mutable_initializer(1)->set_raw_data(raw);
     },
     "initializer 'b': a non-finite value"},
    {"unsupported op", [](OnnxModel& o) { conv_node(o)->set_op_type("LSTM"); },
     "node 'conv' (LSTM): unsupported op 'LSTM'"},
    {"custom domain", [](OnnxModel& o) { conv_node(o)->set_domain("com.example"); },
     "node 'conv' (Conv): unsupported op 'com.example::Conv'"},
    {"dilations",
     [](OnnxModel& o) {
       OnnxModel::attr_ints(conv_node(o), "dilations", {2, 2});
     },
     "node 'conv' (Conv): unsupported attribute 'dilations' = [2, 2] (only 1)"},
    {"auto_pad",
     [](OnnxModel& o) { OnnxModel::attr_string(conv_node(o), "auto_pad", "SAME_UPPER"); },
     "node 'conv' (Conv): unsupported attribute 'auto_pad' = 'SAME_UPPER' (only NOTSET and VALID)"},
    {"unknown attribute", [](OnnxModel& o) { OnnxModel::attr_int(conv_node(o), "foo", 3); },
     "node 'conv' (Conv): unsupported attribute 'foo' = 3"},
    {"1-D conv",
     [](OnnxModel& o) {
       auto* t = o.m.mutable_graph()->mutable_initializer(0);
       t->clear_dims();
       t->add_dims(2);
       t->add_dims(9);
     },
     "node 'conv' (Conv): only 2-D convolutions (weights 2x9)"},
    {"computed weights", [](OnnxModel& o) { conv_node(o)->set_input(1, "x"); },
     "node 'conv' (Conv): the weight must be a constant"},
    {"undefined input",
     [](OnnxModel& o) { o.m.mutable_graph()->mutable_node(1)->set_input(0, "nope"); },
     "node 'relu' (Relu): input 'nope' is not defined before use"},
    {"defined twice",
     [](OnnxModel& o) { o.m.mutable_graph()->mutable_node(1)->set_output(0, "c"); },
     "node 'relu' (Relu): output 'c' is defined twice"},
    {"output undefined",
     [](OnnxModel& o) { o.m.mutable_graph()->mutable_output(0)->set_name("q"); },
     "the output 'q' is not computed"},
    {"bad group", [](OnnxModel& o) { OnnxModel::attr_int(conv_node(o), "group", 2); },
     "node 'conv' (Conv): weights 2x1x3x3 do not fit 1 input channels in 2 groups"},
};

class OnnxErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(OnnxErrors, NameTheProblem) {
  OnnxModel o = OnnxModel::small_conv();
  GetParam().mutate(o);
  EXPECT_EQ(import_error(o), GetParam().message) << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(Cases, OnnxErrors, ::testing::ValuesIn(kErrors));

TEST(OnnxImport, UnsupportedAttributesOfOtherOps) {
  auto after_relu = [](const std::string& op, void (*attrs)(onnx::NodeProto*)) {
    OnnxModel o = OnnxModel::small_conv();
    o.m.mutable_graph()->clear_output();
    attrs(o.node(op, {"y"}, "z", "n"));
    o.output("z");
    return import_error(o);
  };
  EXPECT_EQ(after_relu("AveragePool",
                       [](onnx::NodeProto* n) {
                         OnnxModel::attr_ints(n, "kernel_shape", {2, 2});
                         OnnxModel::attr_ints(n, "pads", {1, 1, 1, 1});
                       }),
            "node 'n' (AveragePool): unsupported attribute 'count_include_pad' (its default; a "
            "padded average that excludes the padding)");
  EXPECT_EQ(after_relu("MaxPool",
                       [](onnx::NodeProto* n) {
                         OnnxModel::attr_ints(n, "kernel_shape", {2, 2});
                         OnnxModel::attr_int(n, "storage_order", 1);
                       }),
            "node 'n' (MaxPool): unsupported attribute 'storage_order' = 1 (only 0)");
  EXPECT_EQ(after_relu("Gemm", [](onnx::NodeProto* n) { OnnxModel::attr_int(n, "transA", 1); }),
            "node 'n' (Gemm): unsupported attribute 'transA' = 1 (only 0)");
  EXPECT_EQ(after_relu("BatchNormalization",
                       [](onnx::NodeProto* n) { OnnxModel::attr_int(n, "training_mode", 1); }),
            "node 'n' (BatchNormalization): unsupported attribute 'training_mode' = 1 (only "
            "inference)");
  EXPECT_EQ(after_relu("Softmax", [](onnx::NodeProto* n) { OnnxModel::attr_int(n, "axis", 1); }),
            "node 'n' (Softmax): unsupported attribute 'axis' = 1 (only the last axis)");
  EXPECT_EQ(after_relu("Transpose", [](onnx::NodeProto*) {}),
            "node 'n' (Transpose): unsupported op 'Transpose'");
}

TEST(OnnxImport, PadAndSliceLimits) {
  OnnxModel o = OnnxModel::small_conv();
  o.m.mutable_graph()->clear_output();
  o.init_ints("pads", {0, 0, 1, 1, 0, 0, 1, 1});
  OnnxModel::attr_string(o.node("Pad", {"y", "pads"}, "z", "pad"), "mode", "reflect");
  o.output("z");
  EXPECT_EQ(import_error(o),
            "node 'pad' (Pad): unsupported attribute 'mode' = 'reflect' (only "
            "constant (zero) padding)");
  OnnxModel s = OnnxModel::small_conv();
  s.m.mutable_graph()->clear_output();
  s.init_ints("one", {1});
  s.init_ints("end", {4});
  s.init_ints("axis", {2});
  s.node("Slice", {"y", "one", "end", "axis"}, "z", "slice");
  s.output("z");
  EXPECT_EQ(import_error(s),
            "node 'slice' (Slice): only strided subsampling from the start to "
            "the end of an axis is supported");
  OnnxModel k = OnnxModel::small_conv();
  k.init_ints("big", {1000000, 1000000});
  k.node("ConstantOfShape", {"big"}, "huge", "k");
  EXPECT_EQ(import_error(k), "node 'k' (ConstantOfShape): shape 1000000x1000000 is too large");
}

// An empty name stands for an absent optional input. Where the op needs the input, the import
// ends in an error naming the node and the op (the review's slice_empty_starts.onnx crashed with
// a null dereference in the constant-folded Slice).
struct EmptyInputCase {
  const char* op;
  std::vector<std::string> inputs;  // "d", "e": int constants; "y": small_conv's output
  const char* message;
};

TEST(OnnxImport, EmptyRequiredInputsAreErrorsNamingTheNode) {
  const EmptyInputCase cases[] = {
      {"Slice",
       {"d", "", "e"},
       "node 'n' (Slice): needs starts and ends (inputs 1 and 2 must not be empty)"},
      {"Slice",
       {"d", "e", ""},
       "node 'n' (Slice): needs starts and ends (inputs 1 and 2 must not be empty)"},
      {"Slice",
       {"d", "", ""},
       "node 'n' (Slice): needs starts and ends (inputs 1 and 2 must not be empty)"},
      {"Slice",
       {"d"},
       "node 'n' (Slice): needs starts and ends (inputs 1 and 2 must not be empty)"},
      {"Slice", {"y", "", "e"}, "node 'n' (Slice): starts must be a constant"},
      {"Slice", {"y", "d", "e", "y"}, "node 'n' (Slice): axes must be a constant"},
      {"Gather", {"d", ""}, "node 'n' (Gather): needs indices"},
      {"Reshape", {"d", ""}, "node 'n' (Reshape): needs a shape"},
      {"Reshape", {"y", ""}, "node 'n' (Reshape): the shape must be a constant"},
      {"Concat", {"d", ""}, "node 'n' (Concat): empty input"},
      {"Add", {"d", ""}, "node 'n' (Add): expects two inputs"},
      {"Add", {"", "d"}, "node 'n' (Add): missing input"},
      {"Add", {"y", ""}, "node 'n' (Add): expects two (non-empty) inputs"},
      {"Add", {"", "y"}, "node 'n' (Add): expects two (non-empty) inputs"},
      {"Pad", {"y", ""}, "node 'n' (Pad): the pads must be a constant"},
      {"Pad", {"y", "d", "y"}, "node 'n' (Pad): constant_value must be a constant"},
      {"Conv", {"y", ""}, "node 'n' (Conv): the weight must be a constant"},
      {"Gemm", {"y", ""}, "node 'n' (Gemm): input B must be a constant"},
      {"MatMul", {"y", ""}, "node 'n' (MatMul): input B must be a constant"},
      {"BatchNormalization",
       {"y", "", "e", "e", "e"},
       "node 'n' (BatchNormalization): a batch-norm parameter must be a constant"},
      {"Relu", {""}, "node 'n' (Relu): its first input is not a computed value"},
  };
  for (const auto& c : cases) {
    OnnxModel o = OnnxModel::small_conv();
    o.init_ints("d", {1, 2, 3, 4});
    o.init_ints("e", {2});
    o.node(c.op, c.inputs, "z", "n");
    EXPECT_EQ(import_error(o), c.message) << c.op << " with " << c.inputs.size() << " inputs";
  }
}

// Operands that ONNX types as integers but a model gives as floats: only whole numbers in the
// int64 range are accepted (a huge float used to reach an undefined float-to-int conversion).
TEST(OnnxImport, FloatIntegerOperandsAreRangeChecked) {
  auto with_float = [](const std::string& op, std::vector<std::string> inputs, float v) {
    OnnxModel o = OnnxModel::small_conv();
    o.m.mutable_graph()->clear_output();
    o.init("k", {2}, {1.0f, v});
    o.init_ints("d", {1, 2, 3, 4});
    o.node(op, inputs, "z", "n");
    o.output(op == "Reshape" && inputs[0] == "d" ? "y" : "z");
    return import_error(o);
  };
  const float huge = 1e30f;
  EXPECT_EQ(with_float("Reshape", {"y", "k"}, huge),
            "node 'n' (Reshape): the shape holds 1000000015047466219876688855040.000000, not an "
            "integer in the int64 range");
  // Initializers are finite, but constant arithmetic can make a NaN (0/0).
  OnnxModel n = OnnxModel::small_conv();
  n.init("zero", {1}, {0.0f});
  n.node("Div", {"zero", "zero"}, "nan", "div");
  n.init_ints("d", {1, 2, 3, 4});
  n.node("Reshape", {"d", "nan"}, "z", "n");
  const std::string nan_error = import_error(n);  // "nan" or "-nan", as printf spells it
  EXPECT_EQ(nan_error.find("node 'n' (Reshape): the shape holds "), 0u) << nan_error;
  EXPECT_NE(nan_error.find("nan, not an integer in the int64 range"), std::string::npos);
  EXPECT_EQ(with_float("Slice", {"d", "k", "k"}, 2.5f),
            "node 'n' (Slice): starts holds 2.500000, not an integer in the int64 range");
  EXPECT_EQ(with_float("Slice", {"y", "k", "k"}, -huge),
            "node 'n' (Slice): starts holds -1000000015047466219876688855040.000000, not an "
            "integer in the int64 range");
  EXPECT_EQ(with_float("Pad", {"y", "k"}, huge).find("node 'n' (Pad): the pads holds 1"), 0u);
  // A float shape of whole numbers is still read as before.
  OnnxModel ok = OnnxModel::small_conv();
  ok.m.mutable_graph()->clear_output();
  ok.init("k", {2}, {1.0f, 32.0f});
  ok.node("Reshape", {"y", "k"}, "z", "n");
  ok.output("z");
  EXPECT_EQ(import_error(ok), "(imported)");
}

// A rank-3 BatchNormalization cannot be folded per channel: refused at import, naming the rank
// (it used to fail later in the merge with a misleading broadcast error).
TEST(OnnxImport, BatchNormOnlyOverRank2Or4) {
  OnnxModel o = OnnxModel::small_conv();
  o.m.mutable_graph()->clear_output();
  o.init_ints("s3", {1, 2, 16});
  o.node("Reshape", {"y", "s3"}, "r3");
  o.init("g", {2}, {1, 2});
  o.init("be", {2}, {0.1f, 0.2f});
  o.init("mu", {2}, {0, 0});
  o.init("va", {2}, {1, 1});
  o.node("BatchNormalization", {"r3", "g", "be", "mu", "va"}, "z", "bn");
  o.output("z");
  EXPECT_EQ(import_error(o),
            "node 'bn' (BatchNormalization): a rank-3 input 1x2x16 is not supported (only 1xC "
            "and 1xCxHxW)");
}

// AveragePool against hand-computed values (PyTorch's AvgPool2d semantics, which ONNX follows:
// with count_include_pad the divisor is kh·kw for windows inside the explicitly padded input,
// and a ceil-mode window that hangs past it is divided by its clipped size). The IR divides by
// kh·kw always, so the importer must refuse the hanging case rather than import it wrongly.
OnnxModel avg_pool_model(int in, int k, int s, int pad, int ceil, int include) {
  OnnxModel o;
  o.input("x", {1, 1, in, in});
  auto* p = o.node("AveragePool", {"x"}, "y", "pool");
  OnnxModel::attr_ints(p, "kernel_shape", {k, k});
  OnnxModel::attr_ints(p, "strides", {s, s});
  if (pad > 0) OnnxModel::attr_ints(p, "pads", {pad, pad, pad, pad});
  OnnxModel::attr_int(p, "ceil_mode", ceil);
  OnnxModel::attr_int(p, "count_include_pad", include);
  o.output("y");
  return o;
}

TEST(OnnxImport, AveragePoolCeilModeMatchesPyTorchOrIsRefused) {
  // 6x6 ones, k 3, s 2, ceil: PyTorch gives a 3x3 of 1.0 (the last row and column of windows
  // cover 2 of 3 rows/columns and are divided by 6, or 4 in the corner). Refused, not 2/3, 4/9.
  for (int include : {0, 1}) {
    EXPECT_EQ(import_error(avg_pool_model(6, 3, 2, 0, 1, include)),
              "node 'pool' (AveragePool): unsupported attribute 'ceil_mode' = 1 (an average whose "
              "last window hangs past the padded input (its divisor would be the clipped window, "
              "not 3x3))");
  }
  // Also with explicit padding: 6x6, k 3, s 2, pad 1, ceil: 4 windows, the last hangs past.
  EXPECT_NE(import_error(avg_pool_model(6, 3, 2, 1, 1, 1)).find("'ceil_mode' = 1"),
            std::string::npos);
  // 7x7 ones, k 3, s 2, ceil: no partial window (3 outputs either way): all 1.0 as in PyTorch.
  auto g = import_onnx(avg_pool_model(7, 3, 2, 0, 1, 1).bytes());
  ASSERT_TRUE(g.ok()) << g.error().to_string();
  EXPECT_EQ(evaluate(g.value(), std::vector<double>(49, 1.0)), std::vector<double>(9, 1.0));
  // 5x5 ones, k 3, s 2, pad 1, ceil, count_include_pad: windows start at -1, 1, 3 and end inside
  // the padded input, so PyTorch divides each by 9: corners 4/9, edges 6/9, the centre 1.
  auto h = import_onnx(avg_pool_model(5, 3, 2, 1, 1, 1).bytes());
  ASSERT_TRUE(h.ok()) << h.error().to_string();
  const double c = 4.0 / 9, e = 6.0 / 9;
  const std::vector<double> want = {c, e, c, e, 1.0, e, c, e, c};
  const auto got = evaluate(h.value(), std::vector<double>(25, 1.0));
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12) << i;
}

TEST(OnnxImport, MalformedBytesAndFiles) {
  const std::vector<uint8_t> junk = {0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f};  // a length past the end
  auto g = import_onnx(junk);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().message, "not an ONNX model (the protobuf does not parse)");
  auto f = import_onnx_file("/nonexistent/model.onnx");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().message, "cannot open '/nonexistent/model.onnx'");
  // Every prefix of a valid model is an error or a model, never a crash.
  const auto bytes = OnnxModel::small_conv().bytes();
  for (size_t n = 0; n < bytes.size(); ++n) {
    (void)import_onnx(std::span<const uint8_t>(bytes.data(), n));
  }
}

}  // namespace
}  // namespace pg::nn
