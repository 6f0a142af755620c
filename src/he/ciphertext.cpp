#include "he/ciphertext.h"

#include <stdexcept>

#include "core/assert.h"

namespace pg::he {

void Plaintext::reset(const Context& ctx, size_t level, bool ntt, double scale) {
  if (level > ctx.top_level()) throw std::invalid_argument("Plaintext: level above the top");
  poly_ = RnsPoly(ctx.n(), level + 1, ntt);
  params_id_ = ctx.id();
  level_ = level;
  scale_ = scale;
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
