// Shared by the end-to-end tests: the bundled models merged as `pangolin serve` merges them, the
// Fashion-MNIST test images, and a server model with the real or the ideal HE backend.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include "dataset.h"
#include "model_cli.h"
#include "protocol/ideal_he.h"
#include "protocol/server_model.h"

namespace pg::protocol::testing {

inline std::string model_path(const std::string& name) {
  return std::string(PG_SOURCE_DIR) + "/models/" + name + ".onnx";
}

// The merged plan with weights, as `pangolin serve` makes it (cached per model).
inline const nn::Plan& merged_plan(const std::string& name) {
  static std::mutex mu;
  static std::map<std::string, nn::Plan> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  auto m = app::load_and_merge(model_path(name), app::MergeSettings{});
  if (!m.ok()) throw std::runtime_error(m.error().to_string());
  return cache.emplace(name, std::move(m.value().merged.plan)).first->second;
}

enum class Backend { kReal, kIdeal };

inline std::shared_ptr<const ServerModel> server_model(const std::string& name, Backend b) {
  ModelOptions o;
  if (b == Backend::kIdeal) o.he_factory = ideal_server_factory();
  auto m = ServerModel::from_plan(merged_plan(name), o);
  if (!m.ok()) throw std::runtime_error(m.error().to_string());
  return m.value();
}

inline HeClientFactory client_factory(Backend b) {
  return b == Backend::kIdeal ? ideal_client_factory() : HeClientFactory{};
}

inline const app::Dataset& test_images(size_t n) {
  static std::mutex mu;
  static app::Dataset ds;
  std::lock_guard<std::mutex> lock(mu);
  if (ds.images.size() < n) {
    auto r = app::load_fashion_mnist("t10k", n);
    if (!r.ok()) throw std::runtime_error(r.error().to_string());
    ds = std::move(r).value();
  }
  return ds;
}

}  // namespace pg::protocol::testing
