// Structural passes: MaxPool before ReLU, non-linearities through Concat, truncations between
// unfused linear ops, and the whole pass pipeline (passes.h).
#include <map>

#include "nn/pass_util.h"
#include "nn/passes.h"

namespace pg::nn {
namespace {

using detail::note;
using detail::single_use;

// Per-channel ops commute with a channel Concat: op(concat(a, b)) = concat(op(a), op(b)).
bool push_through_concat(Graph& g, size_t j, PassLog* log) {
  const Node op = g.nodes[j];
  const int c = g.producer(op.inputs[0]);
  if (c < 0 || g.nodes[size_t(c)].op != OpKind::kConcat || !single_use(g, op.inputs[0])) {
    return false;
  }
  const Node concat = g.nodes[size_t(c)];
  std::vector<Node> branches;
  Node joined = concat;
  joined.name = concat.name;
  joined.output = op.output;
  joined.inputs.clear();
  for (size_t k = 0; k < concat.inputs.size(); ++k) {
    Node b = op;
    b.name = op.name + "/" + std::to_string(k);
    b.inputs = {concat.inputs[k]};
    b.output = g.fresh_name(op.output + "/" + std::to_string(k));
    joined.inputs.push_back(b.output);
    branches.push_back(std::move(b));
  }
  note(log, std::string(op_name(op.op)) + " " + op.name + " moved into the branches of Concat " +
                concat.name);
  g.nodes[j] = std::move(joined);
  g.nodes.erase(g.nodes.begin() + c);
  g.nodes.insert(g.nodes.begin() + c, branches.begin(), branches.end());
  return true;
}

// MaxPool(Relu(x)) → Relu(MaxPool(x)): one ReLU per pooled output instead of per input.
bool swap_pool_relu(Graph& g, size_t j, PassLog* log) {
  const int r = g.producer(g.nodes[j].inputs[0]);
  if (r < 0 || g.nodes[size_t(r)].op != OpKind::kRelu || !single_use(g, g.nodes[j].inputs[0])) {
    return false;
  }
  Node pool = g.nodes[j];
  Node relu = g.nodes[size_t(r)];
  note(log, "MaxPool " + pool.name + " moved before Relu " + relu.name);
  const std::string x = relu.inputs[0], y = pool.output;
  pool.inputs = {x};
  pool.output = g.fresh_name(pool.name + "/pooled");
  relu.inputs = {pool.output};
  relu.output = y;
  g.nodes[size_t(r)] = std::move(pool);
  g.nodes[j] = std::move(relu);
  return true;
}

bool reorder_one(Graph& g, PassLog* log) {
  for (size_t j = 0; j < g.nodes.size(); ++j) {
    const OpKind op = g.nodes[j].op;
    if (op != OpKind::kMaxPool && op != OpKind::kRelu) continue;
    if (push_through_concat(g, j, log)) return true;
    if (op == OpKind::kMaxPool && swap_pool_relu(g, j, log)) return true;
  }
  return false;
}

// How the plan will hold a value: masked (the input, ReLU and Truncate outputs, and Concats and
// reshapes of masked values), a public linear function of a masked value (Slice, Pad), or an
// affine output (everything else).
enum class Held { kMasked, kPublic, kAffine };

Held held(const Graph& g, const std::string& v) {
  if (v == g.input) return Held::kMasked;
  const int p = g.producer(v);
  if (p < 0) return Held::kAffine;
  const Node& n = g.nodes[size_t(p)];
  switch (n.op) {
    case OpKind::kRelu:
    case OpKind::kTruncate:
      return Held::kMasked;
    case OpKind::kFlatten:
    case OpKind::kReshape:
      return held(g, n.inputs[0]);
    case OpKind::kSlice:
    case OpKind::kPad:
      return held(g, n.inputs[0]) == Held::kAffine ? Held::kAffine : Held::kPublic;
    case OpKind::kConcat:
      for (const auto& in : n.inputs) {
        if (held(g, in) != Held::kMasked) return Held::kAffine;
      }
      return Held::kMasked;
    default:
      return Held::kAffine;
  }
}

// Whether op may read a value held as `h`: homomorphic ops and Concat need masked values, the
// public ops (Slice, Pad) also compose with each other; the rest read anything.
bool can_read(OpKind op, Held h) {
  switch (op) {
    case OpKind::kConv:
    case OpKind::kGemm:
    case OpKind::kAveragePool:
    case OpKind::kGlobalAveragePool:
    case OpKind::kConcat:
      return h == Held::kMasked;
    case OpKind::kSlice:
    case OpKind::kPad:
      return h != Held::kAffine;
    default:
      return true;
  }
}

}  // namespace

core::Status reorder_maxpool(Graph& g, PassLog* log) {
  while (reorder_one(g, log)) PG_TRY(detail::finish_pass(g));
  return detail::finish_pass(g);
}

core::Status insert_truncations(Graph& g, PassLog* log) {
  std::map<std::string, std::string> truncated;
  for (size_t j = 0; j < g.nodes.size(); ++j) {
    for (size_t k = 0; k < g.nodes[j].inputs.size(); ++k) {
      const std::string v = g.nodes[j].inputs[k];
      if (g.is_constant(v) || can_read(g.nodes[j].op, held(g, v))) continue;
      if (!truncated.count(v)) {
        Node t;
        t.op = OpKind::kTruncate;
        t.name = "truncate(" + v + ")";
        t.inputs = {v};
        t.output = g.fresh_name(v + "/truncated");
        truncated[v] = t.output;
        note(log, "Truncate inserted after " + v);
        g.nodes.insert(g.nodes.begin() + ptrdiff_t(j), std::move(t));
        ++j;
      }
      g.nodes[j].inputs[k] = truncated[v];
    }
  }
  return detail::finish_pass(g);
}

core::Status run_merge_passes(Graph& g, const FuseOptions& options, PassLog* log) {
  PG_TRY(remove_identities(g, log));
  PG_TRY(fold_pads(g, log));
  PG_TRY(fold_batch_norm(g, log));
  PG_TRY(fold_constants(g, log));
  PG_TRY(fold_pads(g, log));
  PG_TRY(fuse_linear(g, options, log));
  PG_TRY(reorder_maxpool(g, log));
  return insert_truncations(g, log);
}

}  // namespace pg::nn
