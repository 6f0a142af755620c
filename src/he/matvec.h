// The classic slot-encoded matrix × vector product (Halevi–Shoup diagonals) with the
// baby-step/giant-step split and hoisted baby steps: y = M·x for a d × d real matrix, d a power
// of two dividing N/2, on a vector stored periodically in the slots (x_j in every slot ≡ j mod d).
//
// With n1 baby steps (n1 = 2^⌈log2(d)/2⌉) and n2 = d / n1 giant steps, k = n1·j + i:
//   y = Σ_j rot( Σ_i rot(diag_k, −n1·j) ⊙ rot(x, i), n1·j ),  diag_k[r] = M[r][(r + k) mod d],
// so the n1 − 1 baby rotations share one decomposition and only n2 − 1 giant rotations follow.
// The products of one giant step are summed lazily (Evaluator::inner_product_plain).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "he/ciphertext.h"
#include "he/ckks_encoder.h"
#include "he/evaluator.h"
#include "he/keys.h"

namespace pg::he {

class MatVec {
 public:
  // m: d rows of d values. The diagonals are encoded at `level` with scale Δ.
  MatVec(const CkksEncoder& enc, const std::vector<std::vector<double>>& m, double scale,
         size_t level);

  size_t dim() const { return d_; }
  // The rotation steps whose Galois keys apply() needs.
  std::vector<int64_t> rotation_steps() const;
  // out = M·x (scale x.scale·Δ, not rescaled). x must be at the diagonals' level.
  void apply(const Evaluator& ev, const Ciphertext& x, const GaloisKeys& gk, Ciphertext& out) const;

 private:
  size_t d_, n1_, n2_;
  std::vector<Plaintext> diags_;  // index n1·j + i
};

}  // namespace pg::he
