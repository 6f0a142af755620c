#include "mpc/nonlinear_garbler.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/secure.h"
#include "mpc/ordered_steps.h"
#include "mpc/slot_io.h"

namespace pg::mpc {

// One worker's buffers, reused from step to step.
struct NonLinearGarbler::Scratch {
  SecretBlocks adder_slots;
  SecretBlocks window_slots;
  SecretBlocks u_zero;
  PublicBlocks tables;  // the current step's tables, sent as one piece
  size_t table_blocks = 0;

  void size_for(const LayerPlan& p) {
    if (!tables.empty()) return;
    size_t window_slots_n = 0;
    uint64_t most_tables = 0;
    for (const LayerPlan::Group& g : p.groups) {
      window_slots_n = std::max<size_t>(window_slots_n, g.circuit.num_slots());
    }
    for (const LayerPlan::Step& s : p.steps)
      most_tables = std::max(most_tables, p.step_and_gates(s));
    adder_slots.resize(p.adder.num_slots() * kMaxLanes);
    window_slots.resize(window_slots_n * kMaxLanes);
    u_zero.resize(kMaxLanes * p.spec.ell);
    tables.resize(2 * most_tables);
  }
};

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
  run_offline(ch, session, nullptr);
}

void NonLinearGarbler::offline(Channel& ch, GarblerSession& session, core::ThreadPool& pool) {
  run_offline(ch, session, &pool);
}

void NonLinearGarbler::run_offline(Channel& ch, GarblerSession& session, core::ThreadPool* pool) {
  if (state_ != State::kNew) {
    throw std::invalid_argument("NonLinearGarbler::offline: this layer was already prepared");
  }
  if (!session.ready()) {
    throw std::invalid_argument("NonLinearGarbler::offline: the session's setup() has not run");
  }
  const LayerPlan& p = *plan_;
  // The client's whole OT flight is read before the first table goes out: two large flights
  // in opposite directions at once would deadlock a blocking socket once its buffers fill.
  ConsumedSecretBlocks q;
  q.reset(p.cot_bits());
  session.ot().send_cot(ch, q.data(), q.size());
  const uint64_t tweak = session.reserve_tweaks(p.and_gates());
  u_seed_ = session.prg().derive_seed();
  delta_ = session.garbler().delta();
  const AesCtrStream u_prg(u_seed_);
  decode_.assign(p.num_outputs(), 0);
  SecretBlocks sums(p.fused ? 0 : p.spec.n_in * p.width);
  const Offline off{session.garbler(), q, sums.data(), u_prg, tweak};
  std::vector<Scratch> scratch(OrderedSteps::workers(pool));
  // Phase A (or fused) steps, then phase B: each garbled on its worker, sent in step order.
  auto run_steps = [&](size_t first, size_t last) {
    OrderedSteps::run(pool, last - first, [&](size_t w, size_t i, OrderedSteps::Turn& turn) {
      Scratch& sc = scratch[w];
      sc.size_for(p);
      garble_step(p.steps[first + i], off, sc);
      turn.wait();
      ch.send_blocks(sc.tables.data(), sc.table_blocks);
      turn.pass();
    });
  };
  run_steps(0, p.first_window_step);
  run_steps(p.first_window_step, p.steps.size());
  q.mark_consumed();
  if (!p.remask) {
    SecretBytes bits(bit_bytes(p.out_bits));
    BitWriter writer(bits.data());
    writer.put(decode_[0], p.out_bits);
    writer.finish();
    ch.send_bits(bits.data(), p.out_bits);
  }
  ch.flush();
  state_ = State::kPrepared;
}

void NonLinearGarbler::garble_step(const LayerPlan::Step& s, const Offline& off, Scratch& w) {
  const LayerPlan& p = *plan_;
  w.table_blocks = 2 * p.step_and_gates(s);
  p.for_each_batch(s, [&](const LayerPlan::Batch& b) {
    using K = LayerPlan::Batch::Kind;
    Block* tables = w.tables.data() + 2 * b.and_offset;
    const uint64_t tweak = off.tweak + s.and_offset + b.and_offset;
    switch (b.kind) {
      case K::kAdders:
        garble_adder_batch(b.first, b.lanes, off, tables, tweak, w);
        slot_io::store_outputs(w.adder_slots.data(), p.adder, b.lanes, p.width,
                               off.sums + b.first * p.width, p.width);
        break;
      case K::kFusedAdders:
        garble_adder_batch(b.first, b.lanes, off, tables, tweak, w);
        slot_io::chain_outputs(w.adder_slots.data(), p.adder, w.window_slots.data(), b.lanes, 0,
                               p.width);
        break;
      case K::kWindows:
      case K::kFusedWindows:
        garble_window_batch(p.groups[b.group], b.first, b.lanes, off, b.kind == K::kFusedWindows,
                            tables, tweak, w);
        break;
    }
  });
}

void NonLinearGarbler::garble_adder_batch(size_t e, size_t lanes, const Offline& off, Block* tables,
                                          uint64_t tweak, Scratch& w) const {
  const LayerPlan& p = *plan_;
  const size_t ell = p.spec.ell;
  off.u_prg.fill_at(e * ell, w.u_zero.data(), lanes * ell);  // the zero labels of u
  slot_io::load_inputs(w.adder_slots.data(), lanes, 0, w.u_zero.data(), ell, ell);
  slot_io::load_inputs(w.adder_slots.data(), lanes, ell, off.q.data() + p.cot_c(e, 0), p.c_stride(),
                       ell);
  // Fused layers wipe c and r' together once phase B has read r'.
  if (!p.fused) off.q.wipe(p.cot_c(e, 0), lanes * ell);
  off.gc.garble(p.adder, lanes, w.adder_slots.data(), tables, tweak);
}

void NonLinearGarbler::garble_window_batch(const LayerPlan::Group& g, size_t j, size_t lanes,
                                           const Offline& off, bool fused, Block* tables,
                                           uint64_t tweak, Scratch& w) {
  const LayerPlan& p = *plan_;
  Block* slots = w.window_slots.data();
  for (size_t k = 0; k < lanes; ++k) {
    const size_t o = g.outputs[j + k];
    for (size_t s = 0; s < g.window && !fused; ++s) {
      slot_io::load_lane(slots, lanes, k, s * p.width, off.sums + p.window_input(o, s) * p.width,
                         p.width);
    }
    if (p.remask) {
      slot_io::load_lane(slots, lanes, k, g.window * p.width, off.q.data() + p.cot_r(o, 0),
                         p.spec.ell);
      if (!fused) off.q.wipe(p.cot_r(o, 0), p.spec.ell);
    }
  }
  if (fused) off.q.wipe(p.cot_c(j, 0), lanes * p.c_stride());
  off.gc.garble(g.circuit, lanes, slots, tables, tweak);
  uint64_t values[kMaxLanes];
  slot_io::output_lsbs(slots, g.circuit, lanes, p.out_bits, values);
  for (size_t k = 0; k < lanes; ++k) decode_[g.outputs[j + k]] = values[k];
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
      Block* l = labels.data() + k * ell;
      for (size_t i = 0; i < ell; ++i) l[i] ^= bit_mask(v >> i) & delta_;
    }
    ch.send_blocks(labels.data(), n * ell);
  }
  ch.flush();
  std::vector<uint64_t> z;
  if (p.remask) {
    SecretBytes permute(bit_bytes(p.num_outputs() * ell));
    ch.recv_bits(permute.data(), p.num_outputs() * ell);
    BitReader reader(permute.data(), permute.size());
    z.resize(p.num_outputs());
    for (size_t o = 0; o < z.size(); ++o) z[o] = reader.get(ell) ^ decode_[o];
  }
  wipe();
  return z;
}

}  // namespace pg::mpc
