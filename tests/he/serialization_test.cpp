// Round trips of every serialisable object, the sizes of full and seeded ciphertexts, and the
// validation of foreign, truncated, extended and corrupted input.
#include "he/serialization.h"

#include <gtest/gtest.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <string>
#include <vector>

#include "he/coeff_encoder.h"
#include "he/decryptor.h"
#include "he/encryptor.h"
#include "he/evaluator.h"
#include "he/packing.h"
#include "he/sampling.h"
#include "he_test_util.h"

namespace pg::he {
namespace {

#if defined(__GLIBC__)
// Bytes the C heap has handed out and not taken back (arenas and mmapped blocks).
size_t heap_in_use() {
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}
#endif

struct Keys {
  core::Prg prg = test::prg_for(81);
  ContextPtr ctx = Context::create(ParamsLiteral::from_bits(4096, {35, 35}, {39}));
  SecretKey sk{ctx, prg};
  KeyGenerator kg{ctx, sk};
};

template <typename T>
void expect_rejects_damage(const core::Bytes& good, T load) {
  for (size_t cut : {size_t{0}, size_t{3}, size_t{6}, size_t{14}, good.size() - 1}) {
    EXPECT_FALSE(load(std::span(good).first(cut)).ok()) << "cut " << cut;
  }
  core::Bytes longer = good;
  longer.push_back(0);
  EXPECT_FALSE(load(longer).ok());
  core::Bytes magic = good;
  magic[0] ^= 1;
  EXPECT_FALSE(load(magic).ok());
  core::Bytes id = good;
  id[8] ^= 1;  // the parameters' id
  EXPECT_FALSE(load(id).ok());
}

TEST(Serialization, CiphertextsRoundTripFullAndSeeded) {
  Keys k;
  const Context& ctx = *k.ctx;
  Plaintext pt;
  CoeffEncoder(k.ctx).encode_int(std::vector<int64_t>{5, -6, 7}, 1, pt);
  Ciphertext ct;
  Encryptor(k.ctx, k.sk).encrypt_symmetric(pt, ct, k.prg);
  const core::Bytes seeded = save_ciphertext(ctx, ct);
  const core::Bytes full = save_ciphertext(ctx, ct, true);
  EXPECT_EQ(seeded.size(), ciphertext_bytes(ctx, 1, 2, true));
  EXPECT_EQ(full.size(), ciphertext_bytes(ctx, 1, 2, false));
  // 70 bits per coefficient and polynomial: 4096·70/8 = 35,840 bytes each, a 25-byte header,
  // and the 32-byte seed in place of c1.
  EXPECT_EQ(full.size(), 25u + 2 * 35840);
  EXPECT_EQ(seeded.size(), 25u + 35840 + 32);
  for (const auto* bytes : {&seeded, &full}) {
    auto back = load_ciphertext(ctx, *bytes);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(back.value().poly(0), ct.poly(0));
    EXPECT_EQ(back.value().poly(1), ct.poly(1));
    EXPECT_EQ(back.value().level(), 1u);
    EXPECT_EQ(back.value().scale(), ct.scale());
    EXPECT_EQ(back.value().is_seeded(), bytes == &seeded);
  }
  expect_rejects_damage(seeded,
                        [&](std::span<const uint8_t> b) { return load_ciphertext(ctx, b); });
  expect_rejects_damage(full, [&](std::span<const uint8_t> b) { return load_ciphertext(ctx, b); });
  // Other parameters, a level above the top, residues above q.
  const auto other = Context::create(ParamsLiteral::from_bits(4096, {35, 35}, {38}));
  EXPECT_EQ(load_ciphertext(*other, full).error().code, core::ErrorCode::kMismatch);
  core::Bytes lvl = full;
  lvl[14] = 2;
  EXPECT_FALSE(load_ciphertext(ctx, lvl).ok());
  core::Bytes big = full;
  for (int i = 0; i < 5; ++i) big[25 + i] = 0xff;  // first residue: 2^35 − 1 > q_0
  EXPECT_FALSE(load_ciphertext(ctx, big).ok());
  // A size-3 ciphertext is never written seeded.
  Ciphertext sq;
  Evaluator(k.ctx).multiply(ct, ct, sq);
  auto sq_back = load_ciphertext(ctx, save_ciphertext(ctx, sq));
  ASSERT_TRUE(sq_back.ok());
  EXPECT_EQ(sq_back.value().size(), 3u);
  EXPECT_EQ(sq_back.value().poly(2), sq.poly(2));
}

TEST(Serialization, PlaintextsParamsAndKeysRoundTrip) {
  Keys k;
  const Context& ctx = *k.ctx;
  Plaintext pt;
  CoeffEncoder(k.ctx).encode_real(std::vector<double>{1.5, -2.5}, 1024.0, 0, pt);
  auto pt_back = load_plaintext(ctx, save_plaintext(ctx, pt));
  ASSERT_TRUE(pt_back.ok());
  EXPECT_EQ(pt_back.value().poly(), pt.poly());
  EXPECT_EQ(pt_back.value().scale(), 1024.0);
  expect_rejects_damage(save_plaintext(ctx, pt),
                        [&](std::span<const uint8_t> b) { return load_plaintext(ctx, b); });

  const core::Bytes pbytes = save_params(ctx.params());
  auto params = load_params(pbytes);
  ASSERT_TRUE(params.ok());
  EXPECT_EQ(params.value()->id(), ctx.id());
  core::Bytes insecure = save_params(*make_params(ParamsLiteral::from_bits(4096, {54, 54})));
  insecure[insecure.size() - 9] = 0x10;  // a data prime becomes a non-prime: rejected
  EXPECT_FALSE(load_params(insecure).ok());
  for (size_t cut = 0; cut < pbytes.size(); ++cut) {
    EXPECT_FALSE(load_params(std::span(pbytes).first(cut)).ok());
  }

  auto sk_back = load_secret_key(k.ctx, save_secret_key(ctx, k.sk));
  ASSERT_TRUE(sk_back.ok());
  EXPECT_EQ(sk_back.value().poly(), k.sk.poly());
  EXPECT_EQ(save_secret_key(ctx, k.sk).size(), 14u + 4096 / 4);

  const PublicKey pk = k.kg.public_key(k.prg);
  const core::Bytes pkb = save_public_key(ctx, pk);
  auto pk_back = load_public_key(ctx, pkb);
  ASSERT_TRUE(pk_back.ok());
  EXPECT_EQ(pk_back.value().p0, pk.p0);
  EXPECT_EQ(pk_back.value().p1, pk.p1);
  expect_rejects_damage(pkb, [&](std::span<const uint8_t> b) { return load_public_key(ctx, b); });

  const RelinKeys rk = k.kg.relin_keys(k.prg);
  auto rk_back = load_relin_keys(ctx, save_relin_keys(ctx, rk));
  ASSERT_TRUE(rk_back.ok());
  for (size_t d = 0; d < rk.key.b.size(); ++d) {
    EXPECT_EQ(rk_back.value().key.b[d], rk.key.b[d]);
    EXPECT_EQ(rk_back.value().key.a[d], rk.key.a[d]);
  }
  const GaloisKeys gk = k.kg.galois_keys({1, -3}, true, k.prg);
  const core::Bytes gkb = save_galois_keys(ctx, gk);
  auto gk_back = load_galois_keys(ctx, gkb);
  ASSERT_TRUE(gk_back.ok());
  EXPECT_EQ(gk_back.value().keys.size(), 3u);
  for (const auto& [g, key] : gk.keys) {
    ASSERT_TRUE(gk_back.value().has(g));
    EXPECT_EQ(gk_back.value().keys.at(g).b[0], key.b[0]);
    EXPECT_EQ(gk_back.value().keys.at(g).a[1], key.a[1]);
    EXPECT_EQ(gk_back.value().perms.at(g), gk.perms.at(g));
  }
  expect_rejects_damage(gkb, [&](std::span<const uint8_t> b) { return load_galois_keys(ctx, b); });
  // Keys are sent seeded: about half of b and a.
  EXPECT_LT(gkb.size(), 3 * 2 * (ctx.digits(1) * 3 * 4096 * 39 / 8 / 2 + 64));
}

// A header that claims a top-level plaintext at N = 2^15 with 14 primes (3.5 MiB of rows) but
// brings no payload is refused by its length alone, before the loader allocates the rows.
TEST(Serialization, ShortPlaintextIsRefusedBeforeAllocating) {
  const auto ctx = Context::create(ParamsLiteral::from_bits(32768, std::vector<int>(14, 60)));
  const size_t top = ctx->top_level();
  Plaintext pt;
  pt.reset(*ctx, top, true);
  const core::Bytes full = save_plaintext(*ctx, pt);
  const size_t header = full.size() - packing::rows_bytes(*ctx, top + 1);
  ASSERT_LT(header, 32u);
  for (size_t extra : {size_t{0}, size_t{8}}) {
    const auto bytes = std::span(full).first(header + extra);
#if defined(__GLIBC__)
    const size_t before = heap_in_use();
#endif
    auto back = load_plaintext(*ctx, bytes);
    ASSERT_FALSE(back.ok());
    EXPECT_EQ(back.error().code, core::ErrorCode::kMalformed) << back.error().to_string();
    EXPECT_NE(back.error().message.find("wrong length"), std::string::npos);
#if defined(__GLIBC__)
    // The rows would stay in the thread's block cache (aligned.h) had they been allocated.
    EXPECT_LT(heap_in_use(), before + (size_t{1} << 20)) << "extra " << extra;
#endif
  }
}

// A loaded key works: decryption with the reloaded secret, encryption with the reloaded public
// key.
TEST(Serialization, ReloadedKeysWork) {
  Keys k;
  const Context& ctx = *k.ctx;
  auto sk2 = load_secret_key(k.ctx, save_secret_key(ctx, k.sk));
  auto pk2 = load_public_key(ctx, save_public_key(ctx, k.kg.public_key(k.prg)));
  ASSERT_TRUE(sk2.ok() && pk2.ok());
  const CoeffEncoder ce(k.ctx);
  const std::vector<uint64_t> m{1, 2, 3, 1ull << 19};
  Plaintext pt, x;
  ce.encode_scaled(m, 20, 1, pt);
  Ciphertext ct;
  Encryptor(k.ctx, pk2.value()).encrypt(pt, ct, k.prg);
  Decryptor(k.ctx, sk2.value()).decrypt_coeffs(ct, x);
  const auto got = ce.decode_scaled(x, 20);
  for (size_t j = 0; j < m.size(); ++j) EXPECT_EQ(got[j], m[j]);
}

}  // namespace
}  // namespace pg::he
