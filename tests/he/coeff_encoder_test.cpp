// The protocol's path (PROTOCOL.md §3 steps 2–4) end to end against plaintext arithmetic in
// Z_{2^ℓ}[X]/(X^N + 1): seeded symmetric encryption of BFV-scaled masks, the lazy ct×pt inner
// product with integer weights, subtraction of the server's mask, flooding with a public-key
// encryption of zero, modulus switching down to the reply prime, and exact decoding. Also the
// CKKS-scaled integer variant (decode round(x/Δ) exactly), edge values and misuse.
#include "he/coeff_encoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <utility>
#include <vector>

#include "he/decryptor.h"
#include "he/encryptor.h"
#include "he/evaluator.h"
#include "he/sampling.h"
#include "he_test_util.h"

namespace pg::he {
namespace {

using test::low_mask;
using test::negacyclic_u64;

std::vector<uint64_t> random_mod(core::Prg& prg, size_t n, int ell) {
  std::vector<uint64_t> v(n);
  for (auto& x : v) x = prg.next_u64() & low_mask(ell);
  v[0] = 0;  // edge values
  v[1] = low_mask(ell);
  v[2] = uint64_t{1} << (ell - 1);
  return v;
}

std::vector<int64_t> random_weights(core::Prg& prg, size_t n, int bits, size_t nonzero) {
  std::vector<int64_t> w(n, 0);
  for (size_t k = 0; k < nonzero; ++k) {
    w[prg.uniform_below(n)] = int64_t(prg.uniform_below(uint64_t{1} << bits)) - (1 << (bits - 1));
  }
  w[0] = -(int64_t{1} << (bits - 1));
  return w;
}

TEST(CoeffEncoder, SeededSymmetricEncryptionDecodesExactly) {
  auto prg = test::prg_for(61);
  auto ctx = Context::create(ParamsLiteral::from_bits(4096, {54, 54}));
  const SecretKey sk(ctx, prg);
  const Encryptor enc(ctx, sk);
  const Decryptor dec(ctx, sk);
  const CoeffEncoder ce(ctx);
  // Fresh noise is below 2^6 whp: decoding needs Q/(2t) > 2^6, so ℓ ≤ 47 at one 54-bit prime
  // and up to 63 at two.
  for (int ell : {1, 2, 16, 37, 47, 63}) {
    const auto m = random_mod(prg, 4096, ell);
    for (size_t level : {size_t{0}, size_t{1}}) {
      if (level == 0 && ell > 47) continue;
      Plaintext pt, x;
      ce.encode_scaled(m, ell, level, pt);
      Ciphertext ct;
      enc.encrypt_symmetric(pt, ct, prg);
      ASSERT_TRUE(ct.is_seeded());
      RnsPoly a(4096, level + 1, true);
      expand_uniform(*ctx, ct.seed(), a);
      EXPECT_EQ(ct.poly(1), a);
      dec.decrypt_coeffs(ct, x);
      ASSERT_EQ(ce.decode_scaled(x, ell), m) << "ell=" << ell << " level=" << level;
      EXPECT_LT(dec.noise_log2(ct, pt), 6.0);
    }
  }
}

// The whole affine path with K input ciphertexts per output.
TEST(CoeffEncoder, InnerProductFloodAndModSwitchAreExact) {
  auto prg = test::prg_for(62);
  const int ell = 37, flood = 50;
  const size_t n = 4096, terms = 3;
  auto ctx = Context::create(ParamsLiteral::from_bits(n, {51, 58}));
  const SecretKey sk(ctx, prg);
  const KeyGenerator kg(ctx, sk);
  const Encryptor client(ctx, sk);
  const Encryptor server(ctx, kg.public_key(prg));
  const Decryptor dec(ctx, sk);
  const CoeffEncoder ce(ctx);
  const Evaluator ev(ctx);
  std::vector<Ciphertext> cts(terms);
  std::vector<Plaintext> ws(terms);
  std::vector<uint64_t> want(n, 0);
  for (size_t k = 0; k < terms; ++k) {
    const auto r = random_mod(prg, n, ell);
    const auto w = random_weights(prg, n, 15, 200);
    Plaintext pr;
    ce.encode_scaled(r, ell, 1, pr);
    client.encrypt_symmetric(pr, cts[k], prg);
    ce.encode_int(w, 1, ws[k]);
    const auto prod = negacyclic_u64(r, w);
    for (size_t j = 0; j < n; ++j) want[j] += prod[j];
  }
  const auto mask = random_mod(prg, n, ell);
  for (size_t j = 0; j < n; ++j) want[j] = (want[j] - mask[j]) & low_mask(ell);
  std::vector<const Ciphertext*> cp;
  std::vector<const Plaintext*> pp;
  for (size_t k = 0; k < terms; ++k) {
    cp.push_back(&cts[k]);
    pp.push_back(&ws[k]);
  }
  Ciphertext acc;
  ev.inner_product_plain(cp, pp, acc);
  Plaintext pm;
  ce.encode_scaled(mask, ell, 1, pm);
  ev.sub_plain_inplace(acc, pm);
  Ciphertext zero;
  server.encrypt_zero_flooded(1, flood, zero, prg);
  ev.add_inplace(acc, zero);
  // Before switching the noise is the flooding: close to 2^50 at its largest coefficient.
  Plaintext expect;
  ce.encode_scaled(want, ell, 1, expect);
  const double noise = dec.noise_log2(acc, expect);
  EXPECT_GT(noise, flood - 0.5);
  EXPECT_LT(noise, flood + 0.1);
  ev.mod_switch_round_to_inplace(acc, 0);
  ASSERT_EQ(acc.level(), 0u);
  Plaintext x;
  dec.decrypt_coeffs(acc, x);
  EXPECT_EQ(ce.decode_scaled(x, ell), want);
  // Only some coefficients, in any order.
  const std::vector<uint32_t> some{4095, 0, 17, 2048};
  const auto part = ce.decode_scaled(x, ell, some);
  for (size_t k = 0; k < some.size(); ++k) EXPECT_EQ(part[k], want[some[k]]);
}

// The CKKS variant: r·Δ as coefficients, the server's mask T = t + 2^ℓ·h with a wide h, and the
// exact decoding of round(x/Δ) mod 2^64, whose low ℓ bits are A·r − t.
TEST(CoeffEncoder, CkksScaledIntegersDecodeExactly) {
  auto prg = test::prg_for(63);
  const int ell = 20, delta_bits = 30;
  const size_t n = 4096;
  auto ctx = Context::create(ParamsLiteral::from_bits(n, {50, 50}));
  const SecretKey sk(ctx, prg);
  const Encryptor enc(ctx, sk);
  const Decryptor dec(ctx, sk);
  const CoeffEncoder ce(ctx);
  const Evaluator ev(ctx);
  std::vector<int64_t> r(n);
  for (auto& v : r) v = int64_t(prg.next_u64() & low_mask(ell));
  const auto w = random_weights(prg, n, 10, 300);
  std::vector<int64_t> big_t(n);
  std::vector<uint64_t> t_low(n);
  for (size_t j = 0; j < n; ++j) {
    t_low[j] = prg.next_u64() & low_mask(ell);
    const int64_t h = int64_t(prg.next_u64() & low_mask(30)) - (int64_t{1} << 29);
    big_t[j] = int64_t(t_low[j]) + h * (int64_t{1} << ell);
  }
  Plaintext pr, pw, pt;
  ce.encode_int_scaled(r, delta_bits, 1, pr);
  ce.encode_int(w, 1, pw);
  ce.encode_int_scaled(big_t, delta_bits, 1, pt);
  Ciphertext ct;
  enc.encrypt_symmetric(pr, ct, prg);
  ev.multiply_plain_inplace(ct, pw);
  ev.sub_plain_inplace(ct, pt);
  Plaintext x;
  dec.decrypt_coeffs(ct, x);
  const auto got = ce.decode_int_scaled(x, delta_bits);
  std::vector<uint64_t> ru(r.begin(), r.end());
  const auto prod = negacyclic_u64(ru, w);
  for (size_t j = 0; j < n; ++j) {
    ASSERT_EQ(got[j], prod[j] - uint64_t(big_t[j])) << j;  // exact as an integer mod 2^64
    ASSERT_EQ(got[j] & low_mask(ell), (prod[j] - t_low[j]) & low_mask(ell));
  }
}

// Item 6 of the protocol API: one immutable context shared by concurrent sessions, each with its
// own keys and objects, gives every session exactly the single-threaded result.
TEST(CoeffEncoder, ConcurrentSessionsShareOneContext) {
  const auto ctx = Context::create(ParamsLiteral::from_bits(4096, {50, 55}));
  const int ell = 30;
  auto session = [&](uint8_t tag) {
    auto prg = test::prg_for(tag);
    const SecretKey sk(ctx, prg);
    const PublicKey pk = KeyGenerator(ctx, sk).public_key(prg);
    const CoeffEncoder ce(ctx);
    const Evaluator ev(ctx);
    std::vector<uint64_t> r(4096);
    for (auto& v : r) v = prg.next_u64() & low_mask(ell);
    const auto w = random_weights(prg, 4096, 12, 100);
    Plaintext pr, pw, x;
    ce.encode_scaled(r, ell, 1, pr);
    ce.encode_int(w, 1, pw);
    Ciphertext ct, z;
    Encryptor(ctx, sk).encrypt_symmetric(pr, ct, prg);
    ev.multiply_plain_inplace(ct, pw);
    Encryptor(ctx, pk).encrypt_zero_flooded(1, 40, z, prg);
    ev.add_inplace(ct, z);
    ev.mod_switch_round_to_inplace(ct, 0);
    Decryptor(ctx, sk).decrypt_coeffs(ct, x);
    auto got = ce.decode_scaled(x, ell);
    auto want = negacyclic_u64(r, w);
    for (auto& v : want) v &= low_mask(ell);
    return std::make_pair(got, want);
  };
  std::vector<std::pair<std::vector<uint64_t>, std::vector<uint64_t>>> results(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] { results[t] = session(uint8_t(100 + t)); });
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) {
    EXPECT_EQ(results[t].first, results[t].second) << "thread " << t;
    EXPECT_EQ(results[t], session(uint8_t(100 + t)));
  }
}

TEST(CoeffEncoder, EncodersAgreeWithDirectResidues) {
  auto ctx = Context::create(ParamsLiteral::from_bits(1024, {27}));
  const CoeffEncoder ce(ctx);
  const std::vector<int64_t> v{0, 1, -1, 12345, -98765, INT64_MAX, INT64_MIN};
  Plaintext p;
  ce.encode_int(v, 0, p);
  ctx->from_ntt(p.poly());
  const Modulus& q = ctx->modulus(0);
  for (size_t j = 0; j < v.size(); ++j) {
    const i128 want = (i128(v[j]) % i128(q.value()) + q.value()) % q.value();
    EXPECT_EQ(p.poly().limb(0)[j], uint64_t(want));
  }
  for (size_t j = v.size(); j < 1024; ++j) EXPECT_EQ(p.poly().limb(0)[j], 0u);
  // encode_real: round(x·Δ) mod q, including values past 2^64 (exact through the mantissa).
  auto ctx2 = Context::create(ParamsLiteral::from_bits(4096, {50, 50}));
  const CoeffEncoder ce2(ctx2);
  const std::vector<double> x{0.5, -2.25, 1e20, -3.0e22};
  ce2.encode_real(x, 1024.0, 1, p);
  ctx2->from_ntt(p.poly());
  for (size_t i = 0; i < 2; ++i) {
    const Modulus& qi = ctx2->modulus(i);
    EXPECT_EQ(p.poly().limb(i)[0], 512u);
    EXPECT_EQ(p.poly().limb(i)[1], qi.value() - 2304);
  }
  const auto back = ce2.decode_real(p);
  for (size_t j = 0; j < x.size(); ++j) EXPECT_DOUBLE_EQ(back[j], x[j]);
}

TEST(CoeffEncoder, MisuseIsRejected) {
  auto ctx = Context::create(ParamsLiteral::from_bits(1024, {27}));
  const CoeffEncoder ce(ctx);
  Plaintext p;
  EXPECT_THROW(ce.encode_int(std::vector<int64_t>(1025), 0, p), std::invalid_argument);
  EXPECT_THROW(ce.encode_int(std::vector<int64_t>(4), 1, p), std::invalid_argument);
  EXPECT_THROW(ce.encode_scaled(std::vector<uint64_t>(4), 0, 0, p), std::invalid_argument);
  EXPECT_THROW(ce.encode_scaled(std::vector<uint64_t>(4), 64, 0, p), std::invalid_argument);
  EXPECT_THROW(ce.encode_int_scaled(std::vector<int64_t>{1 << 20}, 10, 0, p),
               std::invalid_argument);
  ce.encode_int(std::vector<int64_t>(4), 0, p);
  EXPECT_THROW((void)ce.decode_scaled(p, 8, std::vector<uint32_t>{1024}), std::invalid_argument);
}

}  // namespace
}  // namespace pg::he
