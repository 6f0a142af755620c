#include "he/context.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace pg::he {

ContextPtr Context::create(ParamsPtr params) {
  if (!params) throw std::invalid_argument("Context::create: null parameters");
  return ContextPtr(new Context(std::move(params)));
}

Context::Context(ParamsPtr params) : params_(std::move(params)) {
  const size_t n = params_->n(), L = params_->data_primes(), k = params_->special_count();
  std::vector<uint64_t> all = params_->primes();
  all.insert(all.end(), params_->special_primes().begin(), params_->special_primes().end());
  for (uint64_t p : all) moduli_.emplace_back(p);
  ntt_.reserve(all.size());
  for (const Modulus& m : moduli_) ntt_.emplace_back(n, m);

  const std::vector<Modulus> data(moduli_.begin(), moduli_.begin() + long(L));
  const std::vector<Modulus> special(moduli_.begin() + long(L), moduli_.end());
  levels_.resize(L);
  int bits = 0;
  double log2_modulus = 0;
  for (size_t l = 0; l < L; ++l) {
    LevelData& d = levels_[l];
    d.level = l;
    bits += moduli_[l].bits();
    d.prime_bits = bits;
    log2_modulus += std::log2(double(moduli_[l].value()));
    d.log2_modulus = log2_modulus;
    const Modulus& last = moduli_[l];
    for (size_t i = 0; i < l; ++i) {
      const Modulus& q = moduli_[i];
      d.inv_last.push_back(ShoupConst::make(q.inverse(q.reduce(last.value())), q.value()));
      d.half_last.push_back(q.reduce(last.value() >> 1));
    }
    d.crt = std::make_unique<CrtComposer>(
        std::vector<Modulus>(moduli_.begin(), moduli_.begin() + long(l) + 1));
    if (k == 0) continue;
    for (size_t lo = 0; lo <= l; lo += k) {
      const size_t hi = std::min(lo + k, l + 1);
      std::vector<Modulus> from(moduli_.begin() + long(lo), moduli_.begin() + long(hi));
      std::vector<Modulus> to;
      for (size_t i = 0; i <= l; ++i) {
        if (i < lo || i >= hi) to.push_back(moduli_[i]);
      }
      to.insert(to.end(), special.begin(), special.end());
      d.mod_up.emplace_back(std::move(from), std::move(to));
    }
  }
  if (k == 0) return;
  mod_down_ = BaseConverter(special, data);
  for (size_t i = 0; i < L; ++i) {
    const Modulus& q = moduli_[i];
    uint64_t p = 1;
    for (const Modulus& s : special) p = q.mul(p, q.reduce(s.value()));
    p_mod_.push_back(p);
    p_inv_.push_back(ShoupConst::make(q.inverse(p), q.value()));
  }
  // floor(P/2) mod every prime, from P's words (P < 2^(60k)).
  CrtComposer pc(special);
  std::vector<uint64_t> half(pc.words());
  const auto& pw = pc.modulus_words();
  for (size_t i = 0; i < half.size(); ++i) {
    half[i] = (pw[i] >> 1) | (i + 1 < half.size() ? pw[i + 1] << 63 : 0);
  }
  for (const Modulus& m : moduli_) {
    uint64_t r = 0;  // Horner from the top word: r = r·2^64 + w mod m
    for (size_t i = half.size(); i-- > 0;) r = m.reduce((u128(r) << 64) | half[i]);
    half_p_mod_.push_back(r);
  }
}

size_t Context::digits(size_t level) const {
  const size_t a = digit_size();
  return a == 0 ? 0 : (level + a) / a;
}

void Context::to_ntt(RnsPoly& p, size_t first) const {
  if (p.ntt) return;
  for (size_t i = 0; i < p.limbs; ++i) ntt_[first + i].forward(p.limb(i));
  p.ntt = true;
}

void Context::from_ntt(RnsPoly& p, size_t first) const {
  if (!p.ntt) return;
  for (size_t i = 0; i < p.limbs; ++i) ntt_[first + i].inverse(p.limb(i));
  p.ntt = false;
}

uint64_t Context::galois_element(int64_t steps) const {
  const uint64_t m = 2 * n(), slots = n() / 2;
  // 5 has order N/2 mod 2N, so steps are taken mod N/2.
  int64_t s = steps % int64_t(slots);
  if (s < 0) s += int64_t(slots);
  uint64_t g = 1;
  for (int64_t i = 0; i < s; ++i) g = g * 5 % m;
  return g;
}

void check_params(const Context& ctx, ParamsId id, size_t level, const char* what) {
  if (id != ctx.id()) {
    throw std::invalid_argument(std::string(what) + " belongs to other parameters");
  }
  if (level > ctx.top_level()) {
    throw std::invalid_argument(std::string(what) + " has level " + std::to_string(level) +
                                " above the top level " + std::to_string(ctx.top_level()));
  }
}

}  // namespace pg::he
