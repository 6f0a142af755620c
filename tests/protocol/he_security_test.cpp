// What the client learns from a reply (PROTOCOL.md §3 step 3 and §5), checked with what the
// client knows: its secret key and the seeds of its own ciphertexts.
//
// 1. Statistical masking: over many exchanges with the same mask r, the values the client
//    decrypts have the same distribution for two different weight sets (a two-sample
//    Kolmogorov–Smirnov test at α = 10^-3): the CKKS-space integer m = A·r − t − 2^ℓ·h, and the
//    decryption noise. A control with the high mask h switched off shows the test detects the
//    weights when they do leak.
// 2. Re-randomisation: dividing the reply's c1 by the client's own a (pointwise in the NTT
//    domain) recovers the weights from a bare product c·w, and recovers nothing from a reply.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "he/coeff_encoder.h"
#include "he/evaluator.h"
#include "he/rns.h"
#include "he/sampling.h"
#include "he/serialization.h"
#include "he_linear_util.h"
#include "nn/kernels/conv_geometry.h"
#include "protocol/linear/term_codec.h"

namespace pg::protocol {
namespace {

using testing::OpenTerm;

// Two-sample Kolmogorov–Smirnov statistic.
double ks_statistic(std::vector<double> a, std::vector<double> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  size_t i = 0, j = 0;
  double d = 0;
  while (i < a.size() && j < b.size()) {
    const double x = std::min(a[i], b[j]);
    while (i < a.size() && a[i] <= x) ++i;
    while (j < b.size() && b[j] <= x) ++j;
    d = std::max(d, std::fabs(double(i) / double(a.size()) - double(j) / double(b.size())));
  }
  return d;
}

double ks_critical(size_t n1, size_t n2) {  // α = 10^-3
  return 1.949 * std::sqrt(double(n1 + n2) / (double(n1) * double(n2)));
}

// Centred value of a residue.
double centred(uint64_t x, uint64_t q) {
  return x > q / 2 ? -double(q - x) : double(x);
}

struct Views {
  std::vector<double> value;  // the decrypted integer, normalised (kCkks) or c/2^ℓ (kPow2)
  std::vector<double> noise;  // x − Δ·value at the reply level
};

// `trials` exchanges of term 0 with the same r; the server uses `setup` (possibly altered).
Views client_views(const OpenTerm& open, const TermSetup& setup, const std::vector<int64_t>& w,
                   const std::vector<uint64_t>& r, int trials, core::Prg& prg) {
  size_t budget = size_t{1} << 28;
  const CoeffTermServer server(setup, open.ctx, w, budget, nullptr);
  const TermParams& p = setup.params;
  const he::Context& ctx = *open.ctx;
  const uint64_t q = ctx.modulus(0).value();
  const he::CrtComposer& crt = *ctx.level(p.reply_level).crt;
  if (p.scheme == HeScheme::kPow2) {
    EXPECT_EQ(p.reply_level, 0u) << "the pow2 view reads one prime";
  }
  const he::CoeffEncoder enc(open.ctx);
  Views v;
  std::vector<uint64_t> t(setup.out_size);
  for (int i = 0; i < trials; ++i) {
    const auto req = coeff_encrypt(setup, open.ctx, *open.sym, 0, r, prg);
    auto reply = server.respond(0, req, *open.pk_enc, t, prg, nullptr);
    EXPECT_TRUE(reply.ok());
    core::ByteReader rd(reply.value());
    EXPECT_TRUE(get_reply_header(rd, 0, setup.reply_coeffs.size()).ok());
    for (size_t o = 0; o < setup.reply_coeffs.size(); ++o) {
      he::Reply rep;
      EXPECT_TRUE(
          get_compact(rd, ctx, p.reply_level, setup.reply_coeffs[o], p.drop_bits, rep).ok());
      he::Plaintext x;
      open.dec->decrypt_reply(rep, x);
      const auto& coeffs = setup.reply_coeffs[o];
      if (p.scheme == HeScheme::kPow2) {
        const auto c = enc.decode_scaled(x, setup.shape.ell, coeffs);
        for (size_t k = 0; k < coeffs.size(); ++k) {
          const he::u128 delta =
              (he::u128(q) * c[k] + (he::u128(1) << (setup.shape.ell - 1))) >> setup.shape.ell;
          const uint64_t xv = x.poly().limb(0)[coeffs[k]];
          v.value.push_back(std::ldexp(double(c[k]), -setup.shape.ell));
          v.noise.push_back(centred((xv + q - uint64_t(delta % q)) % q, q));
        }
      } else {
        const auto m = enc.decode_int_scaled(x, p.scale_bits, coeffs);
        std::vector<uint64_t> diff(p.reply_level + 1);
        for (size_t k = 0; k < coeffs.size(); ++k) {
          const int64_t mv = int64_t(m[k]);
          for (size_t l = 0; l <= p.reply_level; ++l) {
            const he::Modulus& qm = ctx.modulus(l);
            const uint64_t msg = qm.mul(qm.reduce_signed(mv), qm.pow(2, uint64_t(p.scale_bits)));
            diff[l] = qm.sub(x.poly().limb(l)[coeffs[k]], msg);
          }
          v.value.push_back(std::ldexp(double(mv), -(setup.shape.ell + p.mask_bits)));
          v.noise.push_back(crt.compose_centered_double(diff.data()));
        }
      }
    }
  }
  return v;
}

struct Fixture {
  nn::ConvGeometry g = nn::kernels::dense_geometry(16, 8);
  int ell = 8, wbits = 3;
  std::vector<int64_t> w_small, w_large;
  std::vector<uint64_t> r;
  explicit Fixture(core::Prg& prg) {
    w_small.assign(g.weight_count(), 0);
    w_small[0] = 1;
    w_large.assign(g.weight_count(), (1 << wbits) - 1);
    r.assign(g.in_size(), (uint64_t{1} << ell) - 1);
    for (size_t i = 0; i < r.size(); i += 2) r[i] = prg.next_u64() & ((uint64_t{1} << ell) - 1);
  }
};

class Masking : public ::testing::TestWithParam<HeScheme> {};

TEST_P(Masking, DecryptedValuesDoNotDependOnTheWeights) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(41));
  const Fixture f(prg);
  const nn::Plan plan = testing::one_term_plan(f.g, true, f.ell, f.wbits, f.w_large);
  const OpenTerm open(plan, HeOptions{GetParam(), HePacking::kCoefficient, nullptr}, prg);
  const TermSetup& s = open.term();
  const Views a = client_views(open, s, f.w_small, f.r, 150, prg);
  const Views b = client_views(open, s, f.w_large, f.r, 150, prg);
  const double crit = ks_critical(a.value.size(), b.value.size());
  EXPECT_LT(ks_statistic(a.value, b.value), crit) << "the decrypted values reveal A";
  EXPECT_LT(ks_statistic(a.noise, b.noise), crit) << "the decryption noise reveals A";
  if (GetParam() == HeScheme::kCkks) {
    // Control: without the high part of the mask, m = A·r − t shows A plainly.
    TermSetup weak = s;
    weak.params.mask_bits = 0;
    const Views c = client_views(open, weak, f.w_small, f.r, 60, prg);
    const Views d = client_views(open, weak, f.w_large, f.r, 60, prg);
    EXPECT_GT(ks_statistic(c.value, d.value), ks_critical(c.value.size(), d.value.size()))
        << "the test cannot see a leak";
  }
}

INSTANTIATE_TEST_SUITE_P(Schemes, Masking, ::testing::Values(HeScheme::kPow2, HeScheme::kCkks),
                         [](const auto& p) {
                           return p.param == HeScheme::kPow2 ? std::string("pow2")
                                                             : std::string("ckks");
                         });

// Pointwise c1/a over the rows of a reply level, back to coefficients, centred (row 0).
std::vector<double> divide_by_a(const he::Context& ctx, const he::RnsPoly& c1,
                                const he::RnsPoly& a) {
  he::RnsPoly quotient(ctx.n(), 1, true);
  const he::Modulus& q = ctx.modulus(0);
  for (size_t j = 0; j < ctx.n(); ++j) {
    quotient.limb(0)[j] = q.mul(c1.limb(0)[j], q.inverse(a.limb(0)[j]));
  }
  ctx.from_ntt(quotient);
  std::vector<double> out(ctx.n());
  for (size_t j = 0; j < ctx.n(); ++j) out[j] = centred(quotient.limb(0)[j], q.value());
  return out;
}

size_t matches(const std::vector<double>& guess, const std::vector<int64_t>& kernel) {
  size_t m = 0;
  for (size_t j = 0; j < guess.size(); ++j) m += guess[j] == double(kernel[j]);
  return m;
}

TEST(Rerandomisation, DividingByTheClientsAGivesNothingBack) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(43));
  // One input and one output polynomial: c1 of a bare product is exactly a·w.
  const nn::ConvGeometry g = nn::kernels::square_conv(1, 12, 12, 1, 3, 1, 1);
  const auto w = testing::random_weights(prg, g.weight_count(), 10);
  const nn::Plan plan = testing::one_term_plan(g, false, 37, 10, w);
  const OpenTerm open(plan, HeOptions{HeScheme::kPow2, HePacking::kCoefficient, nullptr}, prg);
  const TermSetup& s = open.term();
  ASSERT_EQ(s.coeff->input_polys(), 1u);
  ASSERT_EQ(s.coeff->output_polys(), 1u);
  const he::Context& ctx = *open.ctx;
  std::vector<int64_t> kernel(ctx.n());
  s.coeff->pack_kernel(w, 0, 0, kernel);
  std::vector<uint64_t> r(g.in_size());
  for (auto& v : r) v = prg.next_u64() & ((uint64_t{1} << 37) - 1);
  const auto req = coeff_encrypt(s, open.ctx, *open.sym, 0, r, prg);
  auto cts = load_request(ctx, 0, 1, req);
  ASSERT_TRUE(cts.ok());
  // The client's a: the expansion of its own seed.
  he::RnsPoly a(ctx.n(), ctx.top_level() + 1, true);
  he::expand_uniform(ctx, cts.value()[0].seed(), a);

  // Control: the bare product hands the weights over.
  he::Plaintext wp;
  he::CoeffEncoder(open.ctx).encode_int(kernel, ctx.top_level(), wp);
  he::Ciphertext bare;
  he::Evaluator(open.ctx).multiply_plain(cts.value()[0], wp, bare);
  EXPECT_EQ(matches(divide_by_a(ctx, bare.poly(1), a), kernel), ctx.n());

  // The reply: flooded with a fresh public-key encryption of zero and switched down.
  size_t budget = size_t{1} << 28;
  const CoeffTermServer server(s, open.ctx, w, budget, nullptr);
  std::vector<uint64_t> t(s.out_size);
  auto reply = server.respond(0, req, *open.pk_enc, t, prg, nullptr);
  ASSERT_TRUE(reply.ok());
  core::ByteReader rd(reply.value());
  ASSERT_TRUE(get_reply_header(rd, 0, 1).ok());
  he::Reply rep;
  ASSERT_TRUE(
      get_compact(rd, ctx, s.params.reply_level, s.reply_coeffs[0], s.params.drop_bits, rep).ok());
  const auto guess = divide_by_a(ctx, rep.c1, a);
  EXPECT_LT(matches(guess, kernel), ctx.n() / 100) << "the reply's c1 still carries a·w";
  // Nor are the quotients small, as w's coefficients are: they look uniform mod q_0.
  size_t small = 0;
  for (double v : guess) small += std::fabs(v) < 1024;
  EXPECT_LT(small, ctx.n() / 100);

  // The checks above would also pass for a bare product switched to the reply level (the switch
  // rounds a and a·w apart). So compare with exactly that: what re-randomisation adds to c1 is
  // u·pk1 + e1 switched down, uniform-looking mod q_0. Without u (or without the whole
  // encryption of zero) the difference would be at most a rounding error.
  he::Ciphertext switched = bare;
  he::Evaluator(open.ctx).mod_switch_round_to_inplace(switched, s.params.reply_level);
  he::RnsPoly diff(ctx.n(), 1, true);
  const he::Modulus& q0 = ctx.modulus(0);
  for (size_t j = 0; j < ctx.n(); ++j) {
    diff.limb(0)[j] = q0.sub(rep.c1.limb(0)[j], switched.poly(1).limb(0)[j]);
  }
  ctx.from_ntt(diff);
  size_t short_coeffs = 0;
  for (size_t j = 0; j < ctx.n(); ++j) {
    short_coeffs +=
        std::fabs(centred(diff.limb(0)[j], q0.value())) < std::ldexp(double(q0.value()), -10);
  }
  // Uniform values fall below q_0/2^10 with probability 2^-9 each.
  EXPECT_LT(short_coeffs, ctx.n() / 64)
      << "the reply's c1 is the bare product's, not re-randomised";
}

}  // namespace
}  // namespace pg::protocol
