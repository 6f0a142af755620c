// The negacyclic number-theoretic transform over Z_q[X]/(X^N + 1), q < 2^62, with Harvey's
// lazy butterflies: values stay in [0, 4q) between stages (no reduction per butterfly) and
// twiddles are Shoup constants. Forward output is in bit-reversed order, which the inverse
// takes as input; pointwise products in that order are negacyclic products.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "he/modarith.h"

namespace pg::he {

class NttTables {
 public:
  NttTables(size_t n, const Modulus& q);

  size_t n() const { return n_; }
  const Modulus& modulus() const { return q_; }

  // In place; input and output in [0, q).
  void forward(uint64_t* a) const;
  void inverse(uint64_t* a) const;

 private:
  size_t n_;
  int log_n_;
  Modulus q_;
  std::vector<ShoupConst> psi_rev_;      // ψ^{bitrev(i)}
  std::vector<ShoupConst> psi_inv_rev_;  // ψ^{-bitrev(i)}, for the inverse butterflies
  ShoupConst n_inv_;
};

}  // namespace pg::he
