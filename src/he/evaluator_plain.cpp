// The ct × pt inner product with lazy reduction (the protocol's multiply-accumulate).
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "he/evaluator.h"

namespace pg::he {

void Evaluator::inner_product_plain(std::span<const Ciphertext* const> cts,
                                    std::span<const Plaintext* const> pts, Ciphertext& out) const {
  if (cts.size() != pts.size() || cts.empty()) {
    throw std::invalid_argument("inner_product_plain: need as many plaintexts as ciphertexts (>0)");
  }
  const Ciphertext& first = *cts[0];
  for (size_t k = 0; k < cts.size(); ++k) {
    check_plain(*cts[k], *pts[k], "inner_product_plain");
    if (cts[k]->level() != first.level() || cts[k]->size() != first.size() ||
        std::fabs(cts[k]->scale() - first.scale()) > 1e-9 * first.scale() ||
        std::fabs(pts[k]->scale() - pts[0]->scale()) > 1e-9 * pts[0]->scale()) {
      throw std::invalid_argument(
          "inner_product_plain: every term needs the same level, size and scales");
    }
  }
  const Context& ctx = *ctx_;
  const size_t n = ctx.n(), level = first.level(), size = first.size();
  Ciphertext r;
  r.reset(ctx, level, size, first.scale() * pts[0]->scale());
  // Blocks of coefficients keep the 128-bit sums in L1 while the terms stream past.
  constexpr size_t kBlock = 256;
  u128 acc[3][kBlock];
  for (size_t i = 0; i <= level; ++i) {
    const Modulus& q = ctx.modulus(i);
    // Products are below q²; 2^(124 − 2·bits) of them keep the sum inside Barrett's range.
    const size_t chunk = size_t{1} << std::min(30, std::max(0, 124 - 2 * q.bits()));
    for (size_t j0 = 0; j0 < n; j0 += kBlock) {
      const size_t m = std::min(kBlock, n - j0);
      for (size_t c = 0; c < size; ++c) std::fill(acc[c], acc[c] + m, u128(0));
      for (size_t k = 0; k < cts.size(); ++k) {
        if (k != 0 && k % chunk == 0) {
          for (size_t c = 0; c < size; ++c) {
            for (size_t j = 0; j < m; ++j) acc[c][j] = q.reduce(acc[c][j]);
          }
        }
        const uint64_t* p = pts[k]->poly().limb(i) + j0;
        for (size_t c = 0; c < size; ++c) {
          const uint64_t* x = cts[k]->poly(c).limb(i) + j0;
          u128* a = acc[c];
          for (size_t j = 0; j < m; ++j) a[j] += u128(x[j]) * p[j];
        }
      }
      for (size_t c = 0; c < size; ++c) {
        uint64_t* o = r.poly(c).limb(i) + j0;
        for (size_t j = 0; j < m; ++j) o[j] = q.reduce(acc[c][j]);
      }
    }
  }
  out = std::move(r);
}

}  // namespace pg::he
