#include "mpc/circuit.h"

#include <limits>
#include <stdexcept>
#include <string>

#include "core/assert.h"

namespace pg::mpc {

size_t Circuit::xor_count() const {
  size_t n = 0;
  for (const Gate& g : gates_) n += g.op == GateOp::kXor ? 1 : 0;
  return n;
}

std::vector<uint8_t> Circuit::evaluate(const std::vector<uint8_t>& inputs) const {
  if (inputs.size() != num_inputs_) {
    throw std::invalid_argument("Circuit::evaluate: expected " + std::to_string(num_inputs_) +
                                " input bits, got " + std::to_string(inputs.size()));
  }
  std::vector<uint8_t> v(num_slots_, 0);
  v[kOne] = 1;
  for (size_t i = 0; i < num_inputs_; ++i) v[kFirstInput + i] = inputs[i] & 1;
  for (const Gate& g : gates_) {
    switch (g.op) {
      case GateOp::kXor:
        v[g.out] = v[g.a] ^ v[g.b];
        break;
      case GateOp::kAnd:
        v[g.out] = v[g.a] & v[g.b];
        break;
      case GateOp::kNot:
        v[g.out] = v[g.a] ^ 1;
        break;
    }
  }
  std::vector<uint8_t> out(outputs_.size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = v[outputs_[i]];
  return out;
}

CircuitBuilder::CircuitBuilder() {
  nodes_.push_back({GateOp::kXor, 0, 0, false});  // constant 0
  nodes_.push_back({GateOp::kXor, 1, 1, false});  // constant 1
}

CircuitBuilder::Wire CircuitBuilder::input() {
  nodes_.push_back({GateOp::kXor, 0, 0, true});
  return static_cast<Wire>(nodes_.size() - 1);
}

std::vector<CircuitBuilder::Wire> CircuitBuilder::inputs(size_t n) {
  std::vector<Wire> w(n);
  for (auto& x : w) x = input();
  return w;
}

bool CircuitBuilder::is_not_of(Wire x, Wire y) const {
  const Node& nx = nodes_[x];
  const Node& ny = nodes_[y];
  return (!is_const(x) && !nx.is_input && nx.op == GateOp::kNot && nx.a == y) ||
         (!is_const(y) && !ny.is_input && ny.op == GateOp::kNot && ny.a == x);
}

CircuitBuilder::Wire CircuitBuilder::add(GateOp op, Wire a, Wire b) {
  PG_ASSERT(a < nodes_.size() && b < nodes_.size(), "wire out of range");
  nodes_.push_back({op, a, b, false});
  if (op == GateOp::kAnd) ++and_count_;
  return static_cast<Wire>(nodes_.size() - 1);
}

CircuitBuilder::Wire CircuitBuilder::not_gate(Wire a) {
  if (is_const(a)) return a ^ 1u;
  const Node& n = nodes_[a];
  if (!n.is_input && n.op == GateOp::kNot) return n.a;
  return add(GateOp::kNot, a, a);
}

CircuitBuilder::Wire CircuitBuilder::xor_gate(Wire a, Wire b) {
  if (a == b) return zero();
  if (a == 0) return b;
  if (b == 0) return a;
  if (a == 1) return not_gate(b);
  if (b == 1) return not_gate(a);
  if (is_not_of(a, b)) return one();
  return add(GateOp::kXor, a, b);
}

CircuitBuilder::Wire CircuitBuilder::and_gate(Wire a, Wire b) {
  if (a == b) return a;
  if (a == 0 || b == 0) return zero();
  if (a == 1) return b;
  if (b == 1) return a;
  if (is_not_of(a, b)) return zero();
  return add(GateOp::kAnd, a, b);
}

Circuit CircuitBuilder::build(const std::vector<Wire>& outputs) const {
  const size_t n = nodes_.size();
  constexpr size_t kNever = std::numeric_limits<size_t>::max();
  // Liveness, backwards: nodes are in topological order.
  std::vector<uint8_t> live(n, 0);
  for (Wire w : outputs) {
    PG_ASSERT(w < n, "output wire out of range");
    live[w] = 1;
  }
  for (size_t w = n; w-- > 2;) {
    const Node& nd = nodes_[w];
    if (!live[w] || nd.is_input) continue;
    live[nd.a] = 1;
    if (nd.op != GateOp::kNot) live[nd.b] = 1;
  }
  // Last use of each wire by a live gate; outputs live to the end.
  std::vector<size_t> last_use(n, kNever - 1);
  for (size_t w = 2; w < n; ++w) {
    const Node& nd = nodes_[w];
    if (nd.is_input) {
      last_use[w] = 0;  // an unused input's slot is free from the start
    } else if (live[w]) {
      last_use[nd.a] = w;
      if (nd.op != GateOp::kNot) last_use[nd.b] = w;
    }
  }
  for (Wire w : outputs) last_use[w] = kNever;

  Circuit c;
  std::vector<uint32_t> slot(n, 0);
  slot[1] = Circuit::kOne;
  std::vector<uint32_t> free_slots;
  uint32_t next_slot = Circuit::kFirstInput;
  for (size_t w = 2; w < n; ++w) {
    if (nodes_[w].is_input) slot[w] = next_slot++;
  }
  c.num_inputs_ = next_slot - Circuit::kFirstInput;
  for (size_t w = 2; w < n; ++w) {
    if (nodes_[w].is_input && last_use[w] == 0) free_slots.push_back(slot[w]);
  }
  for (size_t w = 2; w < n; ++w) {
    const Node& nd = nodes_[w];
    if (nd.is_input || !live[w]) continue;
    // Inputs dying here free their slots first, so the output may take one (the engines read
    // a gate's inputs before they write its output).
    if (last_use[nd.a] == w && nd.a >= 2) free_slots.push_back(slot[nd.a]);
    if (nd.op != GateOp::kNot && last_use[nd.b] == w && nd.b >= 2) {
      free_slots.push_back(slot[nd.b]);
    }
    uint32_t s;
    if (!free_slots.empty()) {
      s = free_slots.back();
      free_slots.pop_back();
    } else {
      s = next_slot++;
    }
    slot[w] = s;
    c.gates_.push_back({nd.op, slot[nd.a], nd.op == GateOp::kNot ? slot[nd.a] : slot[nd.b], s});
    if (nd.op == GateOp::kAnd) ++c.and_count_;
  }
  c.num_slots_ = next_slot;
  for (Wire w : outputs) c.outputs_.push_back(slot[w]);
  return c;
}

}  // namespace pg::mpc
