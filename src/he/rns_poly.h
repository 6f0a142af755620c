// A polynomial of Z_Q[X]/(X^N + 1) in RNS form: one row of N residues per prime of the level,
// either as coefficients or in the (bit-reversed) NTT domain.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pg::he {

struct RnsPoly {
  size_t n = 0;
  size_t limbs = 0;
  bool ntt = false;
  std::vector<uint64_t> data;  // limbs × n, limb-major

  RnsPoly() = default;
  RnsPoly(size_t n_in, size_t limbs_in, bool ntt_in)
      : n(n_in), limbs(limbs_in), ntt(ntt_in), data(n_in * limbs_in, 0) {}

  uint64_t* limb(size_t i) { return data.data() + i * n; }
  const uint64_t* limb(size_t i) const { return data.data() + i * n; }
};

}  // namespace pg::he
