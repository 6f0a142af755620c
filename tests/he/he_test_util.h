// Shared oracles and fixtures for the pg_he tests.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "core/prg.h"
#include "core/testing.h"
#include "he/context.h"

namespace pg::he::test {

inline core::Prg prg_for(uint8_t tag) {
  return core::Prg::from_seed(core::testing::seed_of(tag));
}

// a·w mod (X^n + 1) in Z_{2^64} (reduce mod 2^ℓ by masking), w small and signed, by schoolbook
// multiplication: the exact oracle for the protocol's coefficient-encoded products.
inline std::vector<uint64_t> negacyclic_u64(const std::vector<uint64_t>& a,
                                            const std::vector<int64_t>& w) {
  const size_t n = a.size();
  std::vector<uint64_t> c(n, 0);
  for (size_t i = 0; i < n; ++i) {
    if (w[i] == 0) continue;
    const uint64_t wi = uint64_t(w[i]);
    for (size_t j = 0; j < n; ++j) {
      const uint64_t p = a[j] * wi;
      if (i + j < n) {
        c[i + j] += p;
      } else {
        c[i + j - n] -= p;
      }
    }
  }
  return c;
}

inline uint64_t low_mask(int ell) {
  return ell == 64 ? ~uint64_t{0} : (uint64_t{1} << ell) - 1;
}

// The mean of (x/q_0)² over the coefficients x of row 0 of p (NTT or not), centred in
// (−q_0/2, q_0/2]: 1/12 when they are uniform mod q_0, about 0 when the polynomial is short.
inline double centred_spread(const Context& ctx, RnsPoly p) {
  ctx.from_ntt(p);
  const uint64_t q = ctx.modulus(0).value();
  double sum = 0;
  for (size_t j = 0; j < p.n; ++j) {
    const uint64_t x = p.limb(0)[j];
    const double c = (x > q / 2 ? -double(q - x) : double(x)) / double(q);
    sum += c * c;
  }
  return sum / double(p.n);
}

// For n uniform residues, centred_spread has mean 1/12 and standard deviation √(1/(180·n))
// (Var(U²) = 1/80 − 1/144 for U uniform on [−1/2, 1/2)); the band is 6 of them.
inline double spread_tolerance(size_t n) {
  return 6.0 * std::sqrt(1.0 / (180.0 * double(n)));
}

}  // namespace pg::he::test

#include <algorithm>
#include <cmath>
#include <complex>

namespace pg::he::test {

using Cx = std::complex<double>;

// log2 of the largest absolute slot error (−∞ is returned as −1000).
inline double log2_error(const std::vector<Cx>& got, const std::vector<Cx>& want) {
  double worst = 0;
  for (size_t j = 0; j < want.size(); ++j) worst = std::max(worst, std::abs(got[j] - want[j]));
  return worst == 0 ? -1000.0 : std::log2(worst);
}

inline std::vector<Cx> random_slots(core::Prg& prg, size_t count, double magnitude = 1.0) {
  std::vector<Cx> v(count);
  auto unit = [&] { return (double(prg.next_u64() >> 11) * 0x1p-53 * 2 - 1) * magnitude; };
  for (auto& z : v) z = Cx(unit(), unit());
  return v;
}

}  // namespace pg::he::test
