#include "he/galois.h"

#include <bit>
#include <stdexcept>

namespace pg::he {

std::vector<uint32_t> galois_permutation_ntt(size_t n, uint64_t g) {
  if ((g & 1) == 0 || g >= 2 * n) throw std::invalid_argument("Galois element must be odd < 2N");
  const int log_n = std::countr_zero(n);
  auto rev = [log_n](uint64_t x) {
    uint64_t r = 0;
    for (int i = 0; i < log_n; ++i) r |= ((x >> i) & 1) << (log_n - 1 - i);
    return r;
  };
  const uint64_t mask = 2 * n - 1;
  std::vector<uint32_t> perm(n);
  for (size_t k = 0; k < n; ++k) {
    const uint64_t e = ((2 * rev(k) + 1) * g) & mask;  // odd
    perm[k] = uint32_t(rev((e - 1) >> 1));
  }
  return perm;
}

void apply_galois_coeff(const uint64_t* in, uint64_t g, uint64_t q, uint64_t* out, size_t n) {
  const uint64_t mask = 2 * n - 1;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t e = (i * g) & mask;
    const uint64_t v = in[i];
    if (e < n) {
      out[e] = v;
    } else {
      out[e - n] = v == 0 ? 0 : q - v;
    }
  }
}

}  // namespace pg::he
