#include "mpc/nonlinear_garbler.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/secure.h"

namespace pg::mpc {
namespace {

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
  const HalfGateGarbler& gc = session.garbler();
  const size_t ell = p.spec.ell;
  const size_t n_in = p.spec.n_in;
  // The client's whole OT flight is read before the first table goes out: two large flights
  // in opposite directions at once would deadlock a blocking socket once its buffers fill.
  SecretBlocks q(p.cot_bits());
  session.ot().send_cot(ch, q.data(), q.size());
  uint64_t tweak = session.reserve_tweaks(p.and_gates());
  u_seed_ = session.prg().derive_seed();
  delta_ = gc.delta();
  AesCtrStream u_prg(u_seed_);
  decode_.assign(bit_bytes(p.num_outputs() * p.out_bits), 0);
  if (p.fused) {
    SecretBlocks sums(kOnlineChunk * p.width);
    for (size_t e0 = 0; e0 < n_in; e0 += kOnlineChunk) {
      const size_t n = std::min(kOnlineChunk, n_in - e0);
      const Block* qc = q.data() + p.cot_c(e0, 0);
      garble_adders(ch, gc, u_prg, n, qc, sums.data(), tweak);
      garble_windows(ch, gc, p.groups[0], e0, e0 + n, sums.data(), e0, qc, p.cot_c(e0, 0), tweak);
    }
  } else {
    SecretBlocks sums(n_in * p.width);
    for (size_t e0 = 0; e0 < n_in; e0 += kOnlineChunk) {
      const size_t n = std::min(kOnlineChunk, n_in - e0);
      garble_adders(ch, gc, u_prg, n, q.data() + p.cot_c(e0, 0), sums.data() + e0 * p.width, tweak);
    }
    const size_t r0 = n_in * ell;
    for (const LayerPlan::Group& g : p.groups) {
      garble_windows(ch, gc, g, 0, g.outputs.size(), sums.data(), 0, q.data() + r0, r0, tweak);
    }
  }
  if (!p.remask) ch.send_bits(decode_.data(), p.out_bits);
  ch.flush();
  state_ = State::kPrepared;
}

void NonLinearGarbler::garble_adders(Channel& ch, const HalfGateGarbler& gc, AesCtrStream& u_prg,
                                     size_t n, const Block* c_labels, Block* sums,
                                     uint64_t& tweak) {
  const LayerPlan& p = *plan_;
  const size_t ell = p.spec.ell;
  const Circuit& c = p.adder;
  SecretBlocks labels(c.num_slots() * kMaxLanes);
  SecretBlocks u_zero(kMaxLanes * ell);
  std::vector<Block> tables(table_blocks(c, kMaxLanes));
  for (size_t b0 = 0; b0 < n; b0 += kMaxLanes) {
    const size_t lanes = std::min(kMaxLanes, n - b0);
    u_prg.fill(u_zero.data(), lanes * ell);  // the zero labels of u, in element order
    for (size_t k = 0; k < lanes; ++k) {
      const Block* ck = c_labels + (b0 + k) * p.c_stride();
      for (size_t i = 0; i < ell; ++i) {
        labels[(Circuit::kFirstInput + i) * lanes + k] = u_zero[k * ell + i];
        labels[(Circuit::kFirstInput + ell + i) * lanes + k] = ck[i];
      }
    }
    gc.garble(c, lanes, labels.data(), tables.data(), tweak);
    ch.send_blocks(tables.data(), table_blocks(c, lanes));
    for (size_t k = 0; k < lanes; ++k) {
      for (size_t i = 0; i < p.width; ++i) {
        sums[(b0 + k) * p.width + i] = labels[c.outputs()[i] * lanes + k];
      }
    }
  }
}

void NonLinearGarbler::garble_windows(Channel& ch, const HalfGateGarbler& gc,
                                      const LayerPlan::Group& g, size_t j0, size_t j1,
                                      const Block* sums, size_t sums_base, const Block* r_labels,
                                      size_t r_base, uint64_t& tweak) {
  const LayerPlan& p = *plan_;
  const size_t w = p.width;
  const Circuit& c = g.circuit;
  SecretBlocks labels(c.num_slots() * kMaxLanes);
  std::vector<Block> tables(table_blocks(c, kMaxLanes));
  for (size_t b0 = j0; b0 < j1; b0 += kMaxLanes) {
    const size_t lanes = std::min(kMaxLanes, j1 - b0);
    for (size_t k = 0; k < lanes; ++k) {
      const size_t o = g.outputs[b0 + k];
      for (size_t s = 0; s < g.window; ++s) {
        const Block* x = sums + (p.window_input(o, s) - sums_base) * w;
        for (size_t i = 0; i < w; ++i)
          labels[(Circuit::kFirstInput + s * w + i) * lanes + k] = x[i];
      }
      if (!p.remask) continue;
      const Block* r = r_labels + (p.cot_r(o, 0) - r_base);
      for (size_t i = 0; i < p.spec.ell; ++i) {
        labels[(Circuit::kFirstInput + g.window * w + i) * lanes + k] = r[i];
      }
    }
    gc.garble(c, lanes, labels.data(), tables.data(), tweak);
    ch.send_blocks(tables.data(), table_blocks(c, lanes));
    for (size_t k = 0; k < lanes; ++k) {
      const size_t o = g.outputs[b0 + k];
      for (size_t i = 0; i < p.out_bits; ++i) {
        put_bit(decode_.data(), o * p.out_bits + i, lsb(labels[c.outputs()[i] * lanes + k]));
      }
    }
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
  AesCtrStream u_prg(u_seed_);
  SecretBlocks labels(kOnlineChunk * ell);
  for (size_t e0 = 0; e0 < p.spec.n_in; e0 += kOnlineChunk) {
    const size_t n = std::min(kOnlineChunk, p.spec.n_in - e0);
    u_prg.fill(labels.data(), n * ell);
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
