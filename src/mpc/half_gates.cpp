#include "mpc/half_gates.h"

#include <array>
#include <cstddef>
#include <stdexcept>

#include "core/assert.h"
#include "core/secure.h"

namespace pg::mpc {
namespace detail {
struct GateRecord;
void gc_garble8_vaes(const __m128i* rk, const GateRecord* gates, size_t n_gates, __m128i* labels,
                     __m128i* tables, uint64_t tweak, __m128i delta);
void gc_evaluate8_vaes(const __m128i* rk, const GateRecord* gates, size_t n_gates, __m128i* labels,
                       const __m128i* tables, uint64_t tweak);
}  // namespace detail

namespace {

// half_gates_vaes.cpp reads Gate through a mirror struct of this layout.
static_assert(sizeof(Gate) == 16 && offsetof(Gate, a) == 4 && offsetof(Gate, b) == 8 &&
              offsetof(Gate, out) == 12);
static_assert(static_cast<int>(GateOp::kXor) == 0 && static_cast<int>(GateOp::kAnd) == 1 &&
              static_cast<int>(GateOp::kNot) == 2);

const detail::GateRecord* gate_records(const Circuit& c) {
  return reinterpret_cast<const detail::GateRecord*>(c.gates().data());
}

Block gc_tweak(uint64_t t) {
  return make_block(0, t);
}

void check_lanes(size_t lanes) {
  if (lanes == 0 || lanes > kMaxLanes) {
    throw std::invalid_argument("half-gates: lanes must be in [1, " + std::to_string(kMaxLanes) +
                                "], got " + std::to_string(lanes));
  }
}

// Runs the gates of `lanes` instances in order. XOR is free; NOT xors `not_mask` (Δ for the
// garbler, nothing for the evaluator); AND gates go to and_gate(a, b, out).
template <typename AndGate>
void run_gates(const Circuit& c, size_t lanes, Block* labels, Block one_label, Block not_mask,
               AndGate&& and_gate) {
  for (size_t k = 0; k < lanes; ++k) {
    labels[Circuit::kZero * lanes + k] = zero_block();
    labels[Circuit::kOne * lanes + k] = one_label;
  }
  for (const Gate& g : c.gates()) {
    Block* out = labels + g.out * lanes;
    const Block* a = labels + g.a * lanes;
    const Block* b = labels + g.b * lanes;
    switch (g.op) {
      case GateOp::kXor:
        for (size_t k = 0; k < lanes; ++k) out[k] = a[k] ^ b[k];
        break;
      case GateOp::kNot:
        for (size_t k = 0; k < lanes; ++k) out[k] = a[k] ^ not_mask;
        break;
      case GateOp::kAnd:
        and_gate(a, b, out);
        break;
    }
  }
}

}  // namespace

HalfGateGarbler::HalfGateGarbler(Block delta) : delta_(delta), hash_(fixed_tccr()) {
  if (lsb(delta) != 1) {
    throw std::invalid_argument("HalfGateGarbler: Δ must have its least significant bit set");
  }
}

HalfGateGarbler::~HalfGateGarbler() {
  core::secure_zero(&delta_, sizeof(delta_));
}

void HalfGateGarbler::garble(const Circuit& c, size_t lanes, Block* labels, Block* tables,
                             uint64_t& tweak) const {
  check_lanes(lanes);
  if (lanes == kMaxLanes && hash_.uses_vaes() && !force_generic_) {
    detail::gc_garble8_vaes(hash_.round_keys(), gate_records(c), c.gates().size(), labels, tables,
                            tweak, delta_);
    tweak += c.and_count() * lanes;
    return;
  }
  const size_t L = lanes;
  const Block delta = delta_;
  std::array<Block, 4 * kMaxLanes> h;
  std::array<Block, 4 * kMaxLanes> tw;
  // The all-zero label carries value 1 on the constant-one slot (its zero label is Δ).
  run_gates(c, L, labels, delta, delta, [&](const Block* a, const Block* b, Block* out) {
    for (size_t k = 0; k < L; ++k) {
      h[k] = a[k];
      h[L + k] = a[k] ^ delta;
      h[2 * L + k] = b[k];
      h[3 * L + k] = b[k] ^ delta;
      tw[k] = tw[L + k] = gc_tweak(2 * (tweak + k));
      tw[2 * L + k] = tw[3 * L + k] = gc_tweak(2 * (tweak + k) + 1);
    }
    hash_.hash(h.data(), tw.data(), h.data(), 4 * L);
    for (size_t k = 0; k < L; ++k) {
      const Block pa = lsb_mask(a[k]);
      const Block pb = lsb_mask(b[k]);
      const Block hb = h[2 * L + k] ^ h[3 * L + k];
      const Block tg = h[k] ^ h[L + k] ^ (pb & delta);
      const Block te = hb ^ a[k];
      const Block w0 = h[k] ^ (pa & tg) ^ h[2 * L + k] ^ (pb & hb);
      tables[2 * k] = tg;
      tables[2 * k + 1] = te;
      out[k] = w0;  // may alias a or b: written after its lane's inputs were read
    }
    tables += 2 * L;
    tweak += L;
  });
  core::secure_zero(h.data(), sizeof(h));
}

HalfGateEvaluator::HalfGateEvaluator() : hash_(fixed_tccr()) {}

void HalfGateEvaluator::evaluate(const Circuit& c, size_t lanes, Block* labels, const Block* tables,
                                 uint64_t& tweak) const {
  check_lanes(lanes);
  if (lanes == kMaxLanes && hash_.uses_vaes() && !force_generic_) {
    detail::gc_evaluate8_vaes(hash_.round_keys(), gate_records(c), c.gates().size(), labels, tables,
                              tweak);
    tweak += c.and_count() * lanes;
    return;
  }
  const size_t L = lanes;
  std::array<Block, 2 * kMaxLanes> h;
  std::array<Block, 2 * kMaxLanes> tw;
  run_gates(c, L, labels, zero_block(), zero_block(),
            [&](const Block* a, const Block* b, Block* out) {
              for (size_t k = 0; k < L; ++k) {
                h[k] = a[k];
                h[L + k] = b[k];
                tw[k] = gc_tweak(2 * (tweak + k));
                tw[L + k] = gc_tweak(2 * (tweak + k) + 1);
              }
              hash_.hash(h.data(), tw.data(), h.data(), 2 * L);
              for (size_t k = 0; k < L; ++k) {
                const Block sa = lsb_mask(a[k]);
                const Block sb = lsb_mask(b[k]);
                out[k] = h[k] ^ (sa & tables[2 * k]) ^ h[L + k] ^ (sb & (tables[2 * k + 1] ^ a[k]));
              }
              tables += 2 * L;
              tweak += L;
            });
  core::secure_zero(h.data(), sizeof(h));
}

}  // namespace pg::mpc
