// The integer batching of the slot baseline against plain slot arithmetic in Z_t, t = q_0·q_1:
// encode/decode round trips (centred, reduced mod 2^64), slot-wise products with a plaintext,
// and the engine's rotate(r) acting as a cyclic left shift by r of the S = N/2 slots.
#include "protocol/linear/batch_encoder.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/testing.h"
#include "he/decryptor.h"
#include "he/encryptor.h"
#include "he/evaluator.h"
#include "he/keys.h"

namespace pg::protocol {
namespace {

struct Batching {
  // t = q_0·q_1 (two 30-bit primes), E = q_2, and 88 more bits above the noise of a product
  // with a plaintext (N·t·21 < 2^78); one special prime for the rotations, as large as the
  // largest digit.
  he::ContextPtr ctx =
      he::Context::create(he::ParamsLiteral::from_bits(8192, {30, 30, 24, 44, 44}, {44}));
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(71));
  he::SecretKey sk{ctx, prg};
  BatchEncoder enc{ctx, 2};

  // Encrypts Δ·v at the top level, applies `op`, switches to level 2 and decodes S slots.
  template <typename Op>
  std::vector<uint64_t> run(const std::vector<int64_t>& v, Op op) {
    he::Plaintext pt;
    enc.encode(v, ctx->top_level(), true, pt);
    he::Ciphertext ct;
    he::Encryptor(ctx, sk).encrypt_symmetric(pt, ct, prg);
    op(ct);
    const he::Evaluator ev(ctx);
    ev.mod_switch_round_to_inplace(ct, 2);
    he::Plaintext x;
    he::Decryptor(ctx, sk).decrypt_coeffs(ct, x);
    return enc.decode(x, enc.slots());
  }
};

std::vector<int64_t> values(core::Prg& prg, size_t n) {
  std::vector<int64_t> v(n);
  for (auto& x : v) x = int64_t(prg.next_u64() >> 30) - (int64_t{1} << 33);
  return v;
}

TEST(BatchEncoder, RoundTripIsExactAndCentred) {
  Batching s;
  auto v = values(s.prg, s.enc.slots());
  v[0] = 0;
  v[1] = -1;
  const auto got = s.run(v, [](he::Ciphertext&) {});
  for (size_t i = 0; i < v.size(); ++i) ASSERT_EQ(int64_t(got[i]), v[i]) << i;
}

TEST(BatchEncoder, MaskedValuesWrapModuloT) {
  Batching s;
  // t + 2^ℓ·h with values beyond t/2 decode to their centred representative mod t.
  const int ell = 20;
  std::vector<uint64_t> t(s.enc.slots());
  std::vector<he::u128> h(s.enc.slots());
  for (size_t i = 0; i < t.size(); ++i) {
    t[i] = s.prg.next_u64() & ((1u << ell) - 1);
    h[i] = s.prg.next_u64() >> 26;  // 38 bits: t + 2^20·h reaches 2^58 < t_s/2 ≈ 2^59
  }
  he::Plaintext pt;
  s.enc.encode_masked(t, h, ell, s.ctx->top_level(), true, pt);
  he::Ciphertext ct;
  he::Encryptor(s.ctx, s.sk).encrypt_symmetric(pt, ct, s.prg);
  he::Evaluator(s.ctx).mod_switch_round_to_inplace(ct, 2);
  he::Plaintext x;
  he::Decryptor(s.ctx, s.sk).decrypt_coeffs(ct, x);
  const auto got = s.enc.decode(x, s.enc.slots());
  for (size_t i = 0; i < t.size(); ++i) {
    ASSERT_EQ(got[i], t[i] + (uint64_t(h[i]) << ell)) << i;
  }
}

TEST(BatchEncoder, ProductsAreSlotWise) {
  Batching s;
  const auto v = values(s.prg, s.enc.slots());
  std::vector<int64_t> w(s.enc.slots());
  for (auto& x : w) x = int64_t(s.prg.uniform_below(2001)) - 1000;
  he::Plaintext wp;
  s.enc.encode(w, s.ctx->top_level(), false, wp);
  const auto got =
      s.run(v, [&](he::Ciphertext& ct) { he::Evaluator(s.ctx).multiply_plain_inplace(ct, wp); });
  for (size_t i = 0; i < v.size(); ++i) ASSERT_EQ(int64_t(got[i]), v[i] * w[i]) << i;
}

TEST(BatchEncoder, RotationShiftsSlotsLeft) {
  Batching s;
  const auto v = values(s.prg, s.enc.slots());
  const he::KeyGenerator kg(s.ctx, s.sk);
  const std::vector<int64_t> steps{1, 5, -3, 1000};
  const he::GaloisKeys gk = kg.galois_keys(steps, false, s.prg);
  const size_t n = s.enc.slots();
  for (int64_t r : steps) {
    const auto got =
        s.run(v, [&](he::Ciphertext& ct) { he::Evaluator(s.ctx).rotate_inplace(ct, r, gk); });
    for (size_t i = 0; i < n; ++i) {
      const size_t from = size_t((int64_t(i) + r + int64_t(n)) % int64_t(n));
      ASSERT_EQ(int64_t(got[i]), v[from]) << "rotation " << r << " slot " << i;
    }
  }
}

}  // namespace
}  // namespace pg::protocol
