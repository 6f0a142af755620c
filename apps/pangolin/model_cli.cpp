#include "model_cli.h"

#include <algorithm>
#include <bit>
#include <stdexcept>

#include "dataset.h"
#include "nn/onnx_import.h"
#include "protocol/linear/linear_params.h"

namespace pg::app {

bool read_merge_settings(Args& args, MergeSettings& s) {
  const auto f = args.get_int("f", 0, 30);
  const auto f_w = args.get_int("f-w", 0, 30);
  const auto margin = args.get_int("margin", 0, 16);
  const auto ell = args.get_int("ell", 0, 64);
  const auto weight_bits = args.get_int("weight-bits", 0, 40);
  const auto calibration = args.get_int("calibration", 1, 60000);
  if (!args.ok()) return false;
  if (f) s.f = int(*f);
  if (f_w) s.f_w = int(*f_w);
  if (margin) s.margin_bits = int(*margin);
  if (ell) s.ell = int(*ell);
  if (weight_bits) s.weight_bits = int(*weight_bits);
  if (calibration) s.calibration = size_t(*calibration);
  return true;
}

std::set<std::string> with_merge_flags(std::set<std::string> own) {
  own.insert({"f", "f-w", "margin", "ell", "weight-bits", "calibration"});
  return own;
}

std::vector<std::vector<double>> calibration_inputs(const nn::Graph& g, size_t count,
                                                    std::string* source) {
  if (g.input_shape == nn::Shape{1, 1, 28, 28}) {
    auto ds = load_fashion_mnist("train", count);
    if (ds.ok() && !ds.value().images.empty()) {
      std::vector<std::vector<double>> out;
      for (auto& img : ds.value().images) out.push_back(std::move(img.pixels));
      *source = std::to_string(out.size()) + " Fashion-MNIST training images";
      return out;
    }
  }
  // Not secret and not protocol randomness: a fixed formula keeps the merge reproducible.
  const size_t n = size_t(nn::element_count(g.input_shape));
  count = std::min<size_t>(count, 8);
  std::vector<std::vector<double>> out(count, std::vector<double>(n));
  for (size_t k = 0; k < count; ++k) {
    for (size_t i = 0; i < n; ++i) out[k][i] = double((i * 7919 + k * 104729) % 10007) / 10007.0;
  }
  *source = std::to_string(count) + " synthetic inputs in [0, 1)";
  return out;
}

core::Result<MergedModel> load_and_merge(const std::string& path, const MergeSettings& s) {
  MergedModel m;
  PG_TRY_ASSIGN(m.graph, nn::import_onnx_file(path));
  nn::MergeOptions o;
  o.f = s.f;
  o.f_w = s.f_w;
  o.margin_bits = s.margin_bits;
  o.ell = s.ell;
  o.weight_bits = s.weight_bits;
  o.calibration = calibration_inputs(m.graph, s.calibration, &m.calibration_source);
  PG_TRY_ASSIGN(m.merged, nn::merge(m.graph, o));
  return m;
}

nn::RingDegreeFn protocol_ring_degree(int ell) {
  // The smallest N at which the coefficient packing has a secure, exact parameter set (the
  // parameter derivation of protocol/linear, at σ = 40).
  return [ell](size_t taps, uint64_t max_abs_weight) -> size_t {
    protocol::TermShape s;
    s.ell = ell;
    s.taps = taps;
    s.weight_bits = std::max(1, int(std::bit_width(max_abs_weight)));
    for (size_t n : {size_t{4096}, size_t{8192}, size_t{16384}, size_t{32768}}) {
      if (protocol::coeff_params(protocol::HeScheme::kPow2, s, n)) return n;
    }
    return 0;
  };
}

std::string counts_json(const nn::NetworkCounts& c) {
  auto num = [](uint64_t v) { return std::to_string(v); };
  return "{\"linear_layers\": " + num(c.linear_layers) +
         ", \"levels\": " + num(uint64_t(c.levels)) + ", \"relus\": " + num(c.relus) +
         ", \"truncations\": " + num(c.truncations) + ", \"macs\": " + num(c.macs) +
         ", \"ct_pt_mults\": " + num(c.coeff.ct_pt_mults) +
         ", \"additions\": " + num(c.coeff.additions) +
         ", \"rotations\": " + num(c.coeff.rotations) +
         ", \"slot\": {\"ct_pt_mults\": " + num(c.slot.ct_pt_mults) +
         ", \"additions\": " + num(c.slot.additions) + ", \"rotations\": " + num(c.slot.rotations) +
         "}}";
}

size_t argmax(const std::vector<double>& v) {
  return size_t(std::max_element(v.begin(), v.end()) - v.begin());
}

}  // namespace pg::app
