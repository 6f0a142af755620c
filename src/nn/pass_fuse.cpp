// Fusion of linear chains (passes.h: fuse_linear).
#include <algorithm>
#include <stdexcept>

#include "core/assert.h"
#include "nn/conv_view.h"
#include "nn/he_cost.h"
#include "nn/pass_util.h"
#include "nn/passes.h"
#include "nn/plan_io.h"

namespace pg::nn {
namespace {

using detail::add_constant;
using detail::note;
using detail::single_use;

// A truncation costs a garbled circuit per element; a ct–pt product at N = 8192 costs about as
// much as 32 of them (FACTS.md: ~4 µs per truncated element, ~0.2 ms per product).
constexpr double kTruncationsPerProduct = 32.0;

bool is_linear(OpKind op) {
  return op == OpKind::kConv || op == OpKind::kGemm || op == OpKind::kAveragePool ||
         op == OpKind::kGlobalAveragePool;
}

bool is_pool(OpKind op) {
  return op == OpKind::kAveragePool || op == OpKind::kGlobalAveragePool;
}

// The coefficient-encoding cost of one block, or nullopt if it does not fit the ring.
std::optional<double> block_cost(const kernels::ConvGeometry& geo, bool dense, size_t n) {
  try {
    kernels::ConvGeometry g = geo;
    if (dense) g = kernels::dense_geometry(int(g.in_size()), g.out_c);
    return double(he_cost(he_layer_count(g, dense, n, HeEncoding::kCoefficient)));
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
}

// The most weights a fused block may have, counted with groups expanded and, for a dense
// block, over its whole input (the largest arrays the fusion builds): what one plan term can
// hold (plan_io.h).
constexpr double kMaxFusedWeights = double(kMaxTermWeights);

// Whether fusing a (first) and b (second) into a block of geometry f pays off. Never when f is
// larger than kMaxFusedWeights. Pooling always does (the list: a pool's weights are
// public and fusing it saves a truncation). Conv→Conv, Conv→Gemm and Gemm→Gemm only if the
// fused block costs less than the two blocks plus the truncation between them: a bottleneck
// (in → small → out) stays two blocks. Everything here is shape and public attributes.
bool worth_fusing(const Node& a, const Node& b, const kernels::ConvGeometry& ga,
                  const kernels::ConvGeometry& gb, const kernels::ConvGeometry& f, size_t n) {
  const double expanded = double(f.out_c) * f.in_c * f.kh * f.kw;
  const double dense = b.op == OpKind::kGemm ? double(f.out_c) * double(f.in_size()) : 0.0;
  if (std::max(expanded, dense) > kMaxFusedWeights) return false;
  if (is_pool(a.op) || is_pool(b.op)) return true;
  const auto fused = block_cost(f, b.op == OpKind::kGemm, n);
  const auto first = block_cost(ga, a.op == OpKind::kGemm, n);
  const auto second = block_cost(gb, b.op == OpKind::kGemm, n);
  if (!fused || !first || !second) return false;
  return *fused < *first + *second + double(ga.out_size()) / kTruncationsPerProduct;
}

Node fused_node(Graph& g, const Node& a, const Node& b, const ConvView& f) {
  Node n;
  n.name = a.name + "+" + b.name;
  n.output = b.output;
  const int64_t out = f.geo.out_c;
  std::string w;
  if (b.op == OpKind::kGemm) {
    n.op = OpKind::kGemm;
    w = add_constant(g, n.name + "/W", {out, int64_t(f.geo.in_size())}, dense_weights(f));
  } else {
    n.op = OpKind::kConv;
    n.kernel = {f.geo.kh, f.geo.kw};
    n.strides = {f.geo.stride_h, f.geo.stride_w};
    n.pads = {f.geo.pad_top, f.geo.pad_left, f.geo.pad_bottom, f.geo.pad_right};
    n.groups = f.geo.groups;
    w = add_constant(g, n.name + "/W", {out, f.geo.in_c / f.geo.groups, f.geo.kh, f.geo.kw}, f.w);
  }
  std::vector<double> bias = f.bias.empty() ? std::vector<double>(size_t(out), 0.0) : f.bias;
  n.inputs = {a.inputs[0], w, add_constant(g, n.name + "/B", {out}, std::move(bias))};
  return n;
}

// Gemm reads its input flattened, so a Flatten or Reshape in front of it is skipped.
bool skip_reshapes(Graph& g, PassLog* log) {
  bool changed = false;
  for (auto& n : g.nodes) {
    if (n.op != OpKind::kGemm) continue;
    for (int p = g.producer(n.inputs[0]); p >= 0; p = g.producer(n.inputs[0])) {
      const Node& r = g.nodes[size_t(p)];
      if (r.op != OpKind::kFlatten && r.op != OpKind::kReshape) break;
      note(log, std::string(op_name(r.op)) + " " + r.name + " fused into " + n.name);
      n.inputs[0] = r.inputs[0];
      changed = true;
    }
  }
  return changed;
}

// Fuses the first fusable pair; true if it did.
bool fuse_one(Graph& g, const FuseOptions& opt, PassLog* log) {
  for (size_t j = 0; j < g.nodes.size(); ++j) {
    const Node& b = g.nodes[j];
    if (!is_linear(b.op)) continue;
    const int i = g.producer(b.inputs[0]);
    if (i < 0 || !is_linear(g.nodes[size_t(i)].op) || !single_use(g, b.inputs[0])) continue;
    const Node& a = g.nodes[size_t(i)];
    const auto va = conv_view(g, a), vb = conv_view(g, b);
    const auto fg = composed_geometry(*va, *vb);
    if (!fg || !worth_fusing(a, b, va->geo, vb->geo, *fg, opt.ring_degree)) continue;
    const auto f = compose(*va, *vb);
    PG_ASSERT(f.has_value(), "compose() fails exactly when composed_geometry() does");
    note(log, std::string(op_name(a.op)) + " " + a.name + " and " + op_name(b.op) + " " + b.name +
                  " fused");
    Node n = fused_node(g, a, b, *f);
    g.nodes[j] = std::move(n);
    g.nodes.erase(g.nodes.begin() + i);
    return true;
  }
  return false;
}

}  // namespace

core::Status fuse_linear(Graph& g, const FuseOptions& options, PassLog* log) {
  if (skip_reshapes(g, log)) PG_TRY(detail::finish_pass(g));
  while (fuse_one(g, options, log)) PG_TRY(detail::finish_pass(g));
  return detail::finish_pass(g);
}

}  // namespace pg::nn
