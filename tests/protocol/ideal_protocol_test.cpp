// The protocol's share algebra with ideal functionalities in place of HE and GC: the client's
// c = A·r + P(r) − t is computed in the clear (what the HE block must deliver), and each
// non-linear step hands the server NL((u + c) >>ₐ f_w) − r_out (what the garbled circuit must
// deliver). The reconstructed logits must equal nn's fixed-point engine, bit for bit. This pins
// the mask bookkeeping (residual and shortcut terms, max-pool windows, truncation, the server's
// online affine step) independently of the cryptography.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "core/prg.h"
#include "core/testing.h"
#include "nn/fixed_point.h"
#include "nn/plan.h"
#include "nn/test_plans.h"
#include "protocol/online_affine.h"

namespace pg::protocol {
namespace {

using nn::AffineStep;
using nn::NonLinearStep;
using nn::Plan;
using Tensor = std::vector<uint64_t>;

Tensor random_tensor(core::Prg& prg, size_t n, uint64_t mask) {
  Tensor t(n);
  for (auto& v : t) v = prg.next_u64() & mask;
  return t;
}

Tensor ideal_protocol(const Plan& s, const Tensor& x, core::Prg& prg) {
  const uint64_t mask = nn::ring_mask(s.ell);
  const auto masked = s.masked();
  const size_t n_t = s.tensors.size();
  std::vector<Tensor> r(n_t), xhat(n_t), c(n_t), t(n_t);
  for (size_t i = 0; i < n_t; ++i) {
    if (masked[i]) r[i] = random_tensor(prg, s.tensors[i].size(), mask);
  }
  // Preprocessing: for each affine step the server draws t; the client obtains c = A r − t.
  for (const auto& step : s.steps) {
    if (const auto* a = std::get_if<AffineStep>(&step)) {
      const size_t n = s.tensors[a->out].size();
      t[a->out] = random_tensor(prg, n, mask);
      c[a->out].resize(n);
      nn::apply_affine(s, *a, r, /*with_bias=*/false, c[a->out]);
      for (size_t i = 0; i < n; ++i) c[a->out][i] = (c[a->out][i] - t[a->out][i]) & mask;
    }
  }
  // Online.
  xhat[s.input].resize(x.size());
  for (size_t i = 0; i < x.size(); ++i) xhat[s.input][i] = (x[i] - r[s.input][i]) & mask;
  for (const auto& step : s.steps) {
    if (const auto* a = std::get_if<AffineStep>(&step)) {
      xhat[a->out].resize(s.tensors[a->out].size());
      AffineEvaluator(s, *a).apply(xhat, t[a->out], xhat[a->out]);  // the server's share u
    } else {
      const auto& n = std::get<NonLinearStep>(step);
      Tensor y(xhat[n.in].size()), z(s.tensors[n.out].size());
      for (size_t i = 0; i < y.size(); ++i) y[i] = (xhat[n.in][i] + c[n.in][i]) & mask;
      nn::apply_nonlinear(s, n, y, z);  // what the garbled circuit computes
      xhat[n.out].resize(z.size());
      for (size_t i = 0; i < z.size(); ++i) xhat[n.out][i] = (z[i] - r[n.out][i]) & mask;
    }
  }
  Tensor logits(xhat[s.output].size());
  for (size_t i = 0; i < logits.size(); ++i) {
    logits[i] = (xhat[s.output][i] + c[s.output][i]) & mask;
  }
  return logits;
}

TEST(IdealProtocol, ReconstructsTheFixedPointEngineBitForBit) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(31));
  const Plan s = nn::testing::residual_net(prg);
  ASSERT_NO_THROW(s.validate());
  const uint64_t mask = nn::ring_mask(s.ell);
  for (int trial = 0; trial < 20; ++trial) {
    Tensor x(64);
    const int64_t one = int64_t{1} << s.f;
    for (auto& v : x) v = uint64_t(int64_t(prg.uniform_below(2 * one)) - one) & mask;
    if (trial == 0) std::fill(x.begin(), x.end(), 0);
    if (trial == 1) std::fill(x.begin(), x.end(), mask >> 1);  // 2^{ℓ-1} − 1: wraps freely
    if (trial == 2) std::fill(x.begin(), x.end(), (mask >> 1) + 1);  // −2^{ℓ-1}
    EXPECT_EQ(ideal_protocol(s, x, prg), nn::run_plan(s, x)) << "trial " << trial;
  }
}

}  // namespace
}  // namespace pg::protocol
