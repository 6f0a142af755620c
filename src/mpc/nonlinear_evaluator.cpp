#include "mpc/nonlinear_evaluator.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/assert.h"
#include "core/secure.h"
#include "mpc/ordered_steps.h"
#include "mpc/slot_io.h"

namespace pg::mpc {

// Online steps must start where the garbler's lane batches started.
static_assert(kOnlineChunk % kMaxLanes == 0);

// One worker's buffers, reused from step to step.
struct NonLinearEvaluator::Scratch {
  SecretBlocks adder_slots;
  SecretBlocks window_slots;
  SecretBlocks u_labels;

  void size_for(const LayerPlan& p) {
    if (!u_labels.empty()) return;
    size_t window_slots_n = 0;
    for (const LayerPlan::Group& g : p.groups) {
      window_slots_n = std::max<size_t>(window_slots_n, g.circuit.num_slots());
    }
    adder_slots.resize(p.adder.num_slots() * kMaxLanes);
    window_slots.resize(window_slots_n * kMaxLanes);
    u_labels.resize(kOnlineChunk * p.spec.ell);
  }
};

NonLinearEvaluator::NonLinearEvaluator(const NonLinearSpec& spec)
    : plan_(std::make_unique<LayerPlan>(spec)) {}

NonLinearEvaluator::~NonLinearEvaluator() {
  wipe();
}

NonLinearEvaluator::NonLinearEvaluator(NonLinearEvaluator&&) noexcept = default;
NonLinearEvaluator& NonLinearEvaluator::operator=(NonLinearEvaluator&&) noexcept = default;

void NonLinearEvaluator::wipe() {
  labels_.release();
  tables_.clear();
  tables_.shrink_to_fit();
  decode_.clear();
  decode_.shrink_to_fit();
}

size_t NonLinearEvaluator::held_bytes() const {
  return (labels_.size() + tables_.size()) * sizeof(Block) + decode_.size();
}

void NonLinearEvaluator::reserve() {
  if (state_ != State::kNew) {
    throw std::invalid_argument("NonLinearEvaluator::reserve: this layer was already prepared");
  }
  const LayerPlan& p = *plan_;
  labels_.reset(p.cot_bits());
  tables_.resize(p.table_blocks());
  touch_pages(labels_.data(), labels_.size() * sizeof(Block));
  touch_pages(tables_.data(), tables_.size() * sizeof(Block));
}

void NonLinearEvaluator::offline(Channel& ch, EvaluatorSession& session,
                                 std::span<const uint64_t> c, std::span<const uint64_t> r_next) {
  if (state_ != State::kNew) {
    throw std::invalid_argument("NonLinearEvaluator::offline: this layer was already prepared");
  }
  if (!session.ready()) {
    throw std::invalid_argument("NonLinearEvaluator::offline: the session's setup() has not run");
  }
  const LayerPlan& p = *plan_;
  const size_t ell = p.spec.ell;
  const size_t n_r = p.remask ? p.num_outputs() : 0;
  if (c.size() != p.spec.n_in || r_next.size() != n_r) {
    throw std::invalid_argument("NonLinearEvaluator::offline: expected " +
                                std::to_string(p.spec.n_in) + " shares and " + std::to_string(n_r) +
                                " masks, got " + std::to_string(c.size()) + " and " +
                                std::to_string(r_next.size()));
  }
  // Choice bits in COT order: c_e then r'_e per element (fused), or all c then all r'.
  SecretBytes choices(bit_bytes(p.cot_bits()));
  BitWriter writer(choices.data());
  for (size_t e = 0; e < c.size(); ++e) {
    writer.put(c[e], ell);
    if (p.fused) writer.put(r_next[e], ell);
  }
  for (size_t o = 0; o < n_r && !p.fused; ++o) writer.put(r_next[o], ell);
  writer.finish();
  if (labels_.size() != p.cot_bits()) labels_.reset(p.cot_bits());  // else reserve() made it
  session.ot().recv_cot(ch, choices.data(), labels_.data(), labels_.size());
  tweak_base_ = session.reserve_tweaks(p.and_gates());
  gc_ = &session.evaluator();
  tables_.resize(p.table_blocks());
  ch.recv_blocks(tables_.data(), tables_.size());
  if (!p.remask) {
    decode_.assign(bit_bytes(p.out_bits), 0);
    ch.recv_bits(decode_.data(), p.out_bits);
  }
  state_ = State::kPrepared;
}

void NonLinearEvaluator::evaluate_step(const LayerPlan::Step& s, const Block* u_labels, Block* sums,
                                       Values& out, Scratch& w) {
  const LayerPlan& p = *plan_;
  p.for_each_batch(s, [&](const LayerPlan::Batch& b) {
    using K = LayerPlan::Batch::Kind;
    const Block* tables = tables_.data() + 2 * (s.and_offset + b.and_offset);
    const uint64_t tweak = tweak_base_ + s.and_offset + b.and_offset;
    switch (b.kind) {
      case K::kAdders:
        evaluate_adder_batch(b.first, b.lanes, u_labels + (b.first - s.begin) * p.spec.ell, tables,
                             tweak, w);
        slot_io::store_outputs(w.adder_slots.data(), p.adder, b.lanes, p.width,
                               sums + b.first * p.width, p.width);
        break;
      case K::kFusedAdders:
        evaluate_adder_batch(b.first, b.lanes, u_labels + (b.first - s.begin) * p.spec.ell, tables,
                             tweak, w);
        slot_io::chain_outputs(w.adder_slots.data(), p.adder, w.window_slots.data(), b.lanes, 0,
                               p.width);
        break;
      case K::kWindows:
      case K::kFusedWindows:
        evaluate_window_batch(p.groups[b.group], b.first, b.lanes, sums, b.kind == K::kFusedWindows,
                              out, tables, tweak, w);
        break;
    }
  });
}

void NonLinearEvaluator::evaluate_adder_batch(size_t e, size_t lanes, const Block* u_labels,
                                              const Block* tables, uint64_t tweak, Scratch& w) {
  const LayerPlan& p = *plan_;
  const size_t ell = p.spec.ell;
  slot_io::load_inputs(w.adder_slots.data(), lanes, 0, u_labels, ell, ell);
  slot_io::load_inputs(w.adder_slots.data(), lanes, ell, labels_.data() + p.cot_c(e, 0),
                       p.c_stride(), ell);
  // Fused layers wipe c and r' together once phase B has read r'.
  if (!p.fused) labels_.wipe(p.cot_c(e, 0), lanes * ell);
  gc_->evaluate(p.adder, lanes, w.adder_slots.data(), tables, tweak);
}

void NonLinearEvaluator::evaluate_window_batch(const LayerPlan::Group& g, size_t j, size_t lanes,
                                               const Block* sums, bool fused, Values& out,
                                               const Block* tables, uint64_t tweak, Scratch& w) {
  const LayerPlan& p = *plan_;
  Block* slots = w.window_slots.data();
  for (size_t k = 0; k < lanes; ++k) {
    const size_t o = g.outputs[j + k];
    for (size_t s = 0; s < g.window && !fused; ++s) {
      slot_io::load_lane(slots, lanes, k, s * p.width, sums + p.window_input(o, s) * p.width,
                         p.width);
    }
    if (p.remask) {
      slot_io::load_lane(slots, lanes, k, g.window * p.width, labels_.data() + p.cot_r(o, 0),
                         p.spec.ell);
      if (!fused) labels_.wipe(p.cot_r(o, 0), p.spec.ell);
    }
  }
  if (fused) labels_.wipe(p.cot_c(j, 0), lanes * p.c_stride());
  gc_->evaluate(g.circuit, lanes, slots, tables, tweak);
  uint64_t values[kMaxLanes];
  slot_io::output_lsbs(slots, g.circuit, lanes, p.out_bits, values);
  for (size_t k = 0; k < lanes; ++k) out[g.outputs[j + k]] = values[k];
}

std::optional<uint64_t> NonLinearEvaluator::online(Channel& ch) {
  return run_online(ch, nullptr);
}

std::optional<uint64_t> NonLinearEvaluator::online(Channel& ch, core::ThreadPool& pool) {
  return run_online(ch, &pool);
}

std::optional<uint64_t> NonLinearEvaluator::run_online(Channel& ch, core::ThreadPool* pool) {
  if (state_ != State::kPrepared) {
    throw std::invalid_argument(
        state_ == State::kUsed
            ? "NonLinearEvaluator::online: this layer was already used; preprocessed material "
              "serves exactly one inference"
            : "NonLinearEvaluator::online: offline() has not run");
  }
  state_ = State::kUsed;
  const LayerPlan& p = *plan_;
  const size_t ell = p.spec.ell;
  // Phase A steps take the labels of u from the channel in step order, as the server streams
  // them (see nonlinear_spec.h); fused steps run phase B right away, on cache-warm sums.
  // Otherwise phase B waits for all sums. Each step reads only its own range of the tables.
  Values out(p.num_outputs(), 0);
  SecretBlocks sums(p.fused ? 0 : p.spec.n_in * p.width);
  std::vector<Scratch> scratch(OrderedSteps::workers(pool));
  OrderedSteps::run(pool, p.first_window_step, [&](size_t w, size_t i, OrderedSteps::Turn& turn) {
    const LayerPlan::Step& s = p.steps[i];
    Scratch& sc = scratch[w];
    sc.size_for(p);
    turn.wait();
    ch.recv_blocks(sc.u_labels.data(), (s.end - s.begin) * ell);
    turn.pass();
    evaluate_step(s, sc.u_labels.data(), sums.data(), out, sc);
  });
  OrderedSteps::run_unordered(pool, p.steps.size() - p.first_window_step, [&](size_t w, size_t i) {
    Scratch& sc = scratch[w];
    sc.size_for(p);
    evaluate_step(p.steps[p.first_window_step + i], nullptr, sums.data(), out, sc);
  });
  labels_.mark_consumed();
  std::optional<uint64_t> result;
  if (p.remask) {
    SecretBytes bits(bit_bytes(p.num_outputs() * p.out_bits));
    BitWriter writer(bits.data());
    for (uint64_t v : out) writer.put(v, p.out_bits);
    writer.finish();
    ch.send_bits(bits.data(), p.num_outputs() * p.out_bits);
    ch.flush();
  } else {
    BitReader reader(decode_.data(), decode_.size());
    result = out[0] ^ reader.get(p.out_bits);
  }
  wipe();
  return result;
}

}  // namespace pg::mpc
