// What one non-linear layer computes (PROTOCOL.md §3), what it costs, and how it is scheduled
// into garbled circuits.
//
// Inputs: the server's share u and the client's share c of n_in ring elements (mod 2^ℓ), and
// the client's next mask r' (one per output). With x = (u + c mod 2^ℓ) read as signed:
//   kReluTruncate           z_o = ReLU(x_o >>ₐ shift) − r'_o mod 2^ℓ,  n_out = n_in
//   kMaxPoolReluTruncate    z_o = ReLU(max_{i ∈ window_o} x_i >>ₐ shift) − r'_o mod 2^ℓ
//   kArgmax                 the index of the first maximum of x (client only; shift = 0)
//   kTruncateRemask         z_o = (x_o >>ₐ shift) − r'_o mod 2^ℓ,  n_out = n_in (no ReLU: a
//                           linear→linear chain that the model's merge did not fuse)
// The server learns z (uniform, masked by r'); the client learns only the argmax index.
//
// Schedule: phase A adds u + c once per input element (ℓ − 1 ANDs) and keeps the ℓ − shift
// bits of the shifted sum; phase B computes, per output, max over its window (shift commutes
// with max, so the max runs on ℓ − shift bits), ReLU and the subtraction of r' (truncate-remask:
// only the subtraction of r' from the sign-extended value, ℓ − 1 ANDs). An element read
// by several windows (overlapping or padded windows) is added once: its u and c labels are sent
// and OT'd once.
//
// Order on the wire (both parties derive it from the spec):
//   ReLU, truncate-remask ("fused"): correlated OTs element by element, c_e then r'_e (2ℓ per
//     element); tables chunk by chunk of kOnlineChunk elements, the chunk's phase A then its
//     phase B.
//   max-pool, argmax: correlated OTs for all c, then all r'; tables of all of phase A, then
//     phase B group by group (window sizes ascending, outputs ascending within a group).
// Garbling tweaks follow the table order. Instances are garbled kMaxLanes at a time, in batches
// that start at multiples of kMaxLanes within each run.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mpc/circuit.h"
#include "mpc/half_gates.h"

namespace pg::mpc {

// Elements per online chunk: the server derives and sends the labels of u, and the client
// evaluates them, this many elements at a time (a multiple of the garbling lanes).
inline constexpr size_t kOnlineChunk = 256;

// New kinds go at the end: the values may be serialised.
enum class NonLinearKind : uint8_t {
  kReluTruncate,
  kMaxPoolReluTruncate,
  kArgmax,
  kTruncateRemask,
};

struct NonLinearSpec {
  NonLinearKind kind = NonLinearKind::kReluTruncate;
  size_t ell = 37;    // ring bits, 1..64
  size_t shift = 12;  // f_w, the arithmetic right shift, < ell (0 for argmax)
  size_t n_in = 0;
  // kMaxPoolReluTruncate only: the input indices of each output (non-empty, each < n_in;
  // windows may overlap, and an index may repeat within a window at a padded border).
  std::vector<std::vector<uint32_t>> windows;
};

// Throws std::invalid_argument naming the problem.
void validate(const NonLinearSpec& spec);
size_t num_outputs(const NonLinearSpec& spec);

// Exact costs of one layer. Bytes are payload on the Channel.
struct NonLinearCost {
  uint64_t and_gates = 0;
  uint64_t cot_bits = 0;                  // client input bits obtained by correlated OT
  uint64_t offline_client_to_server = 0;  // the OT extension's u matrix
  uint64_t offline_server_to_client = 0;  // garbled tables (+ argmax decoding bits)
  uint64_t online_server_to_client = 0;   // labels of u
  uint64_t online_client_to_server = 0;   // output permute bits (0 for argmax)
  // What the client holds between offline() and online(): the tables, the labels of c and r'
  // (and argmax's decoding bits). 4256 B per ReLU at ℓ = 37, f_w = 12.
  uint64_t client_held_bytes = 0;
};
NonLinearCost cost(const NonLinearSpec& spec);

// The circuits of a layer and the order in which their instances are garbled. Internal to the
// garbler and evaluator, exposed for tests and benchmarks.
struct LayerPlan {
  struct Group {
    Circuit circuit;                // phase-B circuit for this window size
    size_t window = 0;              // k
    std::vector<uint32_t> outputs;  // output indices, in garbling order
  };
  // The layer's work cut into steps of at most kOnlineChunk instances, in wire order. Each step
  // owns a contiguous range of the tables and of the tweaks (starting at and_offset AND
  // gate-lanes into the layer), so steps can be garbled or evaluated on different threads and
  // still put the same bytes on the wire in the same order.
  //   kFused    elements [begin, end): phase A of all of them, then their phase B (group 0)
  //   kAdders   phase A of elements [begin, end)
  //   kWindows  phase B of groups[group] on the outputs at positions [begin, end) of its list
  // Every kAdders step comes before the first kWindows step, which reads the sums of any element.
  struct Step {
    enum class Kind : uint8_t { kFused, kAdders, kWindows };
    Kind kind = Kind::kFused;
    size_t group = 0;
    size_t begin = 0;
    size_t end = 0;
    uint64_t and_offset = 0;
  };
  NonLinearSpec spec;
  size_t width = 0;           // w = ℓ − shift, the bits kept after phase A
  size_t out_bits = 0;        // bits of each output: ℓ, or index_bits(n_in) for argmax
  bool remask = true;         // phase B takes r' (not for argmax)
  Circuit adder;              // phase A
  std::vector<Group> groups;  // phase B, one per window size (argmax: one group, one lane)

  bool fused = false;  // ReLU, truncate: phase B runs chunk by chunk right after phase A
  std::vector<Step> steps;
  size_t first_window_step = 0;  // steps before it are phase A (or fused)

  explicit LayerPlan(const NonLinearSpec& s);
  // Indices into the run of correlated OTs of bit i of c_e and of r'_o.
  size_t cot_c(size_t e, size_t i) const { return e * c_stride() + i; }
  size_t cot_r(size_t o, size_t i) const {
    return fused ? o * 2 * spec.ell + spec.ell + i : (spec.n_in + o) * spec.ell + i;
  }
  size_t c_stride() const { return fused ? 2 * spec.ell : spec.ell; }
  // The s-th input index of output o's window (o itself for ReLU and truncate, s for argmax).
  uint32_t window_input(size_t o, size_t s) const;
  size_t num_outputs() const { return num_outputs_; }
  // AND gate-lane pairs (= tweaks), table blocks, and COT bits of the whole layer.
  uint64_t and_gates() const;
  uint64_t table_blocks() const { return 2 * and_gates(); }
  uint64_t cot_bits() const;
  uint64_t step_and_gates(const Step& s) const;

  // One circuit batch of a step: up to kMaxLanes instances, starting at element (adders) or at
  // position `first` of groups[group].outputs (windows), whose tables and tweaks start
  // and_offset AND gate-lanes into the step.
  struct Batch {
    enum class Kind : uint8_t {
      kAdders,       // phase A; the sums go to the layer's sum buffer
      kFusedAdders,  // phase A; the sums feed the window batch that follows
      kWindows,      // phase B on the sum buffer
      kFusedWindows  // phase B on the sums of the preceding adder batch
    };
    Kind kind;
    size_t group;
    size_t first;
    size_t lanes;
    uint64_t and_offset;
  };
  // Calls f(batch) for the batches of step s in order.
  template <typename F>
  void for_each_batch(const Step& s, F&& f) const {
    const size_t n = s.end - s.begin;
    const uint64_t a = adder.and_count();
    const uint64_t b = groups[s.kind == Step::Kind::kWindows ? s.group : 0].circuit.and_count();
    for (size_t i = 0; i < n; i += kMaxLanes) {
      const size_t lanes = std::min(kMaxLanes, n - i);
      switch (s.kind) {
        case Step::Kind::kAdders:
          f(Batch{Batch::Kind::kAdders, 0, s.begin + i, lanes, i * a});
          break;
        case Step::Kind::kFused:  // the step's tables: all its adders, then all its windows
          f(Batch{Batch::Kind::kFusedAdders, 0, s.begin + i, lanes, i * a});
          f(Batch{Batch::Kind::kFusedWindows, 0, s.begin + i, lanes, n * a + i * b});
          break;
        case Step::Kind::kWindows:
          f(Batch{Batch::Kind::kWindows, s.group, s.begin + i, lanes, i * b});
          break;
      }
    }
  }

 private:
  void make_steps();
  size_t num_outputs_ = 0;
};

}  // namespace pg::mpc
