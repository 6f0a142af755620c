#include "mpc/nonlinear_garbler.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/secure.h"

namespace pg::mpc {
namespace {

// Elements whose u labels are derived and sent at once in online().
constexpr size_t kOnlineChunk = 1024;

uint64_t ring_mask(size_t ell) {
  return ell == 64 ? ~uint64_t{0} : (uint64_t{1} << ell) - 1;
}

}  // namespace

NonLinearGarbler::NonLinearGarbler(const NonLinearSpec& spec)
    : plan_(std::make_unique<LayerPlan>(spec)) {}

NonLinearGarbler::~NonLinearGarbler() {
  wipe();
}

NonLinearGarbler::NonLinearGarbler(NonLinearGarbler&&) noexcept = default;
NonLinearGarbler& NonLinearGarbler::operator=(NonLinearGarbler&&) noexcept = default;

void NonLinearGarbler::wipe() {
  core::secure_zero(u_seed_.data(), u_seed_.size());
  core::secure_zero(&delta_, sizeof(delta_));
  decode_.clear();
  decode_.shrink_to_fit();
}

void NonLinearGarbler::offline(Channel& ch, GarblerSession& session) {
  if (state_ != State::kNew) {
    throw std::invalid_argument("NonLinearGarbler::offline: this layer was already prepared");
  }
  if (!session.ready()) {
    throw std::invalid_argument("NonLinearGarbler::offline: the session's setup() has not run");
  }
  const LayerPlan& p = *plan_;
  SecretBlocks q(p.cot_bits());
  session.ot().send_cot(ch, q.data(), q.size());
  uint64_t tweak = session.reserve_tweaks(p.and_gates());
  u_seed_ = session.prg().derive_seed();
  delta_ = session.garbler().delta();
  SecretBlocks sums(p.spec.n_in * p.width);
  garble_phase_a(ch, session, q, sums, tweak);
  garble_phase_b(ch, session, q, sums, tweak);
  if (!p.remask) ch.send_bits(decode_.data(), p.out_bits);
  ch.flush();
  state_ = State::kPrepared;
}

void NonLinearGarbler::garble_phase_a(Channel& ch, GarblerSession& session, const SecretBlocks& q,
                                      SecretBlocks& sums, uint64_t& tweak) {
  const LayerPlan& p = *plan_;
  const size_t ell = p.spec.ell;
  const Circuit& c = p.adder;
  core::Prg u_prg = core::Prg::from_seed(u_seed_);
  SecretBlocks labels(c.num_slots() * kMaxLanes);
  SecretBlocks u_zero(kMaxLanes * ell);
  std::vector<Block> tables(table_blocks(c, kMaxLanes));
  for (size_t e0 = 0; e0 < p.spec.n_in; e0 += kMaxLanes) {
    const size_t lanes = std::min(kMaxLanes, p.spec.n_in - e0);
    u_prg.fill_blocks(u_zero.data(), lanes * ell);
    for (size_t k = 0; k < lanes; ++k) {
      for (size_t i = 0; i < ell; ++i) {
        labels[(Circuit::kFirstInput + i) * lanes + k] = u_zero[k * ell + i];
        labels[(Circuit::kFirstInput + ell + i) * lanes + k] = q[(e0 + k) * ell + i];
      }
    }
    session.garbler().garble(c, lanes, labels.data(), tables.data(), tweak);
    ch.send_blocks(tables.data(), table_blocks(c, lanes));
    for (size_t k = 0; k < lanes; ++k) {
      for (size_t i = 0; i < p.width; ++i) {
        sums[(e0 + k) * p.width + i] = labels[c.outputs()[i] * lanes + k];
      }
    }
  }
  core::secure_zero(tables.data(), tables.size() * sizeof(Block));
}

void NonLinearGarbler::garble_phase_b(Channel& ch, GarblerSession& session, const SecretBlocks& q,
                                      const SecretBlocks& sums, uint64_t& tweak) {
  const LayerPlan& p = *plan_;
  const size_t ell = p.spec.ell;
  const size_t w = p.width;
  const size_t r_base = p.spec.n_in * ell;  // COT index of the first r' bit
  decode_.assign(bit_bytes(p.num_outputs() * p.out_bits), 0);
  for (const LayerPlan::Group& g : p.groups) {
    const Circuit& c = g.circuit;
    SecretBlocks labels(c.num_slots() * kMaxLanes);
    std::vector<Block> tables(table_blocks(c, kMaxLanes));
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
          labels[(Circuit::kFirstInput + g.window * w + i) * lanes + k] = q[r_base + o * ell + i];
        }
      }
      session.garbler().garble(c, lanes, labels.data(), tables.data(), tweak);
      ch.send_blocks(tables.data(), table_blocks(c, lanes));
      for (size_t k = 0; k < lanes; ++k) {
        const size_t o = g.outputs[j0 + k];
        for (size_t i = 0; i < p.out_bits; ++i) {
          put_bit(decode_.data(), o * p.out_bits + i, lsb(labels[c.outputs()[i] * lanes + k]));
        }
      }
    }
    core::secure_zero(tables.data(), tables.size() * sizeof(Block));
  }
}

std::vector<uint64_t> NonLinearGarbler::online(Channel& ch, std::span<const uint64_t> u) {
  if (state_ != State::kPrepared) {
    throw std::invalid_argument(
        state_ == State::kUsed
            ? "NonLinearGarbler::online: this layer was already used; preprocessed material "
              "serves exactly one inference"
            : "NonLinearGarbler::online: offline() has not run");
  }
  const LayerPlan& p = *plan_;
  const size_t ell = p.spec.ell;
  if (u.size() != p.spec.n_in) {
    throw std::invalid_argument("NonLinearGarbler::online: expected " +
                                std::to_string(p.spec.n_in) + " shares, got " +
                                std::to_string(u.size()));
  }
  state_ = State::kUsed;  // consumed even if the exchange below fails
  core::Prg u_prg = core::Prg::from_seed(u_seed_);
  SecretBlocks labels(kOnlineChunk * ell);
  for (size_t e0 = 0; e0 < p.spec.n_in; e0 += kOnlineChunk) {
    const size_t n = std::min(kOnlineChunk, p.spec.n_in - e0);
    u_prg.fill_blocks(labels.data(), n * ell);
    for (size_t k = 0; k < n; ++k) {
      const uint64_t v = u[e0 + k];
      for (size_t i = 0; i < ell; ++i) labels[k * ell + i] ^= bit_mask(v >> i) & delta_;
    }
    ch.send_blocks(labels.data(), n * ell);
  }
  ch.flush();
  std::vector<uint64_t> z;
  if (p.remask) {
    SecretBytes permute(decode_.size());
    ch.recv_bits(permute.data(), p.num_outputs() * ell);
    z.assign(p.num_outputs(), 0);
    for (size_t o = 0; o < z.size(); ++o) {
      uint64_t v = 0;
      for (size_t i = 0; i < ell; ++i) {
        v |= (get_bit(permute.data(), o * ell + i) ^ get_bit(decode_.data(), o * ell + i)) << i;
      }
      z[o] = v & ring_mask(ell);
    }
  }
  wipe();
  return z;
}

}  // namespace pg::mpc
