#include "nn/graph.h"

#include <cstdint>
#include <set>
#include <sstream>
#include <stdexcept>

namespace pg::nn {

int64_t element_count(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) {
    if (d <= 0) return 0;
    if (n > INT64_MAX / d) return INT64_MAX;  // saturates: hostile shapes must not overflow
    n *= d;
  }
  return n;
}

std::string to_string(const Shape& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) out += (i ? "x" : "") + std::to_string(s[i]);
  return out.empty() ? "scalar" : out;
}

const char* op_name(OpKind op) {
  switch (op) {
    case OpKind::kConv:
      return "Conv";
    case OpKind::kGemm:
      return "Gemm";
    case OpKind::kBatchNorm:
      return "BatchNormalization";
    case OpKind::kRelu:
      return "Relu";
    case OpKind::kMaxPool:
      return "MaxPool";
    case OpKind::kAveragePool:
      return "AveragePool";
    case OpKind::kGlobalAveragePool:
      return "GlobalAveragePool";
    case OpKind::kFlatten:
      return "Flatten";
    case OpKind::kReshape:
      return "Reshape";
    case OpKind::kAdd:
      return "Add";
    case OpKind::kSub:
      return "Sub";
    case OpKind::kMul:
      return "Mul";
    case OpKind::kDiv:
      return "Div";
    case OpKind::kPad:
      return "Pad";
    case OpKind::kIdentity:
      return "Identity";
    case OpKind::kDropout:
      return "Dropout";
    case OpKind::kSoftmax:
      return "Softmax";
    case OpKind::kConcat:
      return "Concat";
    case OpKind::kSlice:
      return "Slice";
    case OpKind::kTruncate:
      return "Truncate";
  }
  return "?";
}

const Tensor& Graph::constant(const std::string& name) const {
  auto it = constants.find(name);
  if (it == constants.end()) throw std::invalid_argument("graph: '" + name + "' is not a constant");
  return it->second;
}

const Shape& Graph::shape_of(const std::string& name) const {
  auto c = constants.find(name);
  if (c != constants.end()) return c->second.shape;
  auto it = shapes.find(name);
  if (it == shapes.end()) throw std::invalid_argument("graph: no shape for '" + name + "'");
  return it->second;
}

std::vector<size_t> Graph::consumers(const std::string& value) const {
  std::vector<size_t> out;
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const auto& in : nodes[i].inputs) {
      if (in == value) {
        out.push_back(i);
        break;
      }
    }
  }
  return out;
}

int Graph::producer(const std::string& value) const {
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].output == value) return static_cast<int>(i);
  }
  return -1;
}

std::string Graph::fresh_name(const std::string& base) const {
  std::set<std::string> used;
  used.insert(input);
  for (const auto& n : nodes) used.insert(n.output);
  for (const auto& [name, t] : constants) used.insert(name);
  if (!used.count(base)) return base;
  for (int i = 1;; ++i) {
    const std::string name = base + "_" + std::to_string(i);
    if (!used.count(name)) return name;
  }
}

void remove_dead_nodes(Graph& g) {
  std::set<std::string> live = {g.output};
  std::vector<bool> keep(g.nodes.size(), false);
  for (size_t i = g.nodes.size(); i-- > 0;) {
    if (!live.count(g.nodes[i].output)) continue;
    keep[i] = true;
    for (const auto& in : g.nodes[i].inputs) live.insert(in);
  }
  std::vector<Node> nodes;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (keep[i]) {
      nodes.push_back(std::move(g.nodes[i]));
    } else {
      g.shapes.erase(g.nodes[i].output);
    }
  }
  g.nodes = std::move(nodes);
  for (auto it = g.constants.begin(); it != g.constants.end();) {
    it = live.count(it->first) ? std::next(it) : g.constants.erase(it);
  }
}

namespace {

std::string attributes(const Node& n) {
  std::ostringstream os;
  auto pair = [](const std::array<int, 2>& a) {
    return std::to_string(a[0]) + "x" + std::to_string(a[1]);
  };
  auto pads = [](const std::array<int, 4>& p) {
    return std::to_string(p[0]) + "," + std::to_string(p[1]) + "," + std::to_string(p[2]) + "," +
           std::to_string(p[3]);
  };
  switch (n.op) {
    case OpKind::kConv:
    case OpKind::kMaxPool:
    case OpKind::kAveragePool:
      os << " kernel " << pair(n.kernel) << " stride " << pair(n.strides) << " pads "
         << pads(n.pads);
      if (n.groups != 1) os << " groups " << n.groups;
      break;
    case OpKind::kConcat:
      os << " axis " << n.axis;
      break;
    default:
      break;
  }
  return os.str();
}

}  // namespace

std::string describe(const Graph& g) {
  std::ostringstream os;
  os << "input " << g.input << " [" << to_string(g.input_shape) << "]\n";
  for (const auto& n : g.nodes) {
    os << "  " << op_name(n.op) << " " << n.name << ":";
    for (const auto& in : n.inputs) {
      if (!g.is_constant(in)) os << " " << in;
    }
    auto it = g.shapes.find(n.output);
    os << " -> " << n.output << " [" << (it == g.shapes.end() ? "?" : to_string(it->second)) << "]"
       << attributes(n) << "\n";
  }
  os << "output " << g.output << "\n";
  return os.str();
}

}  // namespace pg::nn
