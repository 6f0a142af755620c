// The bundled models (models/*.onnx) and their reference logits, for the nn tests.
#pragma once

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "nn/graph.h"
#include "nn/onnx_import.h"

namespace pg::nn::testing {

inline std::string model_path(const std::string& name) {
  return std::string(PG_SOURCE_DIR) + "/models/" + name + ".onnx";
}

// One row of logits per line.
inline std::vector<std::vector<double>> read_logits(const std::string& name) {
  std::ifstream f(std::string(PG_SOURCE_DIR) + "/models/" + name + ".logits.txt");
  std::vector<std::vector<double>> rows;
  for (std::string line; std::getline(f, line);) {
    std::istringstream is(line);
    std::vector<double> row;
    for (double v; is >> v;) row.push_back(v);
    if (!row.empty()) rows.push_back(row);
  }
  return rows;
}

// The deterministic input of tools/export_bench.py: x[i] = (i·7919 mod 10007) / 10007, rounded
// to float as PyTorch holds it.
inline std::vector<double> synthetic_input(size_t count) {
  std::vector<double> x(count);
  for (size_t i = 0; i < count; ++i) x[i] = double(float(double(i * 7919 % 10007) / 10007.0));
  return x;
}

inline Graph load_model(const std::string& name) {
  auto g = import_onnx_file(model_path(name));
  if (!g.ok()) throw std::runtime_error(g.error().to_string());
  return std::move(g).value();
}

}  // namespace pg::nn::testing
