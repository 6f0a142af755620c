// The noise the server's computation leaves in a reply, measured with the client's key and set
// against the bound the flooding is sized from (linear_params.h, B_comp). The flooding hides the
// weights only if that bound holds, so the model is checked against an independent count: the
// non-zero coefficients of the packed kernel polynomials, each of which multiplies the noise of
// a client ciphertext into every output coefficient (a dense block of nr rows sums nr·K of
// them, not K).
#include <gtest/gtest.h>

#include <cmath>

#include "he/coeff_encoder.h"
#include "he/evaluator.h"
#include "he/modarith.h"
#include "he/rns.h"
#include "he_linear_util.h"
#include "nn/kernels/conv_geometry.h"
#include "protocol/linear/term_codec.h"

namespace pg::protocol {
namespace {

struct NoiseCase {
  const char* name;
  nn::ConvGeometry g;
  bool dense;
};

nn::ConvGeometry conv3x3(int c, int hw, int m) {
  nn::ConvGeometry g;
  g.in_c = c;
  g.in_h = g.in_w = hw;
  g.out_c = m;
  g.kh = g.kw = 3;
  g.pad_top = g.pad_bottom = g.pad_left = g.pad_right = 1;
  return g;
}

// Worst-case weights ±W with random signs, so the noise's spread is known exactly:
// std(v) = √(K_e · 10.5) · W for the symmetric encryption's centred-binomial noise.
std::vector<int64_t> extreme_weights(core::Prg& prg, size_t n, int bits) {
  std::vector<int64_t> w(n, (int64_t{1} << bits) - 1);
  for (auto& v : w) v = (prg.next_u64() & 1) ? -v : v;
  return w;
}

TEST(HeNoise, ComputedNoiseMatchesItsModelForEveryLayout) {
  const int ell = 16, wbits = 6;
  const NoiseCase cases[] = {
      {"dense 256->100", nn::kernels::dense_geometry(256, 100), true},
      {"dense 64->256", nn::kernels::dense_geometry(64, 256), true},
      {"conv 3x3 16->8", conv3x3(16, 12, 8), false},
  };
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(0x4e));
  for (const NoiseCase& nc : cases) {
    SCOPED_TRACE(nc.name);
    const nn::ConvGeometry& g = nc.g;
    const auto w = extreme_weights(prg, g.weight_count(), wbits);
    const nn::Plan plan = testing::one_term_plan(g, nc.dense, ell, wbits, w);
    testing::OpenTerm open(plan, HeOptions{HeScheme::kCkks, HePacking::kCoefficient, nullptr}, prg);
    const TermSetup& s = open.term();
    const TermParams& p = s.params;
    const CoeffLayout& l = *s.coeff;
    const he::Context& ctx = *open.ctx;

    // K_e counted independently: the non-zero coefficients of output poly 0's kernel polys.
    size_t counted = 0;
    std::vector<int64_t> kc(l.degree());
    for (size_t t = 0; t < l.terms(0); ++t) {
      l.pack_kernel(w, 0, t, kc);
      for (int64_t v : kc) counted += v != 0;
    }
    EXPECT_EQ(l.noise_terms(), counted);
    EXPECT_EQ(s.shape.noise_terms, counted);
    const double wmax = std::ldexp(1.0, wbits) - 1;
    const double model_std = std::sqrt(double(counted) * 10.5) * wmax;

    // The product's value at the top level is Δ·(A r) + v with Δ = 2^s · P_drop (mod each q_i).
    const size_t top = p.top_level();
    std::vector<uint64_t> delta(top + 1);
    for (size_t i = 0; i <= top; ++i) {
      const he::Modulus& q = ctx.modulus(i);
      uint64_t d = q.pow(2, uint64_t(p.scale_bits));
      for (size_t j = p.reply_level + 1; j <= top; ++j) d = q.mul(d, q.reduce(p.primes[j]));
      delta[i] = d;
    }
    const he::CrtComposer& crt = *ctx.level(top).crt;
    const he::Evaluator ev(open.ctx);
    double sum_sq = 0, worst = 0;
    size_t count = 0;
    for (int trial = 0; trial < 2; ++trial) {
      std::vector<uint64_t> r(g.in_size());
      for (auto& v : r) v = prg.next_u64() & testing::ring_mask(ell);
      // A r over the integers: |A r| < K·2^ℓ·W < 2^63, so the product mod 2^64 read as signed
      const auto exact = testing::oracle(g, w, r, 64);
      const auto cts = load_request(ctx, 0, l.input_polys(), open.encrypt(r, prg)).value();
      for (size_t o = 0; o < l.output_polys(); ++o) {
        std::vector<he::Plaintext> pts(l.terms(o));
        std::vector<const he::Plaintext*> pp;
        std::vector<const he::Ciphertext*> cp;
        for (size_t t = 0; t < l.terms(o); ++t) {
          l.pack_kernel(w, o, t, kc);
          he::CoeffEncoder(open.ctx).encode_int(kc, top, pts[t]);
          pp.push_back(&pts[t]);
          cp.push_back(&cts[l.input_of(o, t)]);
        }
        he::Ciphertext acc;
        ev.inner_product_plain(cp, pp, acc);
        he::Plaintext x;
        open.dec->decrypt_coeffs(acc, x);
        for (const OutputSlot& os : l.outputs(o)) {
          const he::i128 ar = int64_t(exact[os.index]);
          std::vector<uint64_t> d(top + 1);
          for (size_t i = 0; i <= top; ++i) {
            const he::Modulus& q = ctx.modulus(i);
            he::i128 m = ar % he::i128(q.value());
            if (m < 0) m += q.value();
            d[i] = q.sub(x.poly().limb(i)[os.coeff], q.mul(uint64_t(m), delta[i]));
          }
          const double v = crt.compose_centered_double(d.data());
          sum_sq += v * v;
          worst = std::max(worst, std::fabs(v));
          ++count;
        }
      }
    }
    const double measured_std = std::sqrt(sum_sq / double(count));
    // Hundreds of samples of a sum of many independent terms: the spread is within a few
    // percent of the model; the band catches a model off by a factor √nr (≥ 2 here).
    EXPECT_GT(measured_std, 0.8 * model_std) << count << " values";
    EXPECT_LT(measured_std, 1.25 * model_std) << count << " values";
    // The flooding's premise: every computed noise value is below B_comp.
    EXPECT_LT(worst, std::exp2(p.log2_comp_noise)) << describe(p);
  }
}

}  // namespace
}  // namespace pg::protocol
