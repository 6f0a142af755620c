// Helpers shared by the merge passes (internal to src/nn).
#pragma once

#include <string>
#include <vector>

#include "nn/graph.h"
#include "nn/passes.h"

namespace pg::nn::detail {

// `value` has exactly one reader and is not the graph output.
inline bool single_use(const Graph& g, const std::string& value) {
  return value != g.output && g.consumers(value).size() == 1;
}

// Every read of `from` (and the graph output) now reads `to`.
inline void replace_uses(Graph& g, const std::string& from, const std::string& to) {
  for (auto& n : g.nodes) {
    for (auto& in : n.inputs) {
      if (in == from) in = to;
    }
  }
  if (g.output == from) g.output = to;
}

// A new constant under a fresh name built from `base`.
inline std::string add_constant(Graph& g, const std::string& base, Shape shape,
                                std::vector<double> data) {
  const std::string name = g.fresh_name(base);
  g.constants[name] = Tensor{std::move(shape), std::move(data)};
  return name;
}

inline void note(PassLog* log, std::string line) {
  if (log != nullptr) log->push_back(std::move(line));
}

// The data (non-constant) input of a node with one constant operand, and the constant's index.
inline int data_input(const Graph& g, const Node& n) {
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    if (!g.is_constant(n.inputs[i])) return static_cast<int>(i);
  }
  return -1;
}

// Drops dead nodes and constants, then re-infers the shapes (which must succeed: a pass keeps
// the graph well formed).
inline core::Status finish_pass(Graph& g) {
  remove_dead_nodes(g);
  return infer_shapes(g);
}

}  // namespace pg::nn::detail
