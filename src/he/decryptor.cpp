#include "he/decryptor.h"

#include <cmath>
#include <stdexcept>
#include <vector>

#include "core/secure.h"
#include "he/polyops.h"

namespace pg::he {

Decryptor::Decryptor(ContextPtr ctx, const SecretKey& sk) : ctx_(std::move(ctx)), sk_(sk) {
  if (!sk.context() || sk.context()->id() != ctx_->id()) {
    throw std::invalid_argument("Decryptor: foreign secret key");
  }
}

void Decryptor::decrypt(const Ciphertext& ct, Plaintext& out) const {
  const Context& ctx = *ctx_;
  check_params(ctx, ct.params_id(), ct.level(), "ciphertext");
  if (ct.size() < 2 || ct.size() > 3) throw std::invalid_argument("decrypt: ciphertext size");
  const size_t n = ctx.n(), level = ct.level();
  out.reset(ctx, level, true, ct.scale());
  RnsPoly& x = out.poly();
  std::vector<uint64_t> s2(ct.size() == 3 ? n : 0);
  for (size_t i = 0; i <= level; ++i) {
    const Modulus& q = ctx.modulus(i);
    const uint64_t* s = sk_.poly().limb(i);
    std::copy(ct.poly(0).limb(i), ct.poly(0).limb(i) + n, x.limb(i));
    rows::mul_shoup_add(ct.poly(1).limb(i), s, sk_.shoup_row(i), x.limb(i), n, q.value());
    if (ct.size() == 3) {
      rows::mul(s, s, s2.data(), n, q);
      rows::mul_add(ct.poly(2).limb(i), s2.data(), x.limb(i), n, q);
    }
  }
  core::secure_zero(s2.data(), s2.size() * sizeof(uint64_t));  // s² is as secret as s
}

void Decryptor::decrypt_coeffs(const Ciphertext& ct, Plaintext& out) const {
  decrypt(ct, out);
  ctx_->from_ntt(out.poly());
}

void Decryptor::decrypt_reply(const Reply& reply, Plaintext& out) const {
  const Context& ctx = *ctx_;
  check_params(ctx, reply.params_id, reply.level, "reply");
  const size_t n = ctx.n(), level = reply.level;
  out.reset(ctx, level, false, 1.0);
  RnsPoly cs = reply.c1;
  for (size_t i = 0; i <= level; ++i) {
    rows::mul_shoup(cs.limb(i), sk_.poly().limb(i), sk_.shoup_row(i), cs.limb(i), n,
                    ctx.modulus(i).value());
  }
  ctx.from_ntt(cs);
  for (size_t i = 0; i <= level; ++i) {
    const Modulus& q = ctx.modulus(i);
    uint64_t* x = out.poly().limb(i);
    for (uint32_t j : reply.coeffs) x[j] = q.add(reply.c0.limb(i)[j], cs.limb(i)[j]);
  }
  cs.wipe();
}

double Decryptor::noise_log2(const Ciphertext& ct, const Plaintext& expected) const {
  const Context& ctx = *ctx_;
  if (expected.level() < ct.level()) throw std::invalid_argument("noise_log2: level mismatch");
  Plaintext x;
  decrypt_coeffs(ct, x);
  RnsPoly m = expected.poly();
  m.truncate(ct.level() + 1);
  ctx.from_ntt(m);
  const size_t n = ctx.n(), rows = ct.level() + 1;
  const CrtComposer& crt = *ctx.level(ct.level()).crt;
  double worst = 0;
  std::vector<uint64_t> res(rows);
  for (size_t j = 0; j < n; ++j) {
    for (size_t i = 0; i < rows; ++i) {
      const uint64_t q = ctx.modulus(i).value(), a = x.poly().limb(i)[j], b = m.limb(i)[j];
      res[i] = a >= b ? a - b : a + q - b;
    }
    worst = std::max(worst, std::fabs(crt.compose_centered_double(res.data())));
  }
  return worst == 0 ? -1.0 : std::log2(worst);
}

}  // namespace pg::he
