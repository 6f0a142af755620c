// Shared oracles and fixtures for the pg_he tests.
#pragma once

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
