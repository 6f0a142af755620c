#include "nn/merge_report.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <optional>

#include "nn/conv_view.h"

namespace pg::nn {
namespace {

using kernels::ConvGeometry;

struct LayerShape {
  ConvGeometry geo;
  bool dense = false;
  const char* kind = "conv";
  double max_abs_weight = 0;  // real
};

double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::fabs(x));
  return m;
}

// A per-channel scaling (BatchNormalization, constant Mul/Div) as a 1x1 depthwise convolution.
LayerShape channel_scaling(const Graph& g, const Node& n) {
  const auto [c, h, w] = chw_of(g.shape_of(n.inputs[0]));
  LayerShape s;
  s.geo.in_c = s.geo.out_c = s.geo.groups = c;
  s.geo.in_h = h;
  s.geo.in_w = w;
  s.kind = "depthwise";
  if (n.op == OpKind::kBatchNorm) {
    const auto& gamma = g.constant(n.inputs[1]).data;
    const auto& var = g.constant(n.inputs[4]).data;
    for (size_t i = 0; i < gamma.size(); ++i) {
      s.max_abs_weight =
          std::max(s.max_abs_weight, std::fabs(gamma[i]) / std::sqrt(var[i] + n.epsilon));
    }
  } else {
    const bool left = g.is_constant(n.inputs[0]);
    const auto& k = g.constant(n.inputs[left ? 0 : 1]).data;
    for (double v : k)
      s.max_abs_weight =
          std::max(s.max_abs_weight, n.op == OpKind::kDiv ? 1 / std::fabs(v) : std::fabs(v));
  }
  return s;
}

// The shape of a linear layer of the unmerged graph, or nullopt for other ops.
std::optional<LayerShape> layer_shape(const Graph& g, const Node& n) {
  switch (n.op) {
    case OpKind::kConv:
    case OpKind::kGemm:
    case OpKind::kAveragePool:
    case OpKind::kGlobalAveragePool: {
      const ConvView v = *conv_view(g, n);
      LayerShape s;
      s.geo = v.geo;
      s.dense = n.op == OpKind::kGemm;
      if (s.dense) s.geo = kernels::dense_geometry(int(v.geo.in_size()), v.geo.out_c);
      if (n.op != OpKind::kConv && n.op != OpKind::kGemm) s.kind = "depthwise";
      if (s.dense) s.kind = "dense";
      // Grouped (but not depthwise) convolutions are costed as their groups = 1 expansion.
      if (s.geo.groups > 1 && s.geo.groups != s.geo.in_c) s.geo = expand_groups(v).geo;
      s.max_abs_weight = max_abs(v.w);
      return s;
    }
    case OpKind::kBatchNorm:
      return channel_scaling(g, n);
    case OpKind::kMul:
    case OpKind::kDiv:
      return channel_scaling(g, n);
    default:
      return std::nullopt;
  }
}

LayerCounts count_layer(const std::string& name, const char* kind, const ConvGeometry& geo,
                        bool dense, uint64_t max_w, const RingDegreeFn& ring_degree) {
  LayerCounts l;
  l.name = name;
  l.kind = kind;
  l.ring_degree = ring_degree(geo.taps(), max_w);
  l.macs = uint64_t(geo.out_size()) * geo.taps();
  l.coeff = he_layer_count(geo, dense, l.ring_degree, HeEncoding::kCoefficient);
  l.slot = he_layer_count(geo, dense, l.ring_degree, HeEncoding::kSlot);
  return l;
}

void add_layer(NetworkCounts& c, LayerCounts l) {
  c.macs += l.macs;
  c.coeff += l.coeff;
  c.slot += l.slot;
  c.layers.push_back(std::move(l));
}

}  // namespace

NetworkCounts count_graph(const Graph& g, int f_w, const RingDegreeFn& ring_degree) {
  NetworkCounts c;
  std::map<std::string, int> depth;
  for (const auto& n : g.nodes) {
    int d = 0;
    for (const auto& in : n.inputs) {
      if (auto it = depth.find(in); it != depth.end()) d = std::max(d, it->second);
    }
    const auto shape = layer_shape(g, n);
    if (shape) {
      ++c.linear_layers;
      ++d;
      const auto max_w = uint64_t(std::llround(std::ldexp(shape->max_abs_weight, f_w)));
      add_layer(c, count_layer(n.name, shape->kind, shape->geo, shape->dense, max_w, ring_degree));
    }
    if (n.op == OpKind::kRelu || n.op == OpKind::kMaxPool) d = 0;
    if (n.op == OpKind::kRelu) c.relus += uint64_t(element_count(g.shapes.at(n.output)));
    depth[n.output] = d;
    c.levels = std::max(c.levels, d);
  }
  return c;
}

NetworkCounts count_plan(const Plan& p, const RingDegreeFn& ring_degree,
                         const std::vector<std::string>& names) {
  NetworkCounts c;
  for (size_t i = 0; i < p.steps.size(); ++i) {
    const std::string name = i < names.size() ? names[i] : "step " + std::to_string(i);
    if (const auto* a = std::get_if<AffineStep>(&p.steps[i])) {
      if (a->he_terms.empty()) continue;
      ++c.linear_layers;
      c.levels = 1;
      for (size_t k = 0; k < a->he_terms.size(); ++k) {
        const HeTerm& t = a->he_terms[k];
        const bool dw = t.geometry.groups > 1;
        const std::string label = a->he_terms.size() > 1 ? name + " #" + std::to_string(k) : name;
        add_layer(
            c, count_layer(label,
                           t.dense ? "dense"
                           : dw    ? "depthwise"
                                   : "conv",
                           t.geometry, t.dense, (uint64_t{1} << t.weight_bits) - 1, ring_degree));
      }
      continue;
    }
    const auto& n = std::get<NonLinearStep>(p.steps[i]);
    const uint64_t size = p.tensors[n.out].size();
    (n.kind == NonLinearKind::kTruncate ? c.truncations : c.relus) += size;
  }
  return c;
}

MergeReport make_report(const Graph& original, const MergeResult& merged, int margin_bits,
                        const RingDegreeFn& ring_degree) {
  MergeReport r;
  r.ell = merged.plan.ell;
  r.f = merged.plan.f;
  r.f_w = merged.plan.f_w;
  r.bound_bits = merged.calibration.bound_bits;
  r.margin_bits = margin_bits;
  r.before = count_graph(original, merged.plan.f_w, ring_degree);
  r.after = count_plan(merged.plan, ring_degree, merged.lowered.step_names);
  return r;
}

std::string format_report(const MergeReport& r) {
  std::string out;
  char line[256];
  auto row = [&](const char* what, uint64_t before, uint64_t after) {
    std::snprintf(line, sizeof(line), "  %-34s %14llu %14llu\n", what, (unsigned long long)before,
                  (unsigned long long)after);
    out += line;
  };
  std::snprintf(line, sizeof(line), "  %-34s %14s %14s\n", "", "before", "after");
  out += line;
  row("linear layers", r.before.linear_layers, r.after.linear_layers);
  row("multiplicative levels", uint64_t(r.before.levels), uint64_t(r.after.levels));
  row("ReLUs", r.before.relus, r.after.relus);
  row("truncations", r.before.truncations, r.after.truncations);
  row("MACs", r.before.macs, r.after.macs);
  row("coefficient encoding: ct-pt mults", r.before.coeff.ct_pt_mults, r.after.coeff.ct_pt_mults);
  row("coefficient encoding: additions", r.before.coeff.additions, r.after.coeff.additions);
  row("coefficient encoding: rotations", r.before.coeff.rotations, r.after.coeff.rotations);
  row("coefficient encoding: ciphertexts", r.before.coeff.input_cts + r.before.coeff.output_cts,
      r.after.coeff.input_cts + r.after.coeff.output_cts);
  row("slot encoding: ct-pt mults", r.before.slot.ct_pt_mults, r.after.slot.ct_pt_mults);
  row("slot encoding: additions", r.before.slot.additions, r.after.slot.additions);
  row("slot encoding: rotations", r.before.slot.rotations, r.after.slot.rotations);
  row("slot encoding: ciphertexts", r.before.slot.input_cts + r.before.slot.output_cts,
      r.after.slot.input_cts + r.after.slot.output_cts);
  std::snprintf(line, sizeof(line),
                "  ell = %d, f = %d, f_w = %d  (|Ax + b| < 2^%d on calibration data; margin %d "
                "bits)\n",
                r.ell, r.f, r.f_w, r.bound_bits, r.margin_bits);
  out += line;
  out += "\n  blocks after merging (N, MACs, coefficient: mults/adds, slot: mults/adds/rots):\n";
  for (const auto& l : r.after.layers) {
    std::snprintf(line, sizeof(line),
                  "    %-40.40s %-9s N=%-5zu %10llu  %6llu/%-6llu %7llu/%llu/%llu\n",
                  l.name.c_str(), l.kind.c_str(), l.ring_degree, (unsigned long long)l.macs,
                  (unsigned long long)l.coeff.ct_pt_mults, (unsigned long long)l.coeff.additions,
                  (unsigned long long)l.slot.ct_pt_mults, (unsigned long long)l.slot.additions,
                  (unsigned long long)l.slot.rotations);
    out += line;
  }
  return out;
}

}  // namespace pg::nn
