#include "he/ciphertext.h"

#include <stdexcept>

#include "core/assert.h"

namespace pg::he {

void Plaintext::reset(const Context& ctx, size_t level, bool ntt, double scale) {
  if (level > ctx.top_level()) throw std::invalid_argument("Plaintext: level above the top");
  poly_ = RnsPoly(ctx.n(), level + 1, ntt);
  shoup_.clear();  // companions of the old polynomial would make multiply_plain use it
  params_id_ = ctx.id();
  level_ = level;
  scale_ = scale;
}

void Plaintext::prepare_shoup(const Context& ctx) {
  check_params(ctx, params_id_, level_, "plaintext");
  if (!poly_.ntt) throw std::invalid_argument("prepare_shoup: the plaintext must be in NTT form");
  shoup_.resize(poly_.data.size());
  for (size_t i = 0; i < poly_.limbs; ++i) {
    const Modulus& q = ctx.modulus(i);
    const uint64_t* p = poly_.limb(i);
    uint64_t* w = shoup_.data() + i * poly_.n;
    for (size_t j = 0; j < poly_.n; ++j) w[j] = q.shoup(p[j]);
  }
}

void Ciphertext::reset(const Context& ctx, size_t level, size_t size, double scale) {
  if (level > ctx.top_level()) throw std::invalid_argument("Ciphertext: level above the top");
  PG_ASSERT(size >= 1 && size <= 3, "ciphertext size");
  polys_.resize(size);
  for (RnsPoly& p : polys_) p.resize(ctx.n(), level + 1, true);
  params_id_ = ctx.id();
  level_ = level;
  scale_ = scale;
  clear_seed();
}

void Ciphertext::truncate_level(size_t level) {
  if (level > level_) throw std::invalid_argument("truncate_level: cannot raise the level");
  // The seed stays valid: expand_uniform is prefix-stable, so the kept rows of c1 are still the
  // expansion of the seed.
  for (RnsPoly& p : polys_) p.truncate(level + 1);
  level_ = level;
}

}  // namespace pg::he
