// Fresh encryptions carry the noise and the randomness their definitions promise, bounded from
// below as well as from above: the decryption error of a symmetric encryption has the variance
// of the centred binomial, that of a public-key encryption the variance that u, e0, e1 and the
// key give it, and a public-key encryption of zero has c1 = u·p1 + e1 with a fresh u, spread
// over the whole modulus. Upper bounds alone pass a ciphertext without noise, or one whose u is
// zero (c1 = e1, short).
//
// The bands are 6 standard deviations of the estimators, computed from the distributions below,
// and the seeds are fixed.
#include "he/encryptor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "he/coeff_encoder.h"
#include "he/decryptor.h"
#include "he_test_util.h"

namespace pg::he {
namespace {

constexpr size_t kN = 4096;
constexpr size_t kCiphertexts = 8;  // 8·4096 error samples per measurement
// Centred binomial with k = 21: variance k/2 and fourth moment 3·(k/2)² − k/4 (its fourth
// cumulant is k times that of a difference of two coin flips, −1/4).
constexpr double kCbdVar = 10.5;
constexpr double kCbdFourth = 3 * 10.5 * 10.5 - 21.0 / 4;
constexpr double kTernaryVar = 2.0 / 3;  // uniform on {−1, 0, 1}

// Appends the centred decryption error of ct against pt, one value per coefficient.
void append_errors(const Context& ctx, const Decryptor& dec, const Ciphertext& ct,
                   const Plaintext& pt, std::vector<double>& out) {
  Plaintext x;
  dec.decrypt_coeffs(ct, x);
  RnsPoly m = pt.poly();
  ctx.from_ntt(m);
  const size_t rows = ct.level() + 1;
  const CrtComposer& crt = *ctx.level(ct.level()).crt;
  std::vector<uint64_t> res(rows);
  for (size_t j = 0; j < ctx.n(); ++j) {
    for (size_t i = 0; i < rows; ++i) {
      res[i] = ctx.modulus(i).sub(x.poly().limb(i)[j], m.limb(i)[j]);
    }
    out.push_back(crt.compose_centered_double(res.data()));
  }
}

double mean_square(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x * x;
  return s / double(v.size());
}

Plaintext random_message(const ContextPtr& ctx, core::Prg& prg) {
  std::vector<int64_t> m(ctx->n());
  for (auto& v : m) v = int64_t(prg.uniform_below(1 << 20)) - (1 << 19);
  Plaintext pt;
  CoeffEncoder(ctx).encode_int(m, ctx->top_level(), pt);
  return pt;
}

// The decryption errors of kCiphertexts fresh encryptions of random messages by `enc`.
std::vector<double> fresh_errors(const ContextPtr& ctx, const Encryptor& enc, const Decryptor& dec,
                                 bool symmetric, core::Prg& prg) {
  std::vector<double> err;
  for (size_t k = 0; k < kCiphertexts; ++k) {
    const Plaintext pt = random_message(ctx, prg);
    Ciphertext ct;
    if (symmetric) {
      enc.encrypt_symmetric(pt, ct, prg);
    } else {
      enc.encrypt(pt, ct, prg);
    }
    append_errors(*ctx, dec, ct, pt, err);
  }
  return err;
}

size_t hamming_weight(const SecretKey& sk) {
  size_t h = 0;
  for (int8_t c : sk.ternary()) h += c != 0 ? 1 : 0;
  return h;
}

// ‖e‖² for the public key's error e = p0 + p1·s, read at q_0.
double key_error_norm2(const Context& ctx, const PublicKey& pk, const SecretKey& sk) {
  const Modulus& q = ctx.modulus(0);
  std::vector<uint64_t> e(ctx.n());
  for (size_t j = 0; j < ctx.n(); ++j) {
    e[j] = q.add(pk.p0.limb(0)[j], q.mul(pk.p1.limb(0)[j], sk.poly().limb(0)[j]));
  }
  ctx.ntt(0).inverse(e.data());
  double s = 0;
  for (uint64_t x : e) {
    const double c = x > q.value() / 2 ? -double(q.value() - x) : double(x);
    s += c * c;
  }
  return s;
}

// x − y, row by row (NTT domain).
RnsPoly difference(const Context& ctx, const RnsPoly& x, const RnsPoly& y) {
  RnsPoly d = x;
  for (size_t i = 0; i < d.limbs; ++i) {
    const Modulus& q = ctx.modulus(i);
    for (size_t j = 0; j < d.n; ++j) d.limb(i)[j] = q.sub(x.limb(i)[j], y.limb(i)[j]);
  }
  return d;
}

// The error of (−a·s + e + m, a) is e itself: i.i.d. centred binomial. Its mean square
// estimates 10.5 with standard deviation √((E[e⁴] − 10.5²)/n) ≈ 0.08 at n = 32768; a noiseless
// encryption gives 0.
TEST(Encryptor, SymmetricNoiseHasTheBinomialVariance) {
  auto prg = test::prg_for(41);
  const auto ctx = Context::create(ParamsLiteral::from_bits(kN, {54, 54}));
  const SecretKey sk(ctx, prg);
  const Encryptor enc(ctx, sk);
  const Decryptor dec(ctx, sk);
  const std::vector<double> err = fresh_errors(ctx, enc, dec, true, prg);
  const double sd = std::sqrt((kCbdFourth - kCbdVar * kCbdVar) / double(err.size()));
  EXPECT_NEAR(mean_square(err), kCbdVar, 6 * sd);
  double largest = 0;
  for (double x : err) largest = std::max(largest, std::fabs(x));
  EXPECT_LE(largest, 21.0);  // the binomial's support
  EXPECT_GE(largest, 12.0);  // P(|e| ≥ 12) ≈ 3·10^-4 per sample
}

// Given the key, the error u·e_pk + e0 + e1·s of a public-key encryption over Q has per
// coefficient the variance v = (2/3)·‖e_pk‖² + 10.5·(1 + h), h the weight of s (about 14N in
// all; without u it is half that). The coefficients are sums of thousands of terms, nearly
// Gaussian, so the mean square has relative standard deviation √(2/n), its variance at most
// doubled by the correlation of the coefficients of one ciphertext (through the shared u and the
// fixed key): √(4/n) ≈ 1.1% at n = 32768.
TEST(Encryptor, PublicKeyNoiseHasItsVariance) {
  auto prg = test::prg_for(42);
  const auto ctx = Context::create(ParamsLiteral::from_bits(kN, {54, 54}));
  const SecretKey sk(ctx, prg);
  const PublicKey pk = KeyGenerator(ctx, sk).public_key(prg);
  const Encryptor enc(ctx, pk);
  const Decryptor dec(ctx, sk);
  const std::vector<double> err = fresh_errors(ctx, enc, dec, false, prg);
  const double v =
      kTernaryVar * key_error_norm2(*ctx, pk, sk) + kCbdVar * double(1 + hamming_weight(sk));
  EXPECT_NEAR(mean_square(err) / v, 1.0, 6 * std::sqrt(4.0 / double(err.size())));
}

// With a special prime the sample is drawn over Q·P and divided by P (one prime: exact
// rounding). The divided u·e_pk + e0 + e1·s is below 2^-30; what remains is the rounding
// r0 + r1·s, r0 and r1 uniform in [−1/2, 1/2): v = (1 + h)/12. Without u, c0 and c1 are short
// over Q·P and divide to zero.
TEST(Encryptor, PublicKeyNoiseOverQpIsTheRounding) {
  auto prg = test::prg_for(43);
  const auto ctx = Context::create(ParamsLiteral::from_bits(kN, {30, 30}, {45}));
  const SecretKey sk(ctx, prg);
  const Encryptor enc(ctx, KeyGenerator(ctx, sk).public_key(prg));
  const Decryptor dec(ctx, sk);
  const std::vector<double> err = fresh_errors(ctx, enc, dec, false, prg);
  const double v = double(1 + hamming_weight(sk)) / 12;
  EXPECT_NEAR(mean_square(err) / v, 1.0, 6 * std::sqrt(4.0 / double(err.size())));
}

// c1 = u·p1 + e1 with p1 uniform: the centred coefficients of c1 fill the modulus (mean square
// q²/12), and so do those of the difference of two encryptions, (u − u')·p1 + e1 − e1', which
// would be short if u were zero or fixed. The same holds for the flooded zero, whose c1 is what
// re-randomises a reply.
TEST(Encryptor, PublicKeyZeroHasAFreshUniformC1) {
  const double tol = test::spread_tolerance(kN);
  for (size_t special : {size_t{0}, size_t{1}}) {
    auto prg = test::prg_for(uint8_t(44 + special));
    const auto ctx = Context::create(ParamsLiteral::from_bits(
        kN, {30, 30}, special ? std::vector<int>{45} : std::vector<int>{}));
    const SecretKey sk(ctx, prg);
    const Encryptor enc(ctx, KeyGenerator(ctx, sk).public_key(prg));
    Ciphertext a, b, f, g;
    enc.encrypt_zero(1, 1.0, a, prg);
    enc.encrypt_zero(1, 1.0, b, prg);
    enc.encrypt_zero_flooded(1, 40, f, prg);
    enc.encrypt_zero_flooded(1, 40, g, prg);
    for (const Ciphertext* c : {&a, &f}) {
      EXPECT_NEAR(test::centred_spread(*ctx, c->poly(1)), 1.0 / 12, tol) << "special " << special;
    }
    EXPECT_NEAR(test::centred_spread(*ctx, difference(*ctx, a.poly(1), b.poly(1))), 1.0 / 12, tol);
    EXPECT_NEAR(test::centred_spread(*ctx, difference(*ctx, f.poly(1), g.poly(1))), 1.0 / 12, tol);
  }
}

}  // namespace
}  // namespace pg::he
