#include "protocol/linear/slot_term.h"

#include <algorithm>
#include <bit>
#include <functional>
#include <numeric>
#include <stdexcept>
#include <string>

#include "core/secure.h"
#include "protocol/linear/flooding.h"
#include "protocol/linear/masked_value.h"
#include "protocol/linear/term_client.h"
#include "protocol/linear/term_codec.h"

namespace pg::protocol {
namespace {

using Kind = SlotLayout::Kind;

std::vector<uint32_t> all_coeffs(size_t n) {
  std::vector<uint32_t> c(n);
  std::iota(c.begin(), c.end(), 0u);
  return c;
}

size_t ceil_log2(size_t v) {
  return v <= 1 ? 0 : size_t(std::bit_width(v - 1));
}

void run(core::ThreadPool* pool, size_t n, const std::function<void(size_t, size_t)>& fn) {
  pool ? pool->parallel_for(n, fn) : fn(0, n);
}

}  // namespace

size_t slot_reply_bytes(const TermSetup& s, const he::Context& ctx) {
  return kReplyHeaderBytes + s.slot->output_cts() * compact_bytes(ctx, s.params.reply_level,
                                                                  ctx.n(), s.params.drop_bits);
}

core::Bytes slot_encrypt(const TermSetup& s, const he::ContextPtr& ctx, const he::Encryptor& sym,
                         uint32_t k, std::span<const uint64_t> r, core::Prg& prg,
                         core::ThreadPool* pool) {
  const SlotLayout& l = *s.slot;
  const BatchEncoder enc(ctx, s.params.plain_primes);
  return encrypt_mask(
      *ctx, sym, k, r, s.in_size, s.shape.ell, l.input_cts(), l.slots(),
      [&](std::span<const uint64_t> x, size_t i, std::span<uint64_t> v) { l.pack_input(x, i, v); },
      [&](std::span<const uint64_t> v, he::Plaintext& pt) {
        enc.encode_masked(v, {}, s.shape.ell, s.params.top_level(), true, pt);
      },
      prg, pool);
}

core::Result<std::vector<uint64_t>> slot_decrypt(const TermSetup& s, const he::ContextPtr& ctx,
                                                 const he::Decryptor& dec, uint32_t k,
                                                 std::span<const uint8_t> reply,
                                                 core::ThreadPool* pool) {
  const SlotLayout& l = *s.slot;
  const TermParams& p = s.params;
  const BatchEncoder enc(ctx, p.plain_primes);
  const auto coeffs = all_coeffs(ctx->n());
  const uint64_t mask = ring_mask(s.shape.ell);
  std::vector<std::vector<uint64_t>> values(l.output_cts());
  const ReplyLayout layout{p.reply_level, p.drop_bits,
                           [&](size_t) { return std::span<const uint32_t>(coeffs); },
                           l.output_cts()};
  PG_TRY(decrypt_reply(
      *ctx, dec, k, reply, layout,
      [&](size_t o, const he::Plaintext& x) { values[o] = enc.decode(x, l.slots()); }, pool));
  std::vector<uint64_t> c(s.out_size, 0);
  for (const SlotOutput& so : l.outputs()) c[so.index] = values[so.ct][so.slot] & mask;
  for (auto& v : values) core::secure_zero(v.data(), v.size() * sizeof(uint64_t));
  return c;
}

SlotTermServer::~SlotTermServer() {
  core::secure_zero(weights_.data(), weights_.size() * sizeof(int64_t));
  for (auto& pt : cache_) pt.poly().wipe();
}

SlotTermServer::SlotTermServer(const TermSetup& s, he::ContextPtr ctx,
                               std::span<const int64_t> weights, size_t& cache_budget,
                               core::ThreadPool* pool)
    : s_(&s),
      ctx_(ctx),
      enc_(ctx, s.params.plain_primes),
      weights_(weights.begin(), weights.end()) {
  const SlotLayout& l = *s.slot;
  check_weights(s, weights);
  out_slots_.assign(l.output_cts(), {});
  out_index_.assign(l.output_cts(), {});
  for (const SlotOutput& so : l.outputs()) {
    out_slots_[so.ct].push_back(so.slot);
    out_index_[so.ct].push_back(so.index);
  }
  if (l.kind() == Kind::kConv && l.channels_per_ct() > 1) {
    std::vector<int64_t> seg(l.segment(), 1);
    enc_.encode(seg, s.params.top_level(), false, segment_mask_);
  }
  // As many weight plaintexts as the budget holds are prepared once; the rest per reply.
  const size_t each = s.params.primes.size() * l.degree() * sizeof(uint64_t);
  const size_t count = std::min(weight_pts(), cache_budget / each);
  cache_budget -= count * each;
  cache_.resize(count);
  run(pool, cache_.size(), [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) weight_pt(i, cache_[i]);
  });
}

// Conv: (m, j, tap) with j < per-band cts (bands share weights); depthwise: (j, tap);
// dense: (block, chunk, diagonal i < d).
size_t SlotTermServer::weight_pts() const {
  const SlotLayout& l = *s_->slot;
  const size_t taps = size_t(l.geometry().kh) * l.geometry().kw;
  const size_t per_band = l.input_cts() / size_t(std::max(l.bands(), 1));
  switch (l.kind()) {
    case Kind::kConv:
      return size_t(l.geometry().out_c) * per_band * taps;
    case Kind::kDepthwise:
      return per_band * taps;
    case Kind::kDense:
      return l.dense_blocks() * l.dense_chunks() * l.dense_block(0).rp;
  }
  return 0;
}

size_t SlotTermServer::weight_index(size_t a, size_t b, size_t c) const {
  const SlotLayout& l = *s_->slot;
  switch (l.kind()) {
    case Kind::kConv: {
      const size_t taps = size_t(l.geometry().kh) * l.geometry().kw;
      const size_t per_band = l.input_cts() / size_t(l.bands());
      return (a * per_band + b) * taps + c;
    }
    case Kind::kDepthwise:
      return b * size_t(l.geometry().kh) * l.geometry().kw + c;
    case Kind::kDense:
      return (a * l.dense_chunks() + b) * l.dense_block(0).rp + c;
  }
  return 0;
}

void SlotTermServer::weight_pt(size_t idx, he::Plaintext& out) const {
  const SlotLayout& l = *s_->slot;
  const size_t slots = l.slots();
  std::vector<int64_t> v(slots, 0);
  if (l.kind() == Kind::kDense) {
    // Diagonals are indexed with the stride of the largest block (the first): r'_0.
    const size_t d = l.dense_period(), chunks = l.dense_chunks(), stride = l.dense_block(0).rp;
    const size_t i = idx % stride, chunk = idx / stride % chunks, blk = idx / stride / chunks;
    const auto db = l.dense_block(blk);
    const size_t shift = i / db.baby * db.baby;  // pre-rotation by −gi·b
    if (i < db.rp) {
      for (size_t j = 0; j < d; ++j) {
        const size_t row = j % db.rp, col = chunk * d + (j + i) % d;
        if (row >= db.rows || col >= size_t(l.dense_in())) continue;
        v[(j + shift) % slots] = weights_[(db.row0 + row) * size_t(l.dense_in()) + col];
      }
    }
  } else {
    const ConvGeometry& g = l.geometry();
    const size_t taps = size_t(g.kh) * g.kw, tap = idx % taps;
    const size_t per_band = l.input_cts() / size_t(l.bands());
    const size_t j = idx / taps % per_band, m = idx / taps / per_band;
    const size_t cin = size_t(g.in_c / g.groups);
    for (int cl = 0; cl < l.channels_per_ct(); ++cl) {
      const size_t c = j * size_t(l.channels_per_ct()) + size_t(cl);
      if (c >= size_t(g.in_c)) break;
      // Depthwise: channel c's own filter; groups 1: output m's filter on channel c.
      const size_t w =
          l.kind() == Kind::kDepthwise ? (c * cin) * taps + tap : (m * cin + c) * taps + tap;
      std::fill(v.begin() + long(size_t(cl) * l.segment()),
                v.begin() + long(size_t(cl + 1) * l.segment()), weights_[w]);
    }
  }
  enc_.encode(v, s_->params.top_level(), false, out);
  core::secure_zero(v.data(), v.size() * sizeof(int64_t));
}

const he::Plaintext& SlotTermServer::weight(size_t idx, he::Plaintext& tmp) const {
  if (idx < cache_.size()) return cache_[idx];
  weight_pt(idx, tmp);
  return tmp;
}

void SlotTermServer::rotate(const he::Evaluator& ev, he::Ciphertext& a, int64_t steps,
                            const he::GaloisKeys& gk, Counter& cnt, he::Ciphertext& out) const {
  ev.rotate(a, steps, gk, out);
  cnt.rots++;
}

void SlotTermServer::sum_products(const he::Evaluator& ev,
                                  const std::vector<const he::Ciphertext*>& cts,
                                  const std::vector<size_t>& pts, Counter& cnt,
                                  he::Ciphertext& out) const {
  std::vector<he::Plaintext> tmp(pts.size());
  std::vector<const he::Plaintext*> p(pts.size());
  for (size_t i = 0; i < pts.size(); ++i) p[i] = &weight(pts[i], tmp[i]);
  ev.inner_product_plain(cts, p, out);
  cnt.mults += cts.size();
  cnt.adds += cts.size() - 1;
}

void SlotTermServer::conv_output(size_t o, const std::vector<std::vector<he::Ciphertext>>& rot,
                                 const he::GaloisKeys& gk, Counter& cnt,
                                 he::Ciphertext& out) const {
  const SlotLayout& l = *s_->slot;
  const he::Evaluator ev(ctx_);
  const ConvGeometry& g = l.geometry();
  const size_t taps = size_t(g.kh) * g.kw, per_band = l.input_cts() / size_t(l.bands());
  const size_t cn = size_t(l.channels_per_ct());
  if (l.kind() == Kind::kDepthwise) {
    std::vector<const he::Ciphertext*> cts;
    std::vector<size_t> pts;
    for (size_t t = 0; t < taps; ++t) {
      cts.push_back(&rot[o][t]);
      pts.push_back(weight_index(0, o % per_band, t));
    }
    sum_products(ev, cts, pts, cnt, out);
    return;
  }
  const size_t groups = (size_t(g.out_c) + cn - 1) / cn, band = o / groups, grp = o % groups;
  for (size_t m = grp * cn; m < std::min(size_t(g.out_c), (grp + 1) * cn); ++m) {
    std::vector<const he::Ciphertext*> cts;
    std::vector<size_t> pts;
    for (size_t j = 0; j < per_band; ++j) {
      for (size_t t = 0; t < taps; ++t) {
        cts.push_back(&rot[band * per_band + j][t]);
        pts.push_back(weight_index(m, j, t));
      }
    }
    he::Ciphertext acc, tmp;
    sum_products(ev, cts, pts, cnt, acc);
    for (size_t i = 0; i < ceil_log2(cn); ++i) {
      rotate(ev, acc, int64_t(l.segment() << i), gk, cnt, tmp);
      ev.add_inplace(acc, tmp);
      cnt.adds++;
    }
    if (cn > 1) {
      ev.multiply_plain_inplace(acc, segment_mask_);
      cnt.mults++;
    }
    if (m % cn == 0) {
      out = std::move(acc);
    } else {
      rotate(ev, acc, -int64_t(m % cn) * int64_t(l.segment()), gk, cnt, tmp);
      ev.add_inplace(out, tmp);
      cnt.adds++;
    }
  }
}

void SlotTermServer::dense_output(size_t o, const std::vector<std::vector<he::Ciphertext>>& rot,
                                  const he::GaloisKeys& gk, Counter& cnt,
                                  he::Ciphertext& out) const {
  const SlotLayout& l = *s_->slot;
  const he::Evaluator ev(ctx_);
  const auto db = l.dense_block(o);
  he::Ciphertext inner, tmp;
  for (size_t gi = 0; gi < db.giant; ++gi) {
    std::vector<const he::Ciphertext*> cts;
    std::vector<size_t> pts;
    for (size_t c = 0; c < l.dense_chunks(); ++c) {
      for (size_t bi = 0; bi < db.baby; ++bi) {
        cts.push_back(&rot[c][bi]);
        pts.push_back(weight_index(o, c, gi * db.baby + bi));
      }
    }
    sum_products(ev, cts, pts, cnt, inner);
    if (gi == 0) {
      out = std::move(inner);
      continue;
    }
    rotate(ev, inner, int64_t(gi * db.baby), gk, cnt, tmp);
    ev.add_inplace(out, tmp);
    cnt.adds++;
  }
  for (size_t s = db.rp; s < l.dense_period(); s *= 2) {
    rotate(ev, out, int64_t(s), gk, cnt, tmp);
    ev.add_inplace(out, tmp);
    cnt.adds++;
  }
}

void SlotTermServer::finish(size_t o, he::Ciphertext& acc, const he::Encryptor& pk,
                            std::span<uint64_t> t_out, core::Prg& prg, core::ByteWriter& w) const {
  const TermSetup& s = *s_;
  const TermParams& p = s.params;
  const he::Evaluator ev(ctx_);
  const uint64_t mask = ring_mask(s.shape.ell);
  // T = t + 2^ℓ·h on every slot; the output slots hand their t to the server's share.
  std::vector<he::u128> h(enc_.slots());
  std::vector<uint64_t> t(enc_.slots());
  for (size_t j = 0; j < t.size(); ++j) {
    t[j] = prg.next_u64() & mask;
    h[j] = draw_high_mask(prg, p.mask_bits);
  }
  for (size_t i = 0; i < out_slots_[o].size(); ++i) t_out[out_index_[o][i]] = t[out_slots_[o][i]];
  he::Plaintext pt;
  enc_.encode_masked(t, h, s.shape.ell, p.top_level(), true, pt);
  ev.sub_plain_inplace(acc, pt);
  pt.poly().wipe();
  core::secure_zero(h.data(), h.size() * sizeof(he::u128));
  core::secure_zero(t.data(), t.size() * sizeof(uint64_t));
  he::Ciphertext zero;
  flooded_zero(*ctx_, pk, p.top_level(), p.flood_bits, zero, prg);
  ev.add_inplace(acc, zero);
  ev.mod_switch_round_to_inplace(acc, p.reply_level);
  put_compact(w, *ctx_, acc, all_coeffs(ctx_->n()), p.drop_bits);
}

// Step 1: every rotation of every input ciphertext (hoisted: one decomposition per input);
// rot[i][0] is input i itself.
std::vector<std::vector<he::Ciphertext>> SlotTermServer::rotate_inputs(
    std::vector<he::Ciphertext>& in, const he::GaloisKeys& gk, Counter& cnt,
    core::ThreadPool* pool) const {
  const SlotLayout& l = *s_->slot;
  std::vector<int64_t> steps;
  if (l.kind() == Kind::kDense) {
    for (size_t b = 1; b < l.dense_baby_max(); ++b) steps.push_back(int64_t(b));
  } else {
    for (int dy = 0; dy < l.geometry().kh; ++dy) {
      for (int dx = 0; dx < l.geometry().kw; ++dx) {
        if (dy || dx) steps.push_back(int64_t(dy) * l.padded_width() + dx);
      }
    }
  }
  std::vector<std::vector<he::Ciphertext>> rot(in.size());
  run(pool, in.size(), [&](size_t b, size_t e) {
    const he::Evaluator ev(ctx_);
    for (size_t i = b; i < e; ++i) {
      std::vector<he::Ciphertext> r;
      if (!steps.empty()) ev.rotate_hoisted(in[i], steps, gk, r);
      cnt.rots += steps.size();
      rot[i].push_back(std::move(in[i]));
      for (auto& c : r) rot[i].push_back(std::move(c));
    }
  });
  return rot;
}

core::Result<core::Bytes> SlotTermServer::respond(uint32_t k, std::span<const uint8_t> request,
                                                  const he::Encryptor& pk, const he::GaloisKeys& gk,
                                                  std::span<uint64_t> t_out, core::Prg& prg,
                                                  core::ThreadPool* pool,
                                                  nn::HeOpCount* performed) const {
  const TermSetup& s = *s_;
  const SlotLayout& l = *s.slot;
  if (t_out.size() != s.out_size) {
    throw std::invalid_argument("HE respond: t_out must hold the term's outputs");
  }
  for (int64_t step : l.rotation_steps()) {
    if (!gk.has(ctx_->galois_element(step))) {
      throw std::invalid_argument("HE respond: the client's keys lack a rotation the term needs");
    }
  }
  PG_TRY_ASSIGN(auto in, load_request(*ctx_, k, l.input_cts(), request));
  Counter cnt;
  auto rot = rotate_inputs(in, gk, cnt, pool);
  const size_t outs = l.output_cts();
  std::vector<core::Seed> seeds(outs);
  for (auto& sd : seeds) sd = prg.derive_seed();
  std::vector<core::Bytes> parts(outs);
  run(pool, outs, [&](size_t b, size_t e) {
    for (size_t o = b; o < e; ++o) {
      he::Ciphertext acc;
      if (l.kind() == Kind::kDense) {
        dense_output(o, rot, gk, cnt, acc);
      } else {
        conv_output(o, rot, gk, cnt, acc);
      }
      core::Prg sub = core::Prg::from_seed(seeds[o]);
      core::ByteWriter w;
      finish(o, acc, pk, t_out, sub, w);
      parts[o] = w.take();
    }
  });
  core::secure_zero(seeds.data(), seeds.size() * sizeof(core::Seed));
  if (performed) {
    *performed = {};
    performed->ct_pt_mults = cnt.mults;
    performed->additions = cnt.adds;
    performed->rotations = cnt.rots;
    performed->input_cts = rot.size();
    performed->output_cts = outs;
  }
  core::ByteWriter w(slot_reply_bytes(s, *ctx_));
  put_reply_header(w, k, outs);
  for (const auto& part : parts) w.put_raw(part);
  return w.take();
}

}  // namespace pg::protocol
