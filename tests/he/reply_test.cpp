// Compact replies: c1 in full, c0 only at chosen coefficients with low bits dropped, at one or
// two primes; exact decoding within the budget, failure past it, validation of bad input, and
// the re-randomisation that keeps the client from dividing out the weights.
#include "he/reply.h"

#include <gtest/gtest.h>

#include <vector>

#include "he/coeff_encoder.h"
#include "he/decryptor.h"
#include "he/encryptor.h"
#include "he/evaluator.h"
#include "he/sampling.h"
#include "he_test_util.h"

namespace pg::he {
namespace {

using test::low_mask;

struct Fixture {
  static constexpr int kEll = 37;
  core::Prg prg = test::prg_for(71);
  ContextPtr ctx = Context::create(ParamsLiteral::from_bits(4096, {51, 58}));
  SecretKey sk{ctx, prg};
  PublicKey pk = KeyGenerator(ctx, sk).public_key(prg);
  CoeffEncoder ce{ctx};
  Evaluator ev{ctx};
  std::vector<uint64_t> r, want;
  std::vector<int64_t> w;
  core::Seed seed{};

  // Enc(r)·w − mask + flooded zero, at level 1.
  Ciphertext product(int flood_bits) {
    r.assign(4096, 0);
    for (auto& v : r) v = prg.next_u64() & low_mask(kEll);
    w.assign(4096, 0);
    for (int k = 0; k < 64; ++k)
      w[prg.uniform_below(4096)] = int64_t(prg.uniform_below(2000)) - 1000;
    Plaintext pr, pw;
    ce.encode_scaled(r, kEll, 1, pr);
    ce.encode_int(w, 1, pw);
    Ciphertext ct;
    Encryptor(ctx, sk).encrypt_symmetric(pr, ct, prg);
    seed = ct.seed();
    ev.multiply_plain_inplace(ct, pw);
    want = test::negacyclic_u64(r, w);
    for (auto& v : want) v &= low_mask(kEll);
    if (flood_bits >= 0) {
      Ciphertext z;
      Encryptor(ctx, pk).encrypt_zero_flooded(1, flood_bits, z, prg);
      ev.add_inplace(ct, z);
    }
    return ct;
  }
};

std::vector<uint32_t> some_coeffs() {
  std::vector<uint32_t> c;
  for (uint32_t j = 3; j < 4096; j += 7) c.push_back(j);
  c.push_back(0);
  c.push_back(4095);
  return c;
}

TEST(Reply, DecodesExactlyAtOneAndTwoPrimesWithDroppedBits) {
  Fixture f;
  const Decryptor dec(f.ctx, f.sk);
  const auto coeffs = some_coeffs();
  for (size_t level : {size_t{1}, size_t{0}}) {
    // Budget at one prime: Q/(2t) = 2^13 against a rounding noise of about 2^6.
    for (int drop : {0, 5, 10}) {
      Ciphertext ct = f.product(50);
      f.ev.mod_switch_round_to_inplace(ct, level);
      const core::Bytes bytes = save_reply(*f.ctx, ct, coeffs, drop);
      EXPECT_EQ(bytes.size(), reply_bytes(*f.ctx, level, coeffs.size(), drop));
      auto rep = load_reply(*f.ctx, bytes, coeffs, drop);
      ASSERT_TRUE(rep.ok()) << rep.error().to_string();
      Plaintext x;
      dec.decrypt_reply(rep.value(), x);
      const auto got = f.ce.decode_scaled(x, Fixture::kEll, coeffs);
      for (size_t k = 0; k < coeffs.size(); ++k) {
        ASSERT_EQ(got[k], f.want[coeffs[k]]) << "level=" << level << " drop=" << drop;
      }
    }
  }
  // A one-prime reply is about half the size of the two-prime one, and dropping bits shrinks c0.
  Ciphertext ct = f.product(50);
  f.ev.mod_switch_round_to_inplace(ct, 0);
  EXPECT_LT(reply_bytes(*f.ctx, 0, coeffs.size(), 10), reply_bytes(*f.ctx, 0, coeffs.size(), 0));
  EXPECT_LT(reply_bytes(*f.ctx, 0, coeffs.size(), 0), reply_bytes(*f.ctx, 1, coeffs.size(), 0));
}

TEST(Reply, DroppingPastTheBudgetBreaksDecoding) {
  Fixture f;
  const Decryptor dec(f.ctx, f.sk);
  const auto coeffs = some_coeffs();
  Ciphertext ct = f.product(50);
  f.ev.mod_switch_round_to_inplace(ct, 0);
  auto rep = load_reply(*f.ctx, save_reply(*f.ctx, ct, coeffs, 16), coeffs, 16);
  ASSERT_TRUE(rep.ok());
  Plaintext x;
  dec.decrypt_reply(rep.value(), x);
  const auto got = f.ce.decode_scaled(x, Fixture::kEll, coeffs);
  size_t wrong = 0;
  for (size_t k = 0; k < coeffs.size(); ++k) wrong += got[k] != f.want[coeffs[k]];
  EXPECT_GT(wrong, coeffs.size() / 4);
}

TEST(Reply, MalformedRepliesAreRejected) {
  Fixture f;
  const auto coeffs = some_coeffs();
  Ciphertext ct = f.product(50);
  f.ev.mod_switch_round_to_inplace(ct, 0);
  const core::Bytes good = save_reply(*f.ctx, ct, coeffs, 4);
  EXPECT_FALSE(load_reply(*f.ctx, good, coeffs, 5).ok());  // other layout
  const std::vector<uint32_t> fewer(coeffs.begin(), coeffs.end() - 1);
  EXPECT_FALSE(load_reply(*f.ctx, good, fewer, 4).ok());
  for (size_t cut : {size_t{0}, size_t{5}, good.size() / 2, good.size() - 1}) {
    EXPECT_FALSE(load_reply(*f.ctx, std::span(good).first(cut), coeffs, 4).ok());
  }
  core::Bytes longer = good;
  longer.push_back(0);
  EXPECT_FALSE(load_reply(*f.ctx, longer, coeffs, 4).ok());
  core::Bytes big = good;
  for (size_t i = 20; i < 20 + 8; ++i) big[i] = 0xff;  // the first c1 residue: 2^51 − 1 > q
  EXPECT_FALSE(load_reply(*f.ctx, big, coeffs, 4).ok());
  const std::vector<uint32_t> dup{1, 1};
  EXPECT_THROW((void)save_reply(*f.ctx, ct, dup, 0), std::invalid_argument);
  EXPECT_THROW((void)save_reply(*f.ctx, ct, coeffs, 51), std::invalid_argument);
}

// PROTOCOL.md §3 step 3: the client knows a (it expanded it from its own seed). Without
// re-randomisation the product's c1 is a·w and w = c1/a falls out; with the flooded
// encryption of zero added, the same division yields nothing like w.
TEST(Reply, RerandomisationHidesTheWeights) {
  Fixture f;
  for (int flood : {-1, 40}) {
    const Ciphertext ct = f.product(flood);
    RnsPoly a(4096, 1, true);
    expand_uniform(*f.ctx, f.seed, a);
    const Modulus& q = f.ctx->modulus(0);
    std::vector<uint64_t> guess(4096);
    for (size_t j = 0; j < 4096; ++j)
      guess[j] = q.mul(ct.poly(1).limb(0)[j], q.inverse(a.limb(0)[j]));
    f.ctx->ntt(0).inverse(guess.data());
    size_t equal = 0;
    for (size_t j = 0; j < 4096; ++j) equal += guess[j] == q.reduce_signed(f.w[j]);
    if (flood < 0) {
      EXPECT_EQ(equal, 4096u);  // the attack works on a bare product
    } else {
      EXPECT_LT(equal, 41u);  // and recovers nothing once re-randomised (the zeros of w, ~1%)
    }
  }
}

// The same from the other side: for any guess of w the client can compute the bare product's
// c1 = a·w, and the reply's c1 minus it is the flooded zero's u·p1 + e1, uniform mod q (mean
// square q²/12 centred). Without u it would be the short e1: w would be testable, guess by guess.
TEST(Reply, RerandomisedC1IsFarFromTheBareProduct) {
  Fixture f;
  for (int flood : {-1, 40}) {
    const Ciphertext ct = f.product(flood);
    Plaintext pw;
    f.ce.encode_int(f.w, 1, pw);
    RnsPoly rest(4096, 2, true);
    expand_uniform(*f.ctx, f.seed, rest);
    for (size_t i = 0; i < 2; ++i) {
      const Modulus& q = f.ctx->modulus(i);
      for (size_t j = 0; j < 4096; ++j) {
        rest.limb(i)[j] =
            q.sub(ct.poly(1).limb(i)[j], q.mul(rest.limb(i)[j], pw.poly().limb(i)[j]));
      }
    }
    const double spread = test::centred_spread(*f.ctx, rest);
    if (flood < 0) {
      EXPECT_EQ(spread, 0.0);  // the bare product is a·w exactly
    } else {
      EXPECT_NEAR(spread, 1.0 / 12, test::spread_tolerance(4096));
    }
  }
}

}  // namespace
}  // namespace pg::he
