// Folding passes: identities, batch-norm, constant arithmetic, zero padding (passes.h).
#include <algorithm>
#include <cmath>
#include <optional>

#include "nn/pass_util.h"
#include "nn/passes.h"

namespace pg::nn {
namespace {

using core::ErrorCode;
using core::make_error;
using detail::add_constant;
using detail::note;
using detail::single_use;

// y = scale[c]·x + shift[c] per channel c of x. `shifts` says whether the op adds a constant
// (Add, Sub): structure, decided by the op and never by the constant's values (which are as
// secret as the weights).
struct ChannelAffine {
  std::vector<double> scale, shift;
  bool shifts = false;
};

size_t channel_count(const Shape& s) {
  return s.size() >= 2 ? size_t(s[1]) : 1;
}

size_t channel_of(const Shape& s, size_t i) {
  size_t inner = 1;
  for (size_t a = 2; a < s.size(); ++a) inner *= size_t(s[a]);
  return (i / inner) % channel_count(s);
}

// The channel-affine form of Add/Sub/Mul/Div with one constant operand.
std::optional<ChannelAffine> channel_affine(const Graph& g, const Node& n) {
  if (n.op != OpKind::kAdd && n.op != OpKind::kSub && n.op != OpKind::kMul &&
      n.op != OpKind::kDiv) {
    return std::nullopt;
  }
  const int d = detail::data_input(g, n);
  if (d < 0 || n.inputs.size() != 2 || !g.is_constant(n.inputs[size_t(1 - d)])) return std::nullopt;
  const auto& k = g.constant(n.inputs[size_t(1 - d)]).data;
  const size_t c = channel_count(g.shape_of(n.inputs[size_t(d)]));
  ChannelAffine a{std::vector<double>(c, 1.0), std::vector<double>(c, 0.0),
                  n.op == OpKind::kAdd || n.op == OpKind::kSub};
  for (size_t ch = 0; ch < c; ++ch) {
    const double v = k.size() == 1 ? k[0] : k[ch];
    switch (n.op) {
      case OpKind::kAdd:
        a.shift[ch] = v;
        break;
      case OpKind::kSub:  // x − v, or v − x
        a.scale[ch] = d == 0 ? 1.0 : -1.0;
        a.shift[ch] = d == 0 ? -v : v;
        break;
      case OpKind::kMul:
        a.scale[ch] = v;
        break;
      default:
        a.scale[ch] = 1.0 / v;
        break;
    }
  }
  return a;
}

// The weights and bias (zero if absent) of a Conv or Gemm, to rewrite and store back.
struct Params {
  Shape shape;
  size_t out = 0, per = 0;  // output channels (rows), weights per output
  std::vector<double> w, b;
};

Params params_of(const Graph& g, const Node& n) {
  const Tensor& w = g.constant(n.inputs[1]);
  Params p{w.shape, size_t(w.shape[0]), w.size() / size_t(w.shape[0]), w.data, {}};
  p.b = n.inputs.size() > 2 ? g.constant(n.inputs[2]).data : std::vector<double>(p.out, 0.0);
  return p;
}

void store(Graph& g, Node& n, Params p) {
  n.inputs[1] = add_constant(g, n.name + "/W", p.shape, std::move(p.w));
  const std::string b = add_constant(g, n.name + "/B", {int64_t(p.out)}, std::move(p.b));
  if (n.inputs.size() > 2) {
    n.inputs[2] = b;
  } else {
    n.inputs.push_back(b);
  }
}

// Output channel o of a Conv or row o of a Gemm: W[o] ← scale[o]·W[o], b[o] ← scale[o]·b[o] +
// shift[o].
void fold_after(Graph& g, Node& n, const ChannelAffine& a) {
  Params p = params_of(g, n);
  for (size_t o = 0; o < p.out; ++o) {
    for (size_t k = 0; k < p.per; ++k) p.w[o * p.per + k] *= a.scale[o];
    p.b[o] = a.scale[o] * p.b[o] + a.shift[o];
  }
  store(g, n, std::move(p));
}

// Input channel c of the Conv or Gemm q: W[·][c] ← scale[c]·W[·][c], b += Σ W·shift. The shift
// moves into the bias only through an unpadded window (padding would see zeros, not the shift);
// an op that adds a constant is refused before a padded Conv even if the constant is zero.
bool fold_before(Graph& g, Node& q, const Shape& x, const ChannelAffine& a) {
  if (q.op == OpKind::kConv && a.shifts && q.pads != std::array<int, 4>{0, 0, 0, 0}) return false;
  Params p = params_of(g, q);
  const size_t taps = size_t(q.kernel[0]) * q.kernel[1];
  for (size_t o = 0; o < p.out; ++o) {
    for (size_t k = 0; k < p.per; ++k) {
      // The input channel of weight k: a group's channels for a Conv, x's channel for a Gemm.
      const size_t c = q.op == OpKind::kConv
                           ? (o / (p.out / size_t(q.groups))) * (p.per / taps) + k / taps
                           : channel_of(x, k);
      p.b[o] += p.w[o * p.per + k] * a.shift[c];
      p.w[o * p.per + k] *= a.scale[c];
    }
  }
  store(g, q, std::move(p));
  return true;
}

bool is_weighted(OpKind op) {
  return op == OpKind::kConv || op == OpKind::kGemm;
}

// Tries to fold node i (a channel-affine op) into its neighbours; true if the graph changed.
bool fold_one(Graph& g, size_t i, const ChannelAffine& a, PassLog* log) {
  Node& n = g.nodes[i];
  const std::string x = n.inputs[size_t(detail::data_input(g, n))];
  const int p = g.producer(x);
  if (p >= 0 && is_weighted(g.nodes[size_t(p)].op) && single_use(g, x)) {
    fold_after(g, g.nodes[size_t(p)], a);
    note(log,
         std::string(op_name(n.op)) + " " + n.name + " folded into " + g.nodes[size_t(p)].name);
    g.nodes[size_t(p)].output = n.output;
    g.nodes.erase(g.nodes.begin() + ptrdiff_t(i));
    return true;
  }
  const auto users = g.consumers(n.output);
  if (users.size() == 1 && n.output != g.output) {
    Node& q = g.nodes[users[0]];
    if (is_weighted(q.op) && q.inputs[0] == n.output && fold_before(g, q, g.shape_of(x), a)) {
      note(log, std::string(op_name(n.op)) + " " + n.name + " folded into " + q.name);
      q.inputs[0] = x;
      g.nodes.erase(g.nodes.begin() + ptrdiff_t(i));
      return true;
    }
  }
  return false;
}

// A channel-affine op that folds nowhere becomes a 1x1 depthwise Conv or a diagonal Gemm.
core::Status make_standalone(Graph& g, size_t i, const ChannelAffine& a, PassLog* log) {
  Node& n = g.nodes[i];
  const std::string x = n.inputs[size_t(detail::data_input(g, n))];
  const Shape s = g.shape_of(x);
  const int64_t c = int64_t(a.scale.size());
  Node conv;
  conv.name = n.name;
  conv.output = n.output;
  if (s.size() == 4) {
    conv.op = OpKind::kConv;
    conv.groups = int(c);
    conv.inputs = {x, add_constant(g, n.name + "/W", {c, 1, 1, 1}, a.scale),
                   add_constant(g, n.name + "/B", {c}, a.shift)};
  } else {
    if (c > 4096)
      return make_error(
          ErrorCode::kUnsupported,
          "node '" + n.name + "': a per-feature constant over " + std::to_string(c) + " features");
    std::vector<double> diag(size_t(c * c), 0.0);
    for (int64_t k = 0; k < c; ++k) diag[size_t(k * c + k)] = a.scale[size_t(k)];
    conv.op = OpKind::kGemm;
    conv.inputs = {x, add_constant(g, n.name + "/W", {c, c}, std::move(diag)),
                   add_constant(g, n.name + "/B", {c}, a.shift)};
  }
  note(log,
       std::string(op_name(n.op)) + " " + n.name + " became a per-channel " + op_name(conv.op));
  n = std::move(conv);
  return {};
}

}  // namespace

core::Status remove_identities(Graph& g, PassLog* log) {
  for (size_t i = 0; i < g.nodes.size();) {
    Node& n = g.nodes[i];
    const bool final_softmax = n.op == OpKind::kSoftmax && n.output == g.output;
    if (n.op == OpKind::kSoftmax && !final_softmax) {
      return make_error(ErrorCode::kUnsupported,
                        "node '" + n.name + "' (Softmax): only a final Softmax is supported");
    }
    if (n.op != OpKind::kIdentity && n.op != OpKind::kDropout && !final_softmax) {
      ++i;
      continue;
    }
    if (n.inputs[0] == g.input && n.output == g.output) {
      return make_error(ErrorCode::kUnsupported, "the model computes nothing");
    }
    note(log, std::string(op_name(n.op)) + " " + n.name + " removed");
    const std::string from = n.output, to = n.inputs[0];
    g.nodes.erase(g.nodes.begin() + ptrdiff_t(i));
    detail::replace_uses(g, from, to);
  }
  return detail::finish_pass(g);
}

core::Status fold_batch_norm(Graph& g, PassLog* log) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& n = g.nodes[i];
    if (n.op != OpKind::kBatchNorm) continue;
    const auto& gamma = g.constant(n.inputs[1]).data;
    const auto& beta = g.constant(n.inputs[2]).data;
    const auto& mean = g.constant(n.inputs[3]).data;
    const auto& var = g.constant(n.inputs[4]).data;
    ChannelAffine a;
    a.shifts = true;
    for (size_t c = 0; c < gamma.size(); ++c) {
      a.scale.push_back(gamma[c] / std::sqrt(var[c] + n.epsilon));
      a.shift.push_back(beta[c] - mean[c] * a.scale.back());
    }
    const std::string x = n.inputs[0];
    const int p = g.producer(x);
    if (p >= 0 && is_weighted(g.nodes[size_t(p)].op) && single_use(g, x)) {
      fold_after(g, g.nodes[size_t(p)], a);
      note(log, "BatchNormalization " + n.name + " folded into " + g.nodes[size_t(p)].name);
      g.nodes[size_t(p)].output = n.output;
      g.nodes.erase(g.nodes.begin() + ptrdiff_t(i--));
      continue;
    }
    // y = scale·x + shift as Mul then Add, for fold_constants to place.
    const int64_t c = int64_t(a.scale.size());
    const Shape ks = g.shape_of(x).size() == 4 ? Shape{c, 1, 1} : Shape{c};
    Node mul = n, add = n;
    mul.op = OpKind::kMul;
    mul.inputs = {x, add_constant(g, n.name + "/scale", ks, a.scale)};
    mul.output = g.fresh_name(n.name + "/scaled");
    add.op = OpKind::kAdd;
    add.inputs = {mul.output, add_constant(g, n.name + "/shift", ks, a.shift)};
    note(log, "BatchNormalization " + n.name + " became a per-channel Mul and Add");
    g.nodes[i] = std::move(add);
    g.nodes.insert(g.nodes.begin() + ptrdiff_t(i), std::move(mul));
  }
  return detail::finish_pass(g);
}

core::Status fold_constants(Graph& g, PassLog* log) {
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < g.nodes.size() && !changed; ++i) {
      const auto a = channel_affine(g, g.nodes[i]);
      if (!a) continue;
      for (double v : a->scale) {
        if (!std::isfinite(v)) {
          return make_error(ErrorCode::kUnsupported,
                            "node '" + g.nodes[i].name + "': division by zero");
        }
      }
      changed = fold_one(g, i, *a, log);
      if (changed) PG_TRY(infer_shapes(g));
    }
  }
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (const auto a = channel_affine(g, g.nodes[i])) PG_TRY(make_standalone(g, i, *a, log));
  }
  return detail::finish_pass(g);
}

core::Status fold_pads(Graph& g, PassLog* log) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& n = g.nodes[i];
    if (n.op != OpKind::kPad) continue;
    const bool zero = std::all_of(n.pad.begin(), n.pad.end(), [](int64_t p) { return p == 0; });
    const std::string x = n.inputs[0], y = n.output;
    if (zero) {
      note(log, "Pad " + n.name + " removed (no padding)");
      g.nodes.erase(g.nodes.begin() + ptrdiff_t(i--));
      detail::replace_uses(g, y, x);
      continue;
    }
    const auto users = g.consumers(y);
    if (n.pad.size() != 8 || n.pad[1] != 0 || n.pad[5] != 0 || users.size() != 1 || y == g.output) {
      continue;
    }
    Node& q = g.nodes[users[0]];
    if ((q.op != OpKind::kConv && q.op != OpKind::kAveragePool) || q.inputs[0] != y) continue;
    q.pads[0] += int(n.pad[2]);
    q.pads[1] += int(n.pad[3]);
    q.pads[2] += int(n.pad[6]);
    q.pads[3] += int(n.pad[7]);
    q.inputs[0] = x;
    note(log, "Pad " + n.name + " folded into " + q.name);
    g.nodes.erase(g.nodes.begin() + ptrdiff_t(i--));
  }
  return detail::finish_pass(g);
}

}  // namespace pg::nn
