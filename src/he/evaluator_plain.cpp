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
  std::vector<u128> acc(n * size);
  for (size_t i = 0; i <= level; ++i) {
    const Modulus& q = ctx.modulus(i);
    // Products are below q^2; 2^(124 − 2·bits) of them keep the sum inside Barrett's range.
    const size_t chunk = size_t{1} << std::min(30, std::max(0, 124 - 2 * q.bits()));
    std::fill(acc.begin(), acc.end(), u128(0));
    for (size_t k = 0; k < cts.size(); ++k) {
      const uint64_t* p = pts[k]->poly().limb(i);
      for (size_t c = 0; c < size; ++c) {
        const uint64_t* x = cts[k]->poly(c).limb(i);
        u128* a = acc.data() + c * n;
        for (size_t j = 0; j < n; ++j) a[j] += u128(x[j]) * p[j];
      }
      if ((k + 1) % chunk == 0) {
        for (auto& v : acc) v = q.reduce(v);
      }
    }
    for (size_t c = 0; c < size; ++c) {
      uint64_t* o = r.poly(c).limb(i);
      const u128* a = acc.data() + c * n;
      for (size_t j = 0; j < n; ++j) o[j] = q.reduce(a[j]);
    }
  }
  out = std::move(r);
}

}  // namespace pg::he
