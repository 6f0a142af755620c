#include "protocol/linear/flooding.h"

#include <stdexcept>
#include <vector>

#include "core/secure.h"
#include "he/modarith.h"

namespace pg::protocol {

void flooded_zero(const he::Context& ctx, const he::Encryptor& pk_encryptor, size_t level,
                  int flood_bits, he::Ciphertext& out, core::Prg& prg) {
  constexpr int kEngineMax = 120;
  if (flood_bits < 0 || flood_bits > 1000) {
    throw std::invalid_argument("flooded_zero: flooding bits must be in [0, 1000]");
  }
  if (flood_bits <= kEngineMax) {
    pk_encryptor.encrypt_zero_flooded(level, flood_bits, out, prg);
    return;
  }
  pk_encryptor.encrypt_zero_flooded(level, 0, out, prg);
  const size_t n = ctx.n(), words = size_t(flood_bits + 1 + 63) / 64;
  const size_t top_bits = size_t(flood_bits + 1) - 64 * (words - 1);  // bits in the top word
  const uint64_t top_mask = top_bits == 64 ? ~uint64_t{0} : (uint64_t{1} << top_bits) - 1;
  he::RnsPoly f(n, level + 1, false);
  std::vector<uint64_t> v(words), offset(level + 1);
  for (size_t i = 0; i <= level; ++i) {
    // 2^f mod q_i: the offset that centres v ∈ [0, 2^(f+1)) on [−2^f, 2^f).
    offset[i] = ctx.modulus(i).pow(2, uint64_t(flood_bits));
  }
  for (size_t j = 0; j < n; ++j) {
    for (auto& w : v) w = prg.next_u64();
    v[words - 1] &= top_mask;
    for (size_t i = 0; i <= level; ++i) {
      const he::Modulus& q = ctx.modulus(i);
      uint64_t acc = 0;  // Horner from the top word (q < 2^60 keeps the input below 2^124)
      for (size_t k = words; k-- > 0;) acc = q.reduce((he::u128(acc) << 64) | v[k]);
      const uint64_t d = acc - offset[i];  // branch-free: add q back on a borrow
      f.limb(i)[j] = d + (q.value() & core::ct_lt(acc, offset[i]));
    }
  }
  core::secure_zero(v.data(), v.size() * sizeof(uint64_t));
  ctx.to_ntt(f);
  for (size_t i = 0; i <= level; ++i) {
    const he::Modulus& q = ctx.modulus(i);
    uint64_t* c0 = out.poly(0).limb(i);
    const uint64_t* fl = f.limb(i);
    for (size_t j = 0; j < n; ++j) c0[j] = q.add(c0[j], fl[j]);
  }
  f.wipe();
}

}  // namespace pg::protocol
