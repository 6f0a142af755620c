// RNS tools: fast base conversion (Bajard et al.; Halevi–Polyakov–Shoup) and CRT composition
// into multi-precision integers.
//
// A value x in [0, B), B = b_0···b_{k-1}, is held as its residues x_i = x mod b_i. Fast base
// conversion to a basis C computes, for each c_j,
//     Σ_i [x_i·(B/b_i)^{-1}]_{b_i} · (B/b_i)  mod c_j  =  (x + u·B) mod c_j,  0 ≤ u < k,
// without a carry chain: it is exact for k = 1 and off by a small multiple of B otherwise, which
// key switching and modulus switching tolerate by design.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "he/modarith.h"

namespace pg::he {

class BaseConverter {
 public:
  BaseConverter() = default;
  BaseConverter(std::vector<Modulus> from, std::vector<Modulus> to);

  size_t from_size() const { return from_.size(); }
  size_t to_size() const { return to_.size(); }

  // in[i]: n residues in [0, b_i); out[j]: n residues in [0, c_j) for j < to_count (default:
  // all of C). in and out do not overlap.
  void convert(const uint64_t* const* in, uint64_t* const* out, size_t n,
               size_t to_count = SIZE_MAX) const;

 private:
  std::vector<Modulus> from_, to_;
  std::vector<ShoupConst> inv_hat_;             // (B/b_i)^{-1} mod b_i
  std::vector<std::vector<uint64_t>> hat_mod_;  // [j][i] = (B/b_i) mod c_j
};

// Exact CRT composition for a basis of up to 64 primes: residues → x in [0, Q) as little-endian
// 64-bit words, and the centred value x − Q·[x ≥ Q/2] as a double.
class CrtComposer {
 public:
  explicit CrtComposer(std::vector<Modulus> basis);

  size_t size() const { return basis_.size(); }
  size_t words() const { return q_.size(); }
  const std::vector<uint64_t>& modulus_words() const { return q_; }
  const std::vector<uint64_t>& half_modulus_words() const { return half_q_; }  // floor(Q/2)

  // residues[i] = x mod q_i; out gets words() words.
  void compose(const uint64_t* residues, uint64_t* out) const;
  // The centred representative as a double (rounded to nearest by the conversion).
  double compose_centered_double(const uint64_t* residues) const;
  // The centred representative when |x| < 2^127 (Q of at most two 61-bit primes always fits).
  i128 compose_centered_i128(const uint64_t* residues) const;

 private:
  std::vector<Modulus> basis_;
  std::vector<uint64_t> q_;       // Q
  std::vector<uint64_t> half_q_;  // floor(Q / 2)
  std::vector<ShoupConst> inv_hat_;
  std::vector<std::vector<uint64_t>> hat_;  // Q / q_i, words() words each
};

// Multi-precision helpers on little-endian word arrays of equal length n.
namespace mp {
// a += b·w (w one word); returns the carry out.
uint64_t add_mul_word(uint64_t* a, const uint64_t* b, uint64_t w, size_t n);
// a −= b; returns the borrow.
uint64_t sub(uint64_t* a, const uint64_t* b, size_t n);
// −1, 0 or 1 as a < b, a = b, a > b.
int cmp(const uint64_t* a, const uint64_t* b, size_t n);
// a ≥ b
bool geq(const uint64_t* a, const uint64_t* b, size_t n);
double to_double(const uint64_t* a, size_t n);
}  // namespace mp

}  // namespace pg::he
