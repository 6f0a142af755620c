#include "mpc/nonlinear_evaluator.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/assert.h"
#include "core/secure.h"

namespace pg::mpc {

// Online chunks must start where the garbler's lane batches started.
static_assert(kOnlineChunk % kMaxLanes == 0);

NonLinearEvaluator::NonLinearEvaluator(const NonLinearSpec& spec)
    : plan_(std::make_unique<LayerPlan>(spec)) {}

NonLinearEvaluator::~NonLinearEvaluator() {
  wipe();
}

NonLinearEvaluator::NonLinearEvaluator(NonLinearEvaluator&&) noexcept = default;
NonLinearEvaluator& NonLinearEvaluator::operator=(NonLinearEvaluator&&) noexcept = default;

void NonLinearEvaluator::wipe() {
  labels_.clear();
  labels_.shrink_to_fit();
  tables_.clear();
  tables_.shrink_to_fit();
  decode_.clear();
  decode_.shrink_to_fit();
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
  SecretBytes choices(bit_bytes(p.cot_bits()), 0);
  for (size_t e = 0; e < c.size(); ++e) {
    for (size_t i = 0; i < ell; ++i) put_bit(choices.data(), p.cot_c(e, i), c[e] >> i);
  }
  for (size_t o = 0; o < n_r; ++o) {
    for (size_t i = 0; i < ell; ++i) {
      put_bit(choices.data(), p.cot_r(o, i), r_next[o] >> i);
    }
  }
  labels_.resize(p.cot_bits());
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

void NonLinearEvaluator::evaluate_adders(const Block* u_labels, size_t e0, size_t n, Block* sums,
                                         Cursor& cur) const {
  const LayerPlan& p = *plan_;
  const size_t ell = p.spec.ell;
  const Circuit& c = p.adder;
  SecretBlocks labels(c.num_slots() * kMaxLanes);
  for (size_t b0 = 0; b0 < n; b0 += kMaxLanes) {
    const size_t lanes = std::min(kMaxLanes, n - b0);
    for (size_t k = 0; k < lanes; ++k) {
      for (size_t i = 0; i < ell; ++i) {
        labels[(Circuit::kFirstInput + i) * lanes + k] = u_labels[(b0 + k) * ell + i];
        labels[(Circuit::kFirstInput + ell + i) * lanes + k] = labels_[p.cot_c(e0 + b0 + k, i)];
      }
    }
    gc_->evaluate(c, lanes, labels.data(), cur.tables, cur.tweak);
    cur.tables += table_blocks(c, lanes);
    for (size_t k = 0; k < lanes; ++k) {
      for (size_t i = 0; i < p.width; ++i) {
        sums[(b0 + k) * p.width + i] = labels[c.outputs()[i] * lanes + k];
      }
    }
  }
}

void NonLinearEvaluator::evaluate_windows(const LayerPlan::Group& g, size_t j0, size_t j1,
                                          const Block* sums, size_t sums_base, uint8_t* out_bits,
                                          Cursor& cur) const {
  const LayerPlan& p = *plan_;
  const size_t ell = p.spec.ell;
  const size_t w = p.width;
  const Circuit& c = g.circuit;
  SecretBlocks labels(c.num_slots() * kMaxLanes);
  for (size_t b0 = j0; b0 < j1; b0 += kMaxLanes) {
    const size_t lanes = std::min(kMaxLanes, j1 - b0);
    for (size_t k = 0; k < lanes; ++k) {
      const size_t o = g.outputs[b0 + k];
      for (size_t s = 0; s < g.window; ++s) {
        const size_t e = p.window_input(o, s) - sums_base;
        for (size_t i = 0; i < w; ++i) {
          labels[(Circuit::kFirstInput + s * w + i) * lanes + k] = sums[e * w + i];
        }
      }
      if (!p.remask) continue;
      for (size_t i = 0; i < ell; ++i) {
        labels[(Circuit::kFirstInput + g.window * w + i) * lanes + k] = labels_[p.cot_r(o, i)];
      }
    }
    gc_->evaluate(c, lanes, labels.data(), cur.tables, cur.tweak);
    cur.tables += table_blocks(c, lanes);
    for (size_t k = 0; k < lanes; ++k) {
      const size_t o = g.outputs[b0 + k];
      for (size_t i = 0; i < p.out_bits; ++i) {
        put_bit(out_bits, o * p.out_bits + i, lsb(labels[c.outputs()[i] * lanes + k]));
      }
    }
  }
}

std::optional<uint64_t> NonLinearEvaluator::online(Channel& ch) {
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
  const size_t n_in = p.spec.n_in;
  // Phase A consumes the labels of u chunk by chunk as they arrive. For ReLU every output
  // reads only its own element, so phase B runs on the same chunk right away (cache-warm);
  // otherwise it waits for all sums. Either way the tables are read in order (see
  // nonlinear_spec.h).
  Cursor cur{tables_.data(), tweak_base_};
  SecretBytes out_bits(bit_bytes(p.num_outputs() * p.out_bits), 0);
  SecretBlocks u_labels(kOnlineChunk * ell);
  SecretBlocks sums((p.fused ? kOnlineChunk : n_in) * p.width);
  for (size_t e0 = 0; e0 < n_in; e0 += kOnlineChunk) {
    const size_t n = std::min(kOnlineChunk, n_in - e0);
    ch.recv_blocks(u_labels.data(), n * ell);
    Block* chunk_sums = sums.data() + (p.fused ? 0 : e0 * p.width);
    evaluate_adders(u_labels.data(), e0, n, chunk_sums, cur);
    if (p.fused) evaluate_windows(p.groups[0], e0, e0 + n, chunk_sums, e0, out_bits.data(), cur);
  }
  if (!p.fused) {
    for (const LayerPlan::Group& g : p.groups) {
      evaluate_windows(g, 0, g.outputs.size(), sums.data(), 0, out_bits.data(), cur);
    }
  }
  PG_ASSERT(cur.tables == tables_.data() + tables_.size(), "tables not consumed exactly");
  std::optional<uint64_t> result;
  if (p.remask) {
    ch.send_bits(out_bits.data(), p.num_outputs() * p.out_bits);
    ch.flush();
  } else {
    uint64_t index = 0;
    for (size_t i = 0; i < p.out_bits; ++i) {
      index |= (get_bit(out_bits.data(), i) ^ get_bit(decode_.data(), i)) << i;
    }
    result = index;
  }
  wipe();
  return result;
}

}  // namespace pg::mpc
