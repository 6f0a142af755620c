// The context: immutable per-parameter data shared by every object of a session (and by several
// threads at once). It holds the moduli and NTT tables of all primes, the per-level chain
// (rescaling constants and CRT composition) and the key-switching precomputations.
//
// Prime indices: 0 .. L−1 are the data primes q_0 .. q_{L−1}; L .. L+k−1 are the special primes.
// A ciphertext at level l has l + 1 rows, for q_0 .. q_l.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "he/modarith.h"
#include "he/ntt.h"
#include "he/params.h"
#include "he/rns.h"
#include "he/rns_poly.h"

namespace pg::he {

// Per level l (primes q_0 .. q_l).
struct LevelData {
  size_t level = 0;
  // Σ bit lengths of q_0 .. q_l: up to one bit per prime above log2 Q (a prime just above 2^(b−1)
  // has b bits), so it sizes buffers and never bounds a value.
  int prime_bits = 0;
  // log2 Q = Σ log2 q_i (within 1e-12): the bound for range checks.
  double log2_modulus = 0;
  std::vector<ShoupConst> inv_last;  // q_l^{-1} mod q_i, i < l (rescale)
  std::vector<uint64_t> half_last;   // floor(q_l / 2) mod q_i, i < l
  std::unique_ptr<CrtComposer> crt;  // q_0 .. q_l
  // Hybrid key switching: digit d holds primes [d·α, min((d+1)·α, l+1)); mod_up[d] converts it
  // to the level's other primes followed by the special primes.
  std::vector<BaseConverter> mod_up;
};

class Context;
using ContextPtr = std::shared_ptr<const Context>;

class Context {
 public:
  static ContextPtr create(ParamsPtr params);
  static ContextPtr create(const ParamsLiteral& lit) { return create(make_params(lit)); }

  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  const Params& params() const { return *params_; }
  const ParamsPtr& params_ptr() const { return params_; }
  ParamsId id() const { return params_->id(); }
  size_t n() const { return params_->n(); }
  size_t top_level() const { return params_->data_primes() - 1; }
  size_t data_primes() const { return params_->data_primes(); }
  size_t special_count() const { return params_->special_count(); }
  // α: the number of data primes per key-switching digit (= the number of special primes).
  size_t digit_size() const { return params_->special_count(); }
  size_t digits(size_t level) const;

  const Modulus& modulus(size_t i) const { return moduli_[i]; }
  const NttTables& ntt(size_t i) const { return ntt_[i]; }
  const LevelData& level(size_t l) const { return levels_[l]; }

  // Key switching constants (valid when special_count() > 0).
  const BaseConverter& mod_down() const { return mod_down_; }     // special → data primes
  const ShoupConst& p_inv(size_t i) const { return p_inv_[i]; }   // P^{-1} mod q_i
  uint64_t p_mod(size_t i) const { return p_mod_[i]; }            // P mod q_i
  uint64_t half_p_mod(size_t i) const { return half_p_mod_[i]; }  // floor(P/2) mod prime i

  // Transforms rows 0 .. p.limbs−1 as the primes `first`, `first` + 1, ... (the usual case is
  // first = 0). Does nothing if the polynomial is already in the requested domain.
  void to_ntt(RnsPoly& p, size_t first = 0) const;
  void from_ntt(RnsPoly& p, size_t first = 0) const;

  // The Galois element of a left rotation of the slots by `steps` (negative: right): 5^steps
  // mod 2N; and that of complex conjugation, 2N − 1.
  uint64_t galois_element(int64_t steps) const;
  uint64_t conjugation_element() const { return 2 * n() - 1; }

 private:
  explicit Context(ParamsPtr params);
  ParamsPtr params_;
  std::vector<Modulus> moduli_;
  std::vector<NttTables> ntt_;
  std::vector<LevelData> levels_;
  BaseConverter mod_down_;
  std::vector<ShoupConst> p_inv_;
  std::vector<uint64_t> p_mod_, half_p_mod_;
};

// Throws std::invalid_argument unless the object's parameters are the context's and its level
// exists; `what` names the object in the message.
void check_params(const Context& ctx, ParamsId id, size_t level, const char* what);

}  // namespace pg::he
