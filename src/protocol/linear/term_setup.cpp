#include "protocol/linear/term_setup.h"

#include <openssl/sha.h>

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>
#include <stdexcept>
#include <string>
#include <tuple>

namespace pg::protocol {
namespace {

constexpr size_t kDegrees[] = {4096, 8192, 16384, 32768};

TermShape shape_of(const nn::HeTerm& t, int ell, int sigma) {
  TermShape s;
  s.ell = ell;
  s.taps = t.geometry.taps();
  s.weight_bits = t.weight_bits;
  s.sigma = sigma;
  return s;
}

std::shared_ptr<const CoeffLayout> coeff_layout(const nn::HeTerm& t, size_t n) {
  const nn::ConvGeometry& g = t.geometry;
  return std::make_shared<const CoeffLayout>(t.dense ? CoeffLayout::dense(g.in_c, g.out_c, n)
                                                     : CoeffLayout::conv(g, n));
}

std::shared_ptr<const SlotLayout> slot_layout(const nn::HeTerm& t, size_t n) {
  const nn::ConvGeometry& g = t.geometry;
  return std::make_shared<const SlotLayout>(t.dense ? SlotLayout::dense(g.in_c, g.out_c, n)
                                                    : SlotLayout::conv(g, n));
}

TermCounts counts_of(const CoeffLayout& l) {
  TermCounts c;
  c.input_cts = l.input_polys();
  c.output_cts = l.output_polys();
  c.products = l.products();
  for (size_t o = 0; o < l.output_polys(); ++o) c.additions += l.terms(o) - 1;
  c.revealed = l.output_size();
  return c;
}

TermCounts counts_of(const SlotLayout& l) {
  const nn::HeOpCount h = l.count();
  TermCounts c;
  c.input_cts = h.input_cts;
  c.output_cts = h.output_cts;
  c.products = h.ct_pt_mults;
  c.rotations = h.rotations;
  c.additions = h.additions;
  c.revealed = h.output_cts * l.degree();
  return c;
}

void fill_reply_lists(TermSetup& s) {
  if (!s.coeff) return;
  const CoeffLayout& l = *s.coeff;
  s.reply_coeffs.assign(l.output_polys(), {});
  s.reply_index.assign(l.output_polys(), {});
  for (size_t o = 0; o < l.output_polys(); ++o) {
    for (const OutputSlot& os : l.outputs(o)) {
      s.reply_coeffs[o].push_back(os.coeff);
      s.reply_index[o].push_back(os.index);
    }
  }
}

std::optional<TermSetup> best_at(const nn::HeTerm& term, const TermShape& shape, HeScheme scheme,
                                 HePacking packing) {
  std::optional<TermSetup> best;
  double best_cost = std::numeric_limits<double>::infinity();
  for (size_t n : kDegrees) {
    TermSetup s;
    try {
      if (packing == HePacking::kCoefficient) {
        s.coeff = coeff_layout(term, n);
        s.shape = shape;
        s.shape.noise_terms = s.coeff->noise_terms();  // the layout at this N decides K_e
        auto p = coeff_params(scheme, s.shape, n);
        if (!p) continue;
        s.params = *p;
        s.counts = counts_of(*s.coeff);
      } else {
        s.slot = slot_layout(term, n);
        s.shape = shape;
        auto p = slot_params(shape, n, *s.slot);
        if (!p) continue;
        s.params = *p;
        s.counts = counts_of(*s.slot);
      }
    } catch (const std::invalid_argument&) {
      continue;  // the layout does not fit this degree
    }
    const double cost = estimate_seconds(s.params, s.counts);
    if (cost < best_cost) {
      best_cost = cost;
      best = std::move(s);
    }
  }
  return best;
}

// The worst noise of several slot layouts: terms that share a ring degree share one parameter
// set, so the client generates one set of Galois keys per degree instead of one per term.
struct MaxNoise : SlotNoise {
  std::vector<const SlotLayout*> layouts;
  double noise(size_t n, double log2_t, double b_ks) const override {
    double worst = 0;
    for (const SlotLayout* l : layouts) worst = std::max(worst, l->noise(n, log2_t, b_ks));
    return worst;
  }
  bool rotates() const override {
    for (const SlotLayout* l : layouts) {
      if (l->rotates()) return true;
    }
    return false;
  }
};

// Gives every slot term of one degree the parameters of the group's worst case, when they exist.
void share_slot_params(std::vector<TermSetup>& terms) {
  std::map<size_t, std::vector<TermSetup*>> by_n;
  for (TermSetup& t : terms) by_n[t.params.n].push_back(&t);
  for (auto& [n, group] : by_n) {
    if (group.size() < 2) continue;
    MaxNoise model;
    TermShape shape = group[0]->shape;
    for (TermSetup* t : group) {
      model.layouts.push_back(t->slot.get());
      shape.taps = std::max(shape.taps, t->shape.taps);
      shape.weight_bits = std::max(shape.weight_bits, t->shape.weight_bits);
    }
    const auto p = slot_params(shape, n, model);
    if (!p) continue;
    for (TermSetup* t : group) t->params = *p;
  }
}

}  // namespace

std::array<uint8_t, 32> PlanSetup::digest() const {
  core::ByteWriter w;
  w.put_string("pangolin/he-setup/v1");
  w.put_u8(uint8_t(options.scheme));
  w.put_u8(uint8_t(options.packing));
  w.put_varint(uint64_t(sigma));
  w.put_varint(terms.size());
  for (const TermSetup& t : terms) {
    const TermParams& p = t.params;
    w.put_u8(uint8_t(p.scheme));
    w.put_u8(uint8_t(p.packing));
    w.put_varint(p.n);
    w.put_u64_array(p.primes);
    w.put_u64_array(p.special);
    for (uint64_t v : {uint64_t(p.reply_level), uint64_t(p.plain_primes), uint64_t(p.flood_bits),
                       uint64_t(p.drop_bits), uint64_t(p.scale_bits), uint64_t(p.mask_bits),
                       uint64_t(t.context), uint64_t(t.shape.ell), uint64_t(t.shape.taps),
                       uint64_t(t.shape.weight_bits), uint64_t(t.shape.noise_terms),
                       uint64_t(t.in_size), uint64_t(t.out_size), uint64_t(t.counts.input_cts),
                       uint64_t(t.counts.output_cts), uint64_t(t.counts.products)}) {
      w.put_varint(v);
    }
  }
  std::array<uint8_t, 32> h{};
  SHA256(w.bytes().data(), w.bytes().size(), h.data());
  return h;
}

uint64_t revealed_values(const nn::HeTerm& term, HePacking packing) {
  const nn::ConvGeometry& g = term.geometry;
  if (packing == HePacking::kCoefficient) return term.dense ? uint64_t(g.out_c) : g.out_size();
  uint64_t worst = 0;
  for (size_t n : kDegrees) {
    try {
      worst = std::max<uint64_t>(worst, slot_layout(term, n)->output_cts() * n);
    } catch (const std::invalid_argument&) {
    }
  }
  return worst;
}

std::optional<TermSetup> setup_term(const nn::HeTerm& term, int ell, int sigma, HeScheme scheme,
                                    HePacking packing) {
  const TermShape shape = shape_of(term, ell, sigma);
  std::optional<TermSetup> best;
  if (packing == HePacking::kSlot) {
    if (scheme == HeScheme::kPow2) {
      throw std::invalid_argument(
          "HE term: the slot packing needs a prime plaintext modulus; Z_{2^l}[X]/(X^N + 1) has no "
          "slots (use HeScheme::kAuto or kCkks)");
    }
    best = best_at(term, shape, HeScheme::kCkks, packing);
  } else if (scheme == HeScheme::kAuto) {
    auto a = best_at(term, shape, HeScheme::kPow2, packing);
    auto b = best_at(term, shape, HeScheme::kCkks, packing);
    if (a && b) {
      best =
          estimate_seconds(a->params, a->counts) <= estimate_seconds(b->params, b->counts) ? a : b;
    } else {
      best = a ? a : b;
    }
  } else {
    best = best_at(term, shape, scheme, packing);
  }
  if (!best) return std::nullopt;
  best->g = term.geometry;
  best->dense = term.dense;
  best->in_size = term.dense ? size_t(term.geometry.in_c) : term.geometry.in_size();
  best->out_size = term.dense ? size_t(term.geometry.out_c) : term.geometry.out_size();
  fill_reply_lists(*best);
  return best;
}

void check_weights(const TermSetup& s, std::span<const int64_t> weights) {
  if (weights.size() != s.g.weight_count()) {
    throw std::invalid_argument("HE server: a term has " + std::to_string(weights.size()) +
                                " weights, its geometry " + std::to_string(s.g.weight_count()));
  }
  const int64_t bound = int64_t{1} << s.shape.weight_bits;
  uint64_t outside = 0;
  for (int64_t w : weights) outside |= uint64_t(w <= -bound) | uint64_t(w >= bound);
  if (outside) {
    throw std::invalid_argument("HE server: a weight exceeds the public bound 2^" +
                                std::to_string(s.shape.weight_bits));
  }
}

PlanSetup PlanSetup::build(const nn::Plan& architecture, const HeOptions& options) {
  architecture.validate();
  PlanSetup ps;
  ps.options = options;
  const auto refs = he_term_refs(architecture);
  auto term_of = [&](const HeTermRef& r) -> const nn::HeTerm& {
    return std::get<nn::AffineStep>(architecture.steps[r.step]).he_terms[r.term];
  };
  uint64_t revealed = 0;
  for (const HeTermRef& r : refs) revealed += revealed_values(term_of(r), options.packing);
  ps.sigma = plan_sigma(revealed);
  for (size_t k = 0; k < refs.size(); ++k) {
    const nn::HeTerm& term = term_of(refs[k]);
    const auto& step = std::get<nn::AffineStep>(architecture.steps[refs[k].step]);
    auto s = setup_term(term, architecture.ell, ps.sigma, options.scheme, options.packing);
    if (!s) {
      throw std::invalid_argument(
          "HE term " + std::to_string(k) + " (step " + std::to_string(refs[k].step) +
          "): no 128-bit-secure exact parameters up to N = 32768 for ell = " +
          std::to_string(architecture.ell) + ", " + std::to_string(term.geometry.taps()) +
          " taps of weights below 2^" + std::to_string(term.weight_bits) +
          " and sigma' = " + std::to_string(ps.sigma) + "; lower ell or f_w");
    }
    if (architecture.tensors[term.in].size() != s->in_size ||
        architecture.tensors[step.out].size() != s->out_size) {
      throw std::invalid_argument("HE term " + std::to_string(k) +
                                  ": tensor sizes differ from "
                                  "its geometry");
    }
    s->ref = refs[k];
    ps.terms.push_back(std::move(*s));
  }
  if (options.packing == HePacking::kSlot) share_slot_params(ps.terms);
  std::map<std::tuple<size_t, std::vector<uint64_t>, std::vector<uint64_t>>, size_t> seen;
  for (TermSetup& s : ps.terms) {
    const auto key = std::make_tuple(s.params.n, s.params.primes, s.params.special);
    auto it = seen.find(key);
    if (it == seen.end()) {
      it = seen.emplace(key, ps.contexts.size()).first;
      ps.contexts.push_back(he::Context::create(s.params.literal()));
      ps.rotations.emplace_back();
    }
    s.context = it->second;
    if (s.slot) {
      auto& steps = ps.rotations[s.context];
      const auto more = s.slot->rotation_steps();
      steps.insert(steps.end(), more.begin(), more.end());
      std::sort(steps.begin(), steps.end());
      steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
    }
  }
  return ps;
}

}  // namespace pg::protocol
