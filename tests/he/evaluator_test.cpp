// Every homomorphic operation against the same operation on plaintext slot vectors, by measured
// precision: the largest slot error must stay below a stated log2 threshold. Parameters: N = 8192,
// {60, 40, 40} data primes and one 60-bit special prime, Δ = 2^40 (SEAL's standard CKKS set).
#include "he/evaluator.h"

#include <gtest/gtest.h>

#include <memory>

#include "he/ckks_encoder.h"
#include "he/decryptor.h"
#include "he/encryptor.h"
#include "he/matvec.h"
#include "he_test_util.h"

namespace pg::he {
namespace {

using test::Cx;
using test::log2_error;

constexpr double kDelta = 0x1p40;
// Fresh encryption and additive operations: about 2^-30 (Δ = 2^40, noise ~2^7 in slots).
constexpr double kFresh = -25;
// After a multiplication, relinearisation and rescale.
constexpr double kMul = -20;
// After a key switch: with one 60-bit special prime the 60-bit digit q_0 leaves a coefficient
// noise of about 2^7 (2^9 at the largest of 8192), i.e. about 2^-22 in the worst slot.
constexpr double kRot = -18;

struct Env {
  core::Prg prg = test::prg_for(31);
  ContextPtr ctx = Context::create(ParamsLiteral::from_bits(8192, {60, 40, 40}, {60}));
  SecretKey sk{ctx, prg};
  KeyGenerator kg{ctx, sk};
  PublicKey pk = kg.public_key(prg);
  RelinKeys rk = kg.relin_keys(prg);
  GaloisKeys gk = kg.power_of_two_galois_keys(prg);
  CkksEncoder enc{ctx};
  Encryptor encryptor{ctx, pk, sk};
  Decryptor dec{ctx, sk};
  Evaluator ev{ctx};
  size_t slots = 4096;

  Ciphertext encrypt(const std::vector<Cx>& z, bool symmetric = false) {
    Plaintext p;
    enc.encode(z, kDelta, ctx->top_level(), p);
    Ciphertext c;
    if (symmetric) {
      encryptor.encrypt_symmetric(p, c, prg);
    } else {
      encryptor.encrypt(p, c, prg);
    }
    return c;
  }
  std::vector<Cx> decrypt(const Ciphertext& c) {
    Plaintext p;
    dec.decrypt(c, p);
    return enc.decode(p);
  }
  std::vector<Cx> random() { return test::random_slots(prg, slots); }
};

class EvaluatorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { env_ = std::make_unique<Env>(); }
  static void TearDownTestSuite() { env_.reset(); }
  static std::unique_ptr<Env> env_;
};
std::unique_ptr<Env> EvaluatorTest::env_;

TEST_F(EvaluatorTest, EncryptionBothWays) {
  Env& e = *env_;
  const auto z = e.random();
  EXPECT_LT(log2_error(e.decrypt(e.encrypt(z)), z), kFresh);
  const Ciphertext s = e.encrypt(z, true);
  EXPECT_TRUE(s.is_seeded());
  EXPECT_LT(log2_error(e.decrypt(s), z), kFresh);
}

TEST_F(EvaluatorTest, AdditiveOperations) {
  Env& e = *env_;
  const auto a = e.random(), b = e.random();
  const Ciphertext ca = e.encrypt(a), cb = e.encrypt(b, true);
  std::vector<Cx> sum(a.size()), diff(a.size()), neg(a.size());
  for (size_t j = 0; j < a.size(); ++j) {
    sum[j] = a[j] + b[j];
    diff[j] = a[j] - b[j];
    neg[j] = -a[j];
  }
  Ciphertext r;
  e.ev.add(ca, cb, r);
  EXPECT_LT(log2_error(e.decrypt(r), sum), kFresh);
  e.ev.sub(ca, cb, r);
  EXPECT_LT(log2_error(e.decrypt(r), diff), kFresh);
  e.ev.negate(ca, r);
  EXPECT_LT(log2_error(e.decrypt(r), neg), kFresh);
  Ciphertext in = ca;
  e.ev.add_inplace(in, cb);
  e.ev.sub_inplace(in, cb);
  EXPECT_LT(log2_error(e.decrypt(in), a), kFresh);
  Plaintext pb;
  e.enc.encode(b, kDelta, 2, pb);
  e.ev.add_plain(ca, pb, r);
  EXPECT_LT(log2_error(e.decrypt(r), sum), kFresh);
  e.ev.sub_plain(ca, pb, r);
  EXPECT_LT(log2_error(e.decrypt(r), diff), kFresh);
  // add_plain keeps a seeded ciphertext seeded (c1 untouched).
  Ciphertext s = cb;
  e.ev.add_plain_inplace(s, pb);
  EXPECT_TRUE(s.is_seeded());
}

TEST_F(EvaluatorTest, MultiplyPlainAndRescale) {
  Env& e = *env_;
  const auto a = e.random(), b = e.random();
  std::vector<Cx> prod(a.size());
  for (size_t j = 0; j < a.size(); ++j) prod[j] = a[j] * b[j];
  Plaintext pb;
  e.enc.encode(b, kDelta, 2, pb);
  Ciphertext r;
  e.ev.multiply_plain(e.encrypt(a), pb, r);
  EXPECT_DOUBLE_EQ(r.scale(), kDelta * kDelta);
  EXPECT_LT(log2_error(e.decrypt(r), prod), kMul);
  e.ev.rescale_to_next_inplace(r);
  EXPECT_EQ(r.level(), 1u);
  EXPECT_NEAR(std::log2(r.scale()), 40.0, 0.01);
  EXPECT_LT(log2_error(e.decrypt(r), prod), kMul);
  // With cached Shoup companions the product is the same, bit for bit.
  const Ciphertext ca = e.encrypt(a);
  Ciphertext plain_way, shoup_way;
  e.ev.multiply_plain(ca, pb, plain_way);
  Plaintext prepared = pb;
  prepared.prepare_shoup(*e.ctx);
  ASSERT_TRUE(prepared.has_shoup());
  e.ev.multiply_plain(ca, prepared, shoup_way);
  EXPECT_EQ(shoup_way.poly(0), plain_way.poly(0));
  EXPECT_EQ(shoup_way.poly(1), plain_way.poly(1));
  (void)prepared.poly();  // mutable access drops the companions
  EXPECT_FALSE(prepared.has_shoup());
}

// reset() makes the zero polynomial, and a product with it is zero: companions prepared for the
// old polynomial must not survive the reset.
TEST_F(EvaluatorTest, MultiplyPlainByAResetPlaintextIsZero) {
  Env& e = *env_;
  Plaintext p;
  e.enc.encode(e.random(), kDelta, 2, p);
  p.prepare_shoup(*e.ctx);
  p.reset(*e.ctx, 2, true, kDelta);
  EXPECT_FALSE(p.has_shoup());
  Ciphertext r;
  e.ev.multiply_plain(e.encrypt(e.random()), p, r);
  // (c0·0, c1·0) = (0, 0): every slot decrypts to exactly zero.
  EXPECT_EQ(log2_error(e.decrypt(r), std::vector<Cx>(e.slots)), -1000.0);
}

TEST_F(EvaluatorTest, MultiplyRelinearizeRescaleTwice) {
  Env& e = *env_;
  const auto a = e.random(), b = e.random(), c = e.random();
  std::vector<Cx> ab(a.size()), abc(a.size());
  for (size_t j = 0; j < a.size(); ++j) {
    ab[j] = a[j] * b[j];
    abc[j] = ab[j] * c[j];
  }
  Ciphertext r;
  e.ev.multiply(e.encrypt(a), e.encrypt(b), r);
  EXPECT_EQ(r.size(), 3u);
  EXPECT_LT(log2_error(e.decrypt(r), ab), kMul);  // decryption handles size 3
  e.ev.relinearize_inplace(r, e.rk);
  EXPECT_EQ(r.size(), 2u);
  e.ev.rescale_to_next_inplace(r);
  EXPECT_LT(log2_error(e.decrypt(r), ab), kMul);
  Ciphertext cc = e.encrypt(c);
  e.ev.drop_to_level_inplace(cc, 1);
  cc.set_scale(r.scale());  // Δ·Δ/q_2 differs from Δ by < 2^-20: the slots absorb it
  e.ev.multiply_inplace(r, cc);
  e.ev.relinearize_inplace(r, e.rk);
  e.ev.rescale_to_next_inplace(r);
  EXPECT_EQ(r.level(), 0u);
  EXPECT_LT(log2_error(e.decrypt(r), abc), kMul + 3);
  Ciphertext sq;
  e.ev.square(e.encrypt(a), sq);
  e.ev.relinearize_inplace(sq, e.rk);
  e.ev.rescale_to_next_inplace(sq);
  std::vector<Cx> a2(a.size());
  for (size_t j = 0; j < a.size(); ++j) a2[j] = a[j] * a[j];
  EXPECT_LT(log2_error(e.decrypt(sq), a2), kMul);
}

std::vector<Cx> rotated(const std::vector<Cx>& z, int64_t k) {
  const int64_t n = int64_t(z.size());
  std::vector<Cx> r(z.size());
  for (int64_t j = 0; j < n; ++j) r[size_t(j)] = z[size_t(((j + k) % n + n) % n)];
  return r;
}

TEST_F(EvaluatorTest, RotationsByEveryPowerOfTwo) {
  Env& e = *env_;
  const auto z = e.random();
  const Ciphertext c = e.encrypt(z);
  for (int64_t s = 1; s < 4096; s *= 2) {
    for (int64_t k : {s, -s}) {
      Ciphertext r;
      e.ev.rotate(c, k, e.gk, r);
      EXPECT_LT(log2_error(e.decrypt(r), rotated(z, k)), kRot) << k;
    }
  }
  // At a lower level too.
  Ciphertext low = c;
  e.ev.drop_to_level_inplace(low, 0);
  e.ev.rotate_inplace(low, 8, e.gk);
  EXPECT_LT(log2_error(e.decrypt(low), rotated(z, 8)), kRot);
}

TEST_F(EvaluatorTest, RandomStepsConjugationAndHoisting) {
  Env& e = *env_;
  std::vector<int64_t> steps;
  for (int i = 0; i < 6; ++i) steps.push_back(int64_t(e.prg.uniform_below(8190)) - 4095);
  const GaloisKeys gk = e.kg.galois_keys(steps, true, e.prg);
  const auto z = e.random();
  const Ciphertext c = e.encrypt(z);
  std::vector<Ciphertext> hoisted;
  e.ev.rotate_hoisted(c, steps, gk, hoisted);
  ASSERT_EQ(hoisted.size(), steps.size());
  for (size_t i = 0; i < steps.size(); ++i) {
    Ciphertext r;
    e.ev.rotate(c, steps[i], gk, r);
    EXPECT_LT(log2_error(e.decrypt(r), rotated(z, steps[i])), kRot) << steps[i];
    EXPECT_LT(log2_error(e.decrypt(hoisted[i]), rotated(z, steps[i])), kRot) << steps[i];
  }
  Ciphertext r;
  e.ev.conjugate(c, gk, r);
  std::vector<Cx> conj(z.size());
  for (size_t j = 0; j < z.size(); ++j) conj[j] = std::conj(z[j]);
  EXPECT_LT(log2_error(e.decrypt(r), conj), kRot);
  // A step without a key is misuse.
  EXPECT_THROW(e.ev.rotate(c, 3, gk, r), std::invalid_argument);
}

// Hybrid key switching with digits of two primes and two special primes (approximate base
// conversion on both sides), at N = 16384.
TEST(EvaluatorHybrid, TwoPrimeDigitsRelinearizeAndRotate) {
  auto prg = test::prg_for(32);
  const auto ctx = Context::create(ParamsLiteral::from_bits(16384, {60, 40, 40, 40, 40}, {55, 55}));
  ASSERT_EQ(ctx->digits(ctx->top_level()), 3u);
  const SecretKey sk(ctx, prg);
  const KeyGenerator kg(ctx, sk);
  const RelinKeys rk = kg.relin_keys(prg);
  const GaloisKeys gk = kg.galois_keys({1, -7}, true, prg);
  const CkksEncoder enc(ctx);
  const Encryptor en(ctx, sk);
  const Decryptor dec(ctx, sk);
  const Evaluator ev(ctx);
  const auto a = test::random_slots(prg, 8192), b = test::random_slots(prg, 8192);
  Plaintext pa, pb, x;
  enc.encode(a, kDelta, 4, pa);
  enc.encode(b, kDelta, 4, pb);
  Ciphertext ca, cb, r;
  en.encrypt_symmetric(pa, ca, prg);
  en.encrypt_symmetric(pb, cb, prg);
  std::vector<Cx> ab(a.size());
  for (size_t j = 0; j < a.size(); ++j) ab[j] = a[j] * b[j];
  ev.multiply(ca, cb, r);
  ev.relinearize_inplace(r, rk);
  ev.rescale_to_next_inplace(r);
  dec.decrypt(r, x);
  EXPECT_LT(log2_error(enc.decode(x), ab), kMul);
  for (size_t level : {size_t{4}, size_t{3}, size_t{0}}) {  // a partial last digit at level 3
    Ciphertext c = ca;
    ev.drop_to_level_inplace(c, level);
    ev.rotate(c, -7, gk, r);
    dec.decrypt(r, x);
    EXPECT_LT(log2_error(enc.decode(x), rotated(a, -7)), kRot) << level;
    ev.conjugate(c, gk, r);
    dec.decrypt(r, x);
    std::vector<Cx> conj(a.size());
    for (size_t j = 0; j < a.size(); ++j) conj[j] = std::conj(a[j]);
    EXPECT_LT(log2_error(enc.decode(x), conj), kRot) << level;
  }
}

TEST_F(EvaluatorTest, MisuseThrows) {
  Env& e = *env_;
  const Ciphertext a = e.encrypt(e.random());
  Ciphertext low = a, r;
  e.ev.drop_to_level_inplace(low, 1);
  EXPECT_THROW(e.ev.add(a, low, r), std::invalid_argument);
  EXPECT_THROW(e.ev.multiply(a, low, r), std::invalid_argument);
  Ciphertext scaled = a;
  scaled.set_scale(kDelta * 2);
  EXPECT_THROW(e.ev.add(a, scaled, r), std::invalid_argument);
  Plaintext p;
  e.enc.encode(e.random(), kDelta, 1, p);
  EXPECT_THROW(e.ev.multiply_plain(a, p, r), std::invalid_argument);  // plaintext below ct
  Ciphertext bottom = a;
  e.ev.drop_to_level_inplace(bottom, 0);
  EXPECT_THROW(e.ev.rescale_to_next(bottom, r), std::invalid_argument);
  EXPECT_THROW(e.ev.drop_to_level(bottom, 1, r), std::invalid_argument);
  const auto other = Context::create(ParamsLiteral::from_bits(8192, {59, 40, 40}, {60}));
  EXPECT_THROW(Evaluator(other).add(a, a, r), std::invalid_argument);
  Ciphertext three;
  e.ev.multiply(a, a, three);
  EXPECT_THROW(e.ev.rotate(three, 1, e.gk, r), std::invalid_argument);
}

}  // namespace
}  // namespace pg::he

namespace pg::he {
namespace {

// The BSGS matrix × vector product against the plaintext product, d = 128 and d = 64.
TEST_F(EvaluatorTest, MatVecMatchesPlaintextProduct) {
  Env& e = *env_;
  for (size_t d : {size_t{128}, size_t{64}}) {
    std::vector<std::vector<double>> m(d, std::vector<double>(d));
    for (auto& row : m) {
      for (auto& v : row) v = double(e.prg.next_u64() >> 11) * 0x1p-53 - 0.5;
    }
    const MatVec mv(e.enc, m, kDelta, 2);
    const GaloisKeys gk = e.kg.galois_keys(mv.rotation_steps(), false, e.prg);
    std::vector<double> x(d), slots(4096);
    for (auto& v : x) v = double(e.prg.next_u64() >> 11) * 0x1p-53 * 2 - 1;
    for (size_t r = 0; r < slots.size(); ++r) slots[r] = x[r % d];
    Plaintext p;
    e.enc.encode(slots, kDelta, 2, p);
    Ciphertext c, y;
    e.encryptor.encrypt_symmetric(p, c, e.prg);
    mv.apply(e.ev, c, gk, y);
    e.ev.rescale_to_next_inplace(y);
    const auto got = e.decrypt(y);
    std::vector<Cx> want(4096);
    for (size_t r = 0; r < 4096; ++r) {
      double s = 0;
      for (size_t k = 0; k < d; ++k) s += m[r % d][k] * x[k];
      want[r] = Cx(s, 0);
    }
    EXPECT_LT(log2_error(got, want), kRot + 2) << d;
  }
}

}  // namespace
}  // namespace pg::he
