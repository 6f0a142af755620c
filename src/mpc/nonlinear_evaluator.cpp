#include "mpc/nonlinear_evaluator.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/secure.h"

namespace pg::mpc {

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
    for (size_t i = 0; i < ell; ++i) put_bit(choices.data(), e * ell + i, c[e] >> i);
  }
  for (size_t o = 0; o < n_r; ++o) {
    for (size_t i = 0; i < ell; ++i) {
      put_bit(choices.data(), (c.size() + o) * ell + i, r_next[o] >> i);
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

void NonLinearEvaluator::evaluate_phase_a(const SecretBlocks& u_labels, SecretBlocks& sums,
                                          const Block*& tables, uint64_t& tweak) const {
  const LayerPlan& p = *plan_;
  const size_t ell = p.spec.ell;
  const Circuit& c = p.adder;
  SecretBlocks labels(c.num_slots() * kMaxLanes);
  for (size_t e0 = 0; e0 < p.spec.n_in; e0 += kMaxLanes) {
    const size_t lanes = std::min(kMaxLanes, p.spec.n_in - e0);
    for (size_t k = 0; k < lanes; ++k) {
      for (size_t i = 0; i < ell; ++i) {
        labels[(Circuit::kFirstInput + i) * lanes + k] = u_labels[(e0 + k) * ell + i];
        labels[(Circuit::kFirstInput + ell + i) * lanes + k] = labels_[(e0 + k) * ell + i];
      }
    }
    gc_->evaluate(c, lanes, labels.data(), tables, tweak);
    tables += table_blocks(c, lanes);
    for (size_t k = 0; k < lanes; ++k) {
      for (size_t i = 0; i < p.width; ++i) {
        sums[(e0 + k) * p.width + i] = labels[c.outputs()[i] * lanes + k];
      }
    }
  }
}

void NonLinearEvaluator::evaluate_phase_b(const SecretBlocks& sums, SecretBytes& permute,
                                          const Block*& tables, uint64_t& tweak) const {
  const LayerPlan& p = *plan_;
  const size_t ell = p.spec.ell;
  const size_t w = p.width;
  const size_t r_base = p.spec.n_in * ell;
  for (const LayerPlan::Group& g : p.groups) {
    const Circuit& c = g.circuit;
    SecretBlocks labels(c.num_slots() * kMaxLanes);
    for (size_t j0 = 0; j0 < g.outputs.size(); j0 += kMaxLanes) {
      const size_t lanes = std::min(kMaxLanes, g.outputs.size() - j0);
      for (size_t k = 0; k < lanes; ++k) {
        const size_t o = g.outputs[j0 + k];
        for (size_t s = 0; s < g.window; ++s) {
          const size_t e = p.window_input(o, s);
          for (size_t i = 0; i < w; ++i) {
            labels[(Circuit::kFirstInput + s * w + i) * lanes + k] = sums[e * w + i];
          }
        }
        if (!p.remask) continue;
        for (size_t i = 0; i < ell; ++i) {
          labels[(Circuit::kFirstInput + g.window * w + i) * lanes + k] =
              labels_[r_base + o * ell + i];
        }
      }
      gc_->evaluate(c, lanes, labels.data(), tables, tweak);
      tables += table_blocks(c, lanes);
      for (size_t k = 0; k < lanes; ++k) {
        const size_t o = g.outputs[j0 + k];
        for (size_t i = 0; i < p.out_bits; ++i) {
          put_bit(permute.data(), o * p.out_bits + i, lsb(labels[c.outputs()[i] * lanes + k]));
        }
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
  SecretBlocks u_labels(p.spec.n_in * p.spec.ell);
  ch.recv_blocks(u_labels.data(), u_labels.size());
  SecretBlocks sums(p.spec.n_in * p.width);
  const Block* tables = tables_.data();
  uint64_t tweak = tweak_base_;
  evaluate_phase_a(u_labels, sums, tables, tweak);
  SecretBytes permute(bit_bytes(p.num_outputs() * p.out_bits), 0);
  evaluate_phase_b(sums, permute, tables, tweak);
  std::optional<uint64_t> result;
  if (p.remask) {
    ch.send_bits(permute.data(), p.num_outputs() * p.out_bits);
    ch.flush();
  } else {
    uint64_t index = 0;
    for (size_t i = 0; i < p.out_bits; ++i) {
      index |= (get_bit(permute.data(), i) ^ get_bit(decode_.data(), i)) << i;
    }
    result = index;
  }
  wipe();
  return result;
}

}  // namespace pg::mpc
