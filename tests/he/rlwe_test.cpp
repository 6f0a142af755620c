// RLWE encryption, plaintext products, flooding, modulus switching and the exact BFV-style
// decode, against plaintext arithmetic in Z_{2^ℓ}[X]/(X^N + 1).
#include "he/rlwe.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/testing.h"

namespace pg::he {
namespace {

uint64_t tmask(int ell) {
  return (uint64_t{1} << ell) - 1;
}

// m · w mod (X^n + 1, 2^ell) with small signed w, by schoolbook multiplication.
std::vector<uint64_t> negacyclic_mod_t(const std::vector<uint64_t>& m,
                                       const std::vector<int64_t>& w, int ell) {
  const size_t n = m.size();
  std::vector<uint64_t> c(n, 0);
  for (size_t i = 0; i < n; ++i) {
    if (w[i] == 0) continue;
    for (size_t j = 0; j < n; ++j) {
      const uint64_t p = m[j] * uint64_t(w[i]);
      if (i + j < n) {
        c[i + j] += p;
      } else {
        c[i + j - n] -= p;
      }
    }
  }
  for (auto& v : c) v &= tmask(ell);
  return c;
}

RnsPoly small_poly(const RlweContext& ctx, const std::vector<int64_t>& w, size_t limbs) {
  RnsPoly p(ctx.n(), limbs, false);
  for (size_t i = 0; i < limbs; ++i) {
    for (size_t j = 0; j < ctx.n(); ++j) p.limb(i)[j] = ctx.modulus(i).from_signed(w[j]);
  }
  ctx.to_ntt(p);
  return p;
}

TEST(Rlwe, SymmetricEncryptionDecodesExactly) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(61));
  auto ctx = RlweContext::create(4096, {54, 54});
  SecretKey sk(ctx, prg);
  // Fresh noise is below 2^5 whp, so decoding needs Q/(2t) > 2^5: ell ≤ 48 for one 54-bit
  // prime; two primes (108 bits) hold up to ell = 62.
  for (int ell : {2, 16, 37, 41, 47, 62}) {
    std::vector<uint64_t> m(4096);
    for (auto& v : m) v = prg.next_u64() & tmask(ell);
    m[0] = 0;
    m[1] = tmask(ell);
    m[2] = uint64_t{1} << (ell - 1);
    for (size_t limbs : {size_t{1}, size_t{2}}) {
      if (limbs == 1 && ell > 47) continue;
      const Ciphertext ct = encrypt_symmetric(sk, encode_scaled(*ctx, limbs, m, ell), prg);
      EXPECT_TRUE(ct.seeded);
      EXPECT_EQ(ct.c1.data, expand_uniform(*ctx, ct.seed, limbs).data);
      const RnsPoly x = decrypt_raw(sk, ct);
      for (size_t j = 0; j < m.size(); ++j) {
        ASSERT_EQ(decode_scaled(*ctx, x, j, ell), m[j]) << "ell=" << ell << " limbs=" << limbs;
      }
    }
  }
}

// The protocol's whole affine path: encrypt r, multiply by integer weights, subtract a mask,
// flood with a public-key encryption of zero, switch to the last prime, decode.
TEST(Rlwe, ProductFloodAndModSwitchAreExact) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(62));
  const int ell = 37;
  auto ctx = RlweContext::create(4096, {51, 58});
  SecretKey sk(ctx, prg);
  const PublicKey pk = make_public_key(sk, prg);
  std::vector<uint64_t> r(4096), mask(4096);
  for (auto& v : r) v = prg.next_u64() & tmask(ell);
  for (auto& v : mask) v = prg.next_u64() & tmask(ell);
  std::vector<int64_t> w(4096, 0);
  for (int k = 0; k < 300; ++k)
    w[prg.uniform_below(4096)] = int64_t(prg.uniform_below(1 << 15)) - (1 << 14);
  const Ciphertext ct = encrypt_symmetric(sk, encode_scaled(*ctx, 2, r, ell), prg);
  Ciphertext acc{RnsPoly(4096, 2, true), RnsPoly(4096, 2, true)};
  mul_plain_accumulate(*ctx, ct, small_poly(*ctx, w, 2), acc);
  // − round(Q·mask/t), in the NTT domain.
  RnsPoly em = encode_scaled(*ctx, 2, mask, ell);
  ctx->to_ntt(em);
  const Ciphertext z = encrypt_zero_public(*ctx, pk, 2, 50, prg);
  for (size_t i = 0; i < 2; ++i) {
    const Modulus& q = ctx->modulus(i);
    for (size_t j = 0; j < 4096; ++j) {
      acc.c0.limb(i)[j] = q.add(q.sub(acc.c0.limb(i)[j], em.limb(i)[j]), z.c0.limb(i)[j]);
      acc.c1.limb(i)[j] = q.add(acc.c1.limb(i)[j], z.c1.limb(i)[j]);
    }
  }
  // Before switching, the noise is the flooding: close to 2^50 in magnitude somewhere.
  {
    const RnsPoly x = decrypt_raw(sk, acc);
    const auto want = negacyclic_mod_t(r, w, ell);
    double max_noise = 0;
    u128 big_q = u128(ctx->modulus(0).value()) * ctx->modulus(1).value();
    for (size_t j = 0; j < 4096; ++j) {
      const uint64_t m = (want[j] - mask[j]) & tmask(ell);
      const RnsPoly e = encode_scaled(*ctx, 2, std::vector<uint64_t>{m}, ell);
      RnsPoly one(4096, 2, false);
      for (size_t i = 0; i < 2; ++i)
        one.limb(i)[0] = ctx->modulus(i).sub(x.limb(i)[j], e.limb(i)[0]);
      max_noise = std::max(max_noise, std::fabs(double(compose_centered(*ctx, one, 0))));
    }
    (void)big_q;
    EXPECT_GT(std::log2(max_noise), 49.0);
    EXPECT_LT(std::log2(max_noise), 50.1);
  }
  mod_switch_to(*ctx, acc, 1);
  EXPECT_EQ(acc.limbs(), 1u);
  const RnsPoly x = decrypt_raw(sk, acc);
  const auto want = negacyclic_mod_t(r, w, ell);
  for (size_t j = 0; j < 4096; ++j) {
    ASSERT_EQ(decode_scaled(*ctx, x, j, ell), (want[j] - mask[j]) & tmask(ell)) << j;
  }
}

TEST(Rlwe, SeededExpansionIsPinned) {
  auto ctx = RlweContext::create(4096, {54, 54});
  const RnsPoly a = expand_uniform(*ctx, core::testing::seed_of(7), 2);
  const RnsPoly b = expand_uniform(*ctx, core::testing::seed_of(7), 2);
  EXPECT_EQ(a.data, b.data);
  // The first coefficient is the first 54-bit-masked AES-CTR word below q_0 of seed 0x07..07.
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(7));
  EXPECT_EQ(a.limb(0)[0], prg.uniform_below(ctx->modulus(0).value()));
  EXPECT_NE(a.data, expand_uniform(*ctx, core::testing::seed_of(8), 2).data);
}

TEST(Rlwe, InsecureAndInvalidParametersAreRejected) {
  try {
    (void)RlweContext::create(4096, {60, 50});
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "RLWE: log2 Q = 110 exceeds 109 bits, the 128-bit bound for N = 4096 "
                 "(HomomorphicEncryption.org)");
  }
  EXPECT_NO_THROW((void)RlweContext::create(4096, {54, 55}));
  EXPECT_NO_THROW((void)RlweContext::create(8192, {60, 60, 60, 38}));
  EXPECT_THROW((void)RlweContext::create(8192, {60, 60, 60, 39}), std::invalid_argument);
  EXPECT_THROW((void)RlweContext::create(3000, {30}), std::invalid_argument);
  EXPECT_THROW((void)RlweContext::create(4096, {61}), std::invalid_argument);
  EXPECT_THROW((void)RlweContext::create_with_primes(4096, {12289}), std::invalid_argument);
}

}  // namespace
}  // namespace pg::he
