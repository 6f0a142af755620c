// Boolean circuits as straight-line programs of XOR, AND and NOT gates, and the builder that
// makes them.
//
// A built Circuit uses "slots" (wires after register allocation): slot 0 holds constant 0,
// slot 1 constant 1, slots 2 .. 2 + num_inputs - 1 the inputs in declaration order, and gate
// outputs reuse the slots of wires that are no longer needed, so the label buffer of one
// instance stays small (it fits in L1 for the ReLU circuits). Outputs are read from their slots
// after the last gate. Gates never take a constant input: the builder folds constants, x ^ x,
// x & x, x & !x and double negation, and drops gates no output depends on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pg::mpc {

enum class GateOp : uint8_t { kXor, kAnd, kNot };

struct Gate {
  GateOp op;
  uint32_t a;
  uint32_t b;  // unused by kNot
  uint32_t out;
};

class Circuit {
 public:
  static constexpr uint32_t kZero = 0;
  static constexpr uint32_t kOne = 1;
  static constexpr uint32_t kFirstInput = 2;

  uint32_t num_slots() const { return num_slots_; }
  size_t num_inputs() const { return num_inputs_; }
  size_t num_outputs() const { return outputs_.size(); }
  const std::vector<Gate>& gates() const { return gates_; }
  const std::vector<uint32_t>& outputs() const { return outputs_; }
  size_t and_count() const { return and_count_; }
  size_t xor_count() const;

  // Plaintext evaluation, one bit (0/1) per input and per output: the test oracle of the
  // garbling engine.
  std::vector<uint8_t> evaluate(const std::vector<uint8_t>& inputs) const;

 private:
  friend class CircuitBuilder;
  uint32_t num_slots_ = 2;
  size_t num_inputs_ = 0;
  std::vector<Gate> gates_;
  std::vector<uint32_t> outputs_;
  size_t and_count_ = 0;
};

class CircuitBuilder {
 public:
  using Wire = uint32_t;

  CircuitBuilder();

  Wire zero() const { return 0; }
  Wire one() const { return 1; }
  // Inputs may be declared at any time; they take input slots in declaration order.
  Wire input();
  std::vector<Wire> inputs(size_t n);

  Wire xor_gate(Wire a, Wire b);
  Wire and_gate(Wire a, Wire b);
  Wire not_gate(Wire a);
  Wire or_gate(Wire a, Wire b) { return not_gate(and_gate(not_gate(a), not_gate(b))); }

  // ANDs added so far (before dead-gate elimination).
  size_t and_count() const { return and_count_; }

  // Drops dead gates, allocates slots and returns the circuit computing `outputs`.
  Circuit build(const std::vector<Wire>& outputs) const;

 private:
  struct Node {
    GateOp op;
    Wire a;
    Wire b;
    bool is_input;
  };
  Wire add(GateOp op, Wire a, Wire b);
  bool is_const(Wire w) const { return w < 2; }
  bool is_not_of(Wire x, Wire y) const;

  std::vector<Node> nodes_;  // index = wire; 0 and 1 are the constants
  size_t and_count_ = 0;
};

}  // namespace pg::mpc
