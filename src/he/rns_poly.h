// A polynomial of Z_Q[X]/(X^N + 1) in RNS form: one row of N residues per prime, limb-major,
// either as coefficients or in the (bit-reversed) NTT domain. Which primes the rows belong to is
// the owner's business: for ciphertexts and plaintexts at level l, rows 0..l are q_0..q_l;
// inside key switching, extended polynomials append the special primes.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/secure.h"
#include "he/aligned.h"

namespace pg::he {

struct RnsPoly {
  size_t n = 0;
  size_t limbs = 0;
  bool ntt = false;
  U64Vec data;  // limbs × n

  RnsPoly() = default;
  // Zero-filled.
  RnsPoly(size_t n_in, size_t limbs_in, bool ntt_in)
      : n(n_in), limbs(limbs_in), ntt(ntt_in), data(n_in * limbs_in, 0) {}

  // Reshapes without initialising the contents.
  void resize(size_t n_in, size_t limbs_in, bool ntt_in) {
    n = n_in;
    limbs = limbs_in;
    ntt = ntt_in;
    data.resize(n * limbs);
  }
  // Keeps the first `k` rows.
  void truncate(size_t k) {
    limbs = k;
    data.resize(n * k);
  }
  void wipe() { core::secure_zero(data.data(), data.size() * sizeof(uint64_t)); }

  uint64_t* limb(size_t i) { return data.data() + i * n; }
  const uint64_t* limb(size_t i) const { return data.data() + i * n; }

  bool operator==(const RnsPoly& o) const {
    return n == o.n && limbs == o.limbs && ntt == o.ntt && data == o.data;
  }
};

}  // namespace pg::he
