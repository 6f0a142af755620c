#include "he/keyswitch.h"

#include <algorithm>
#include <stdexcept>

#include "core/assert.h"
#include "he/polyops.h"

namespace pg::he {

void decompose(const Context& ctx, const RnsPoly& c_ntt, size_t level, Decomposition& out) {
  const size_t n = ctx.n(), k = ctx.special_count(), alpha = ctx.digit_size();
  const size_t ext_rows = level + 1 + k;
  PG_ASSERT(k > 0 && c_ntt.ntt && c_ntt.limbs >= level + 1, "decompose: bad input");
  RnsPoly coeff;
  coeff.resize(n, level + 1, false);
  std::copy(c_ntt.data.begin(), c_ntt.data.begin() + long(n * (level + 1)), coeff.data.begin());
  coeff.ntt = true;
  ctx.from_ntt(coeff);
  const LevelData& ld = ctx.level(level);
  const size_t digits = ctx.digits(level);
  out.level = level;
  out.digits.resize(digits);
  std::vector<const uint64_t*> in;
  std::vector<uint64_t*> to;
  for (size_t d = 0; d < digits; ++d) {
    const size_t lo = d * alpha, hi = std::min(lo + alpha, level + 1);
    RnsPoly& dig = out.digits[d];
    dig.resize(n, ext_rows, true);
    in.clear();
    to.clear();
    for (size_t i = lo; i < hi; ++i) in.push_back(coeff.limb(i));
    for (size_t r = 0; r < ext_rows; ++r) {
      if (r < lo || r >= hi) to.push_back(dig.limb(r));
    }
    ld.mod_up[d].convert(in.data(), to.data(), n);
    for (size_t r = 0; r < ext_rows; ++r) {
      if (r >= lo && r < hi) {
        std::copy(c_ntt.limb(r), c_ntt.limb(r) + n, dig.limb(r));
      } else {
        ctx.ntt(ext_prime(ctx, level, r)).forward(dig.limb(r));
      }
    }
  }
}

namespace {

// ext0 row r = Σ_d x_d · b_d (and ext1 with a_d), x_d = digit d of row r, with the two sums
// held in registers across the digits. Products are below q² < 2^120; a group of `chunk` digits
// keeps a sum below 2^124 (Barrett's range), and groups are reduced and added.
void inner_row(const Decomposition& dec, const KSwitchKey& key, size_t r, size_t key_row,
               const Modulus& q, uint64_t* out0, uint64_t* out1, size_t n) {
  const size_t digits = dec.digits.size();
  const size_t chunk = size_t{1} << std::min(20, std::max(0, 124 - 2 * q.bits()));
  constexpr size_t kMaxDigits = 64;
  const uint64_t* x[kMaxDigits];
  const uint64_t* b[kMaxDigits];
  const uint64_t* a[kMaxDigits];
  PG_ASSERT(digits <= kMaxDigits, "too many digits");
  for (size_t d = 0; d < digits; ++d) {
    x[d] = dec.digits[d].limb(r);
    b[d] = key.b[d].limb(key_row);
    a[d] = key.a[d].limb(key_row);
  }
  const uint64_t qv = q.value();
  for (size_t lo = 0; lo < digits; lo += chunk) {
    const size_t hi = std::min(digits, lo + chunk);
    for (size_t j = 0; j < n; ++j) {
      u128 s0 = 0, s1 = 0;
      for (size_t d = lo; d < hi; ++d) {
        const uint64_t v = x[d][j];
        s0 += u128(v) * b[d][j];
        s1 += u128(v) * a[d][j];
      }
      const uint64_t r0 = q.reduce(s0), r1 = q.reduce(s1);
      if (lo == 0) {
        out0[j] = r0;
        out1[j] = r1;
      } else {
        const uint64_t t0 = out0[j] + r0, t1 = out1[j] + r1;
        out0[j] = t0 >= qv ? t0 - qv : t0;
        out1[j] = t1 >= qv ? t1 - qv : t1;
      }
    }
  }
}

}  // namespace

void switch_key(const Context& ctx, const Decomposition& dec, const KSwitchKey& key, RnsPoly& u0,
                RnsPoly& u1) {
  const size_t n = ctx.n(), level = dec.level, k = ctx.special_count();
  const size_t ext_rows = level + 1 + k;
  if (key.params_id != ctx.id() || key.b.size() < dec.digits.size()) {
    throw std::invalid_argument("key switching: the key does not match the parameters");
  }
  RnsPoly ext0, ext1;
  ext0.resize(n, ext_rows, true);
  ext1.resize(n, ext_rows, true);
  for (size_t r = 0; r < ext_rows; ++r) {
    const size_t p = ext_prime(ctx, level, r);
    inner_row(dec, key, r, p, ctx.modulus(p), ext0.limb(r), ext1.limb(r), n);
  }
  mod_down(ctx, level, ext0, u0);
  mod_down(ctx, level, ext1, u1);
}

void mod_down(const Context& ctx, size_t level, RnsPoly& ext, RnsPoly& out) {
  const size_t n = ctx.n(), k = ctx.special_count(), L = ctx.data_primes();
  // t = [ext + floor(P/2)]_P in the coefficient domain, so that the division below rounds.
  std::vector<const uint64_t*> in(k);
  for (size_t j = 0; j < k; ++j) {
    uint64_t* row = ext.limb(level + 1 + j);
    const NttTables& t = ctx.ntt(L + j);
    t.inverse(row);
    const uint64_t h = ctx.half_p_mod(L + j), p = t.modulus().value();
    for (size_t c = 0; c < n; ++c) {
      const uint64_t s = row[c] + h;
      row[c] = s >= p ? s - p : s;
    }
    in[j] = row;
  }
  RnsPoly conv;
  conv.resize(n, level + 1, false);
  std::vector<uint64_t*> to(level + 1);
  for (size_t i = 0; i <= level; ++i) to[i] = conv.limb(i);
  ctx.mod_down().convert(in.data(), to.data(), n, level + 1);
  out.resize(n, level + 1, true);
  for (size_t i = 0; i <= level; ++i) {
    const Modulus& q = ctx.modulus(i);
    uint64_t* row = conv.limb(i);
    // conv − floor(P/2) ≡ [ext]_P rounded representative (mod q_i), then into the NTT domain.
    const uint64_t h = ctx.half_p_mod(i);
    for (size_t c = 0; c < n; ++c) row[c] = row[c] >= h ? row[c] - h : row[c] + q.value() - h;
    ctx.ntt(i).forward(row);
    rows::sub_mul_scalar(ext.limb(i), row, ctx.p_inv(i), out.limb(i), n, q.value());
  }
}

}  // namespace pg::he
