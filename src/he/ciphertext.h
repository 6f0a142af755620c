// Plaintexts and ciphertexts: RNS polynomials at a level of a context, with the CKKS scale.
// Ciphertexts are always in the NTT domain. A seeded ciphertext (from symmetric encryption) has
// c1 = expand_uniform(seed): serialising it sends c0 and the 32-byte seed only. Every operation
// that changes c1 clears the seed; adding or subtracting a plaintext keeps it.
#pragma once

#include <cstddef>
#include <vector>

#include "core/prg.h"
#include "he/context.h"
#include "he/rns_poly.h"

namespace pg::he {

class Plaintext {
 public:
  Plaintext() = default;

  // Zero polynomial at `level` in the given domain, without Shoup companions.
  void reset(const Context& ctx, size_t level, bool ntt, double scale = 1.0);

  ParamsId params_id() const { return params_id_; }
  size_t level() const { return level_; }
  double scale() const { return scale_; }
  void set_scale(double s) { scale_ = s; }
  bool is_ntt() const { return poly_.ntt; }
  // Mutable access drops the Shoup companions (they would go stale).
  RnsPoly& poly() {
    shoup_.clear();
    return poly_;
  }
  const RnsPoly& poly() const { return poly_; }

  // Caches floor(p_j·2^64/q_i) for every NTT coefficient, so that multiply_plain runs as
  // vectorised Shoup multiplications (about twice the plaintext's memory). Call it once on a
  // plaintext that will multiply many ciphertexts, before sharing it between threads.
  void prepare_shoup(const Context& ctx);
  bool has_shoup() const { return !shoup_.empty(); }
  const uint64_t* shoup_row(size_t i) const { return shoup_.data() + i * poly_.n; }

 private:
  RnsPoly poly_;
  U64Vec shoup_;
  ParamsId params_id_ = 0;
  size_t level_ = 0;
  double scale_ = 1.0;
};

class Ciphertext {
 public:
  Ciphertext() = default;

  // `size` polynomials (2, or 3 after a multiplication) at `level`, NTT domain, contents
  // unspecified; clears the seed.
  void reset(const Context& ctx, size_t level, size_t size, double scale);

  size_t size() const { return polys_.size(); }
  size_t level() const { return level_; }
  size_t n() const { return polys_.empty() ? 0 : polys_[0].n; }
  ParamsId params_id() const { return params_id_; }
  double scale() const { return scale_; }
  void set_scale(double s) { scale_ = s; }

  RnsPoly& poly(size_t i) { return polys_[i]; }
  const RnsPoly& poly(size_t i) const { return polys_[i]; }

  bool is_seeded() const { return seeded_; }
  const core::Seed& seed() const { return seed_; }
  void set_seed(const core::Seed& s) {
    seed_ = s;
    seeded_ = true;
  }
  void clear_seed() {
    seeded_ = false;
    seed_ = {};
  }

  // Drops the last primes down to `level` (no division: the CKKS mod switch), or the last
  // polynomials down to `size`.
  void truncate_level(size_t level);
  void truncate_size(size_t size) { polys_.resize(size); }

 private:
  std::vector<RnsPoly> polys_;
  ParamsId params_id_ = 0;
  size_t level_ = 0;
  double scale_ = 1.0;
  bool seeded_ = false;
  core::Seed seed_{};
};

}  // namespace pg::he
