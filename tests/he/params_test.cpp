// Parameter validation (the 128-bit table, prime checks), ids, and the per-level chain.
#include "he/params.h"

#include <gtest/gtest.h>

#include "he/context.h"
#include "he/primes.h"

namespace pg::he {
namespace {

std::string error_of(const ParamsLiteral& lit) {
  try {
    (void)make_params(lit);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(Params, InsecureParametersAreRejectedWithTheReason) {
  EXPECT_EQ(error_of(ParamsLiteral::from_bits(4096, {60, 50})),
            "CKKS parameters: log2(QP) = 110 exceeds 109 bits, the 128-bit security bound for "
            "N = 4096 (HomomorphicEncryption.org table, ternary secret)");
  // Each row of the table, at the bound and one bit past it (special primes count too).
  const std::vector<std::pair<size_t, int>> table{
      {4096, 109}, {8192, 218}, {16384, 438}, {32768, 881}};
  for (const auto& [n, bound] : table) {
    std::vector<int> at;
    int rest = bound - 60;  // the data primes' share; one 60-bit special prime
    while (rest - 50 >= 30) {
      at.push_back(50);
      rest -= 50;
    }
    if (rest > 59) {
      at.push_back(rest / 2);
      rest -= rest / 2;
    }
    at.push_back(rest);
    const auto ok = ParamsLiteral::from_bits(n, at, {60});
    EXPECT_NO_THROW((void)make_params(ok)) << n;
    EXPECT_EQ(make_params(ok)->log2_qp(), bound);
    at.back() += 1;
    EXPECT_NE(error_of(ParamsLiteral::from_bits(n, at, {60})).find("exceeds"), std::string::npos)
        << n;
  }
}

TEST(Params, InvalidLiteralsAreRejected) {
  EXPECT_NE(error_of(ParamsLiteral::from_bits(3000, {30})), "");
  EXPECT_NE(error_of(ParamsLiteral::from_bits(512, {20})), "");
  EXPECT_NE(error_of(ParamsLiteral::from_bits(131072, {60})), "");
  EXPECT_NE(error_of(ParamsLiteral::from_bits(4096, {61})), "");
  EXPECT_NE(error_of(ParamsLiteral::from_bits(4096, {19})), "");
  EXPECT_NE(error_of(ParamsLiteral::from_bits(4096, {})), "");
  ParamsLiteral lit;
  lit.n = 4096;
  lit.primes = {12289};  // 1 mod 2·4096? no: 12289 = 3·4096 + 1, not 1 mod 8192
  EXPECT_NE(error_of(lit), "");
  const uint64_t p = ntt_primes(40, 4096, 1)[0];
  lit.primes = {p, p};
  EXPECT_NE(error_of(lit).find("repeated"), std::string::npos);
  lit.primes = {p + 2 * 4096};  // 1 mod 2N but (checked) not prime, or prime: either way valid
  if (!is_prime(p + 2 * 4096)) {
    EXPECT_NE(error_of(lit), "");
  }
}

// Key switching divides by P the digit-sized gadget noise: a digit product Q_d above P costs
// log2(Q_d/P) bits of noise, so make_params refuses Q_d ≥ 2P (equal sizes, where P ends up just
// below the digit, are fine).
TEST(Params, SpecialPrimesBelowADigitAreRejected) {
  EXPECT_NE(error_of(ParamsLiteral::from_bits(8192, {50, 30, 30, 30}, {30, 30}))
                .find("P (60.0 bits) is below half the key-switching digit q_0..q_1 (80.0 bits): "
                      "key switching would lose 20.0 bits of precision"),
            std::string::npos);
  EXPECT_NE(error_of(ParamsLiteral::from_bits(16384, {40, 30, 30, 30, 30, 30, 30},
                                              std::vector<int>(7, 30)))
                .find("digit q_0..q_6 (220.0 bits)"),
            std::string::npos);
  EXPECT_NE(error_of(ParamsLiteral::from_bits(8192, {40, 60, 40}, {59})).find("digit q_1 ("),
            std::string::npos);
  EXPECT_NO_THROW((void)make_params(ParamsLiteral::from_bits(8192, {60, 40, 40}, {60})));
  EXPECT_NO_THROW((void)make_params(ParamsLiteral::from_bits(8192, {40, 30, 30, 30}, {40, 30})));
  EXPECT_NO_THROW((void)make_params(ParamsLiteral::from_bits(8192, {60, 40, 40})));  // no switch
}

TEST(Params, PrimesAndIdsAreDeterministic) {
  const auto a = make_params(ParamsLiteral::from_bits(8192, {60, 40, 40}, {60}));
  const auto b = make_params(ParamsLiteral::from_bits(8192, {60, 40, 40}, {60}));
  EXPECT_EQ(a->primes(), b->primes());
  EXPECT_EQ(a->id(), b->id());
  // Largest distinct NTT primes below 2^bits, data primes first.
  EXPECT_EQ(a->primes()[0], ntt_primes(60, 8192, 1)[0]);
  EXPECT_EQ(a->primes()[1], ntt_primes(40, 8192, 2)[0]);
  EXPECT_EQ(a->primes()[2], ntt_primes(40, 8192, 2)[1]);
  EXPECT_EQ(a->special_primes()[0], ntt_primes(60, 8192, 2)[1]);
  const auto c = make_params(ParamsLiteral::from_bits(8192, {60, 40, 36}, {60}));
  EXPECT_NE(a->id(), c->id());
  ParamsLiteral explicit_lit;
  explicit_lit.n = 8192;
  explicit_lit.primes = a->primes();
  explicit_lit.special_primes = a->special_primes();
  EXPECT_EQ(make_params(explicit_lit)->id(), a->id());
}

TEST(Context, LevelChain) {
  const auto ctx = Context::create(ParamsLiteral::from_bits(8192, {60, 40, 40}, {60}));
  EXPECT_EQ(ctx->top_level(), 2u);
  EXPECT_EQ(ctx->level(0).prime_bits, 60);
  EXPECT_EQ(ctx->level(2).prime_bits, 140);
  // The largest NTT primes below 2^bits: log2 Q just below the bit count.
  EXPECT_LT(ctx->level(2).log2_modulus, 140.0);
  EXPECT_GT(ctx->level(2).log2_modulus, 140.0 - 1e-4);
  EXPECT_EQ(ctx->digits(2), 3u);
  EXPECT_EQ(ctx->digits(0), 1u);
  // q_l^{-1} mod q_i, and P mod q_i.
  const Modulus& q0 = ctx->modulus(0);
  EXPECT_EQ(q0.mul(ctx->level(1).inv_last[0].w, q0.reduce(ctx->modulus(1).value())), 1u);
  EXPECT_EQ(ctx->p_mod(0), q0.reduce(ctx->modulus(3).value()));
  const auto two = Context::create(ParamsLiteral::from_bits(16384, {60, 40, 40, 40, 40}, {50, 50}));
  EXPECT_EQ(two->digit_size(), 2u);
  EXPECT_EQ(two->digits(4), 3u);
  EXPECT_EQ(two->digits(3), 2u);
  EXPECT_EQ(ctx->galois_element(0), 1u);
  EXPECT_EQ(ctx->galois_element(1), 5u);
  EXPECT_EQ(ctx->galois_element(-1) * 5 % (2 * 8192), 1u);
  EXPECT_EQ(ctx->galois_element(4096), 1u);  // 5 has order N/2
}

}  // namespace
}  // namespace pg::he

#include <cmath>

#include "he/ckks_encoder.h"
#include "he/coeff_encoder.h"
#include "he/decryptor.h"
#include "he/encryptor.h"
#include "he_test_util.h"

namespace pg::he {
namespace {

// The largest rings: a context, a key, a public-key encryption and a decryption at N = 2^15
// and 2^16.
TEST(Context, LargestRingsWork) {
  for (size_t n : {size_t{32768}, size_t{65536}}) {
    auto prg = test::prg_for(11);
    const auto ctx = Context::create(ParamsLiteral::from_bits(n, {60, 50}, {60}));
    const SecretKey sk(ctx, prg);
    const PublicKey pk = KeyGenerator(ctx, sk).public_key(prg);
    const CkksEncoder enc(ctx);
    const auto z = test::random_slots(prg, n / 2);
    Plaintext p, x;
    enc.encode(z, 0x1p40, 1, p);
    Ciphertext c;
    Encryptor(ctx, pk).encrypt(p, c, prg);
    Decryptor(ctx, sk).decrypt(c, x);
    // The slot error grows like √N: about 2^-24 at 2^15 and 2^-23 at 2^16.
    EXPECT_LT(test::log2_error(enc.decode(x), z), -21.0) << n;
  }
}

// A prime just above 2^(b−1) has b bits but a log2 of about b − 1: with q_0 > 2^39 and q_1, q_2 >
// 2^29 (the smallest NTT primes there) the bit lengths add up to 100 while log2 Q ≈ 97. Every
// range check must use the true modulus: against 2^98, values between Q/2 and 2^98 pass and wrap.
TEST(Context, RangeChecksUseTheTrueModulus) {
  const size_t n = 4096;
  auto prime_above = [&](int e, uint64_t after) {
    uint64_t q = (uint64_t{1} << e) + 1;  // 1 mod 2N
    while (q <= after || !is_prime(q)) q += 2 * n;
    return q;
  };
  ParamsLiteral lit;
  lit.n = n;
  const uint64_t q1 = prime_above(29, 0);
  lit.primes = {prime_above(39, 0), q1, prime_above(29, q1)};
  const auto ctx = Context::create(lit);
  double log2_q = 0;
  for (uint64_t q : lit.primes) log2_q += std::log2(double(q));
  EXPECT_EQ(ctx->level(2).prime_bits, 100);
  EXPECT_NEAR(ctx->level(2).log2_modulus, log2_q, 1e-9);
  ASSERT_LT(log2_q, 97.01);

  // Encoders: |x·Δ| below Q/4 ≈ 2^95 is accepted, 2^97 ≈ Q (accepted against 2^98) is refused.
  const CkksEncoder ckks(ctx);
  Plaintext p;
  EXPECT_THROW(ckks.encode_constant(0x1p77, 0x1p20, 2, p), std::invalid_argument);
  ckks.encode_constant(0x1p74, 0x1p20, 2, p);
  EXPECT_NEAR(ckks.decode(p)[0].real() / 0x1p74, 1.0, 1e-9);
  const CoeffEncoder ce(ctx);
  EXPECT_THROW(ce.encode_real(std::vector<double>{0x1p77}, 0x1p20, 2, p), std::invalid_argument);
  ce.encode_real(std::vector<double>{-0x1p74}, 0x1p20, 2, p);
  EXPECT_DOUBLE_EQ(ce.decode_real(p)[0], -0x1p74);
  // ±2^95 needs 97 bits with the sign, above log2(Q/2); ±2^93 fits.
  EXPECT_THROW(ce.encode_int_scaled(std::vector<int64_t>{1, -1}, 95, 2, p), std::invalid_argument);
  ce.encode_int_scaled(std::vector<int64_t>{1, -1}, 93, 2, p);
  const auto back = ce.decode_int_scaled(p, 93);
  EXPECT_EQ(back[0], 1u);
  EXPECT_EQ(back[1], ~uint64_t{0});  // −1
  EXPECT_EQ(back[2], 0u);

  // Flooding: 2^95 ≤ Q/4 is accepted and its noise stays below Q/2; 2^96 is refused.
  auto prg = test::prg_for(12);
  const SecretKey sk(ctx, prg);
  const Encryptor enc(ctx, KeyGenerator(ctx, sk).public_key(prg));
  Ciphertext z;
  EXPECT_THROW(enc.encrypt_zero_flooded(2, 96, z, prg), std::invalid_argument);
  enc.encrypt_zero_flooded(2, 95, z, prg);
  Plaintext zero;
  zero.reset(*ctx, 2, true);
  const double noise = Decryptor(ctx, sk).noise_log2(z, zero);
  EXPECT_GT(noise, 94.9);
  EXPECT_LT(noise, 95.01);
}

}  // namespace
}  // namespace pg::he
