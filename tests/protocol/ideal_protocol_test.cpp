// The protocol's share algebra with ideal functionalities in place of HE and GC: the client's
// c = A·r − t is computed in the clear (what the HE block must deliver), and each non-linear
// step hands the server NL((u + c) >>ₐ f_w) − r_out (what the garbled circuit must deliver).
// The reconstructed logits must equal a direct fixed-point evaluation, bit for bit. This pins
// the mask bookkeeping (residual combinations, max-pool windows, the server's online affine
// step) independently of the cryptography.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "core/prg.h"
#include "core/testing.h"
#include "nn/kernels/ring_conv.h"
#include "protocol/online_affine.h"
#include "protocol/schedule.h"
#include "test_nets.h"

namespace pg::protocol {
namespace {

using nn::kernels::RingConv;
using nn::kernels::RingMethod;
using Tensor = std::vector<uint64_t>;

constexpr int kEll = 37, kF = 10, kFw = 9;
constexpr uint64_t kMask = (uint64_t{1} << kEll) - 1;

int64_t signed_of(uint64_t v) {
  return int64_t(v << (64 - kEll)) >> (64 - kEll);  // sign-extend from ℓ bits
}

// NL(y >>ₐ f_w) over a window, as the reference defines it.
uint64_t nonlinear(const Tensor& y, const std::vector<uint32_t>& window) {
  int64_t best = INT64_MIN;
  for (uint32_t i : window) best = std::max(best, signed_of(y[i]) >> kFw);
  return uint64_t(std::max<int64_t>(best, 0)) & kMask;
}

Tensor affine_clear(const AffineStep& a, const std::vector<Tensor>& vals, size_t out_size) {
  Tensor y(out_size, 0), tmp(out_size);
  for (size_t i = 0; i < out_size; ++i) y[i] = uint64_t(a.bias[i]);
  for (const auto& t : a.he_terms) {
    RingConv(t.geometry, t.weights).apply(vals[t.in], kEll, tmp, RingMethod::kDirect);
    for (size_t i = 0; i < out_size; ++i) y[i] += tmp[i];
  }
  for (const auto& s : a.scale_terms) {
    for (size_t i = 0; i < out_size; ++i) y[i] += uint64_t(s.factor) * vals[s.in][i];
  }
  for (auto& v : y) v &= kMask;
  return y;
}

Tensor reference(const Schedule& s, const Tensor& x) {
  std::vector<Tensor> vals(s.tensors.size());
  vals[s.input] = x;
  for (const auto& step : s.steps) {
    if (const auto* a = std::get_if<AffineStep>(&step)) {
      vals[a->out] = affine_clear(*a, vals, s.tensors[a->out].size());
    } else {
      const auto& n = std::get<NonLinearStep>(step);
      const auto wins = n.windows(s.tensors[n.in], s.tensors[n.out]);
      vals[n.out].resize(wins.size());
      for (size_t i = 0; i < wins.size(); ++i) vals[n.out][i] = nonlinear(vals[n.in], wins[i]);
    }
  }
  return vals[s.output];
}

Tensor random_tensor(core::Prg& prg, size_t n) {
  Tensor t(n);
  for (auto& v : t) v = prg.next_u64() & kMask;
  return t;
}

Tensor ideal_protocol(const Schedule& s, const Tensor& x, core::Prg& prg) {
  const auto masked = s.masked();
  std::vector<Tensor> r(s.tensors.size()), xhat(s.tensors.size()), c(s.tensors.size()),
      t(s.tensors.size());
  for (size_t i = 0; i < s.tensors.size(); ++i) {
    if (masked[i]) r[i] = random_tensor(prg, s.tensors[i].size());
  }
  // Preprocessing: for each affine step the server draws t; the client obtains c.
  std::vector<Tensor> zero_r = r;  // the client's masks, as the HE inputs
  for (const auto& step : s.steps) {
    if (const auto* a = std::get_if<AffineStep>(&step)) {
      const size_t n = s.tensors[a->out].size();
      t[a->out] = random_tensor(prg, n);
      AffineStep no_bias = *a;
      std::fill(no_bias.bias.begin(), no_bias.bias.end(), 0);
      c[a->out] = affine_clear(no_bias, zero_r, n);  // A r (+ s·r for scale terms)
      for (size_t i = 0; i < n; ++i) c[a->out][i] = (c[a->out][i] - t[a->out][i]) & kMask;
    }
  }
  // Online.
  xhat[s.input].resize(x.size());
  for (size_t i = 0; i < x.size(); ++i) xhat[s.input][i] = (x[i] - r[s.input][i]) & kMask;
  Tensor u_last;
  for (const auto& step : s.steps) {
    if (const auto* a = std::get_if<AffineStep>(&step)) {
      Tensor u(s.tensors[a->out].size());
      AffineEvaluator(*a, kEll).apply(xhat, t[a->out], u);
      xhat[a->out] = u;  // the server's share u of the affine output
      u_last = u;
    } else {
      const auto& n = std::get<NonLinearStep>(step);
      Tensor y(xhat[n.in].size());
      for (size_t i = 0; i < y.size(); ++i) y[i] = (xhat[n.in][i] + c[n.in][i]) & kMask;
      const auto wins = n.windows(s.tensors[n.in], s.tensors[n.out]);
      xhat[n.out].resize(wins.size());
      for (size_t i = 0; i < wins.size(); ++i) {
        xhat[n.out][i] = (nonlinear(y, wins[i]) - r[n.out][i]) & kMask;
      }
    }
  }
  Tensor logits(u_last.size());
  for (size_t i = 0; i < logits.size(); ++i) logits[i] = (u_last[i] + c[s.output][i]) & kMask;
  return logits;
}

TEST(IdealProtocol, ReconstructsTheFixedPointReferenceBitForBit) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(31));
  const Schedule s = residual_net(prg);
  ASSERT_NO_THROW(s.validate());
  for (int trial = 0; trial < 20; ++trial) {
    Tensor x(64);
    for (auto& v : x) v = uint64_t(int64_t(prg.uniform_below(1 << (kF + 1))) - (1 << kF)) & kMask;
    if (trial == 0) std::fill(x.begin(), x.end(), 0);
    EXPECT_EQ(ideal_protocol(s, x, prg), reference(s, x)) << "trial " << trial;
  }
}

TEST(Schedule, ValidationNamesTheProblem) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(32));
  Schedule s = residual_net(prg);
  Schedule bad = s;
  std::swap(bad.steps[0], bad.steps[1]);
  try {
    bad.validate();
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "schedule step 0: input tensor 1 is read before it is produced");
  }
  bad = s;
  std::get<AffineStep>(bad.steps[2]).he_terms[0].in = 1;  // an affine output into an affine step
  EXPECT_THROW(bad.validate(), std::invalid_argument);
  bad = s;
  std::get<NonLinearStep>(bad.steps[1]).pool_stride = 0;  // found by the fuzzer: no division
  try {
    bad.validate();
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "schedule step 1: invalid max-pool window");
  }
  bad = s;
  std::get<AffineStep>(bad.steps[0]).bias.resize(3);
  EXPECT_THROW(bad.validate(), std::invalid_argument);
  // The architecture view keeps shapes and drops weights and biases.
  const Schedule arch = s.architecture();
  EXPECT_NO_THROW(arch.validate());
  EXPECT_TRUE(std::get<AffineStep>(arch.steps[0]).he_terms[0].weights.empty());
  EXPECT_TRUE(std::get<AffineStep>(arch.steps[0]).bias.empty());
  EXPECT_EQ(arch.masked(), s.masked());
}

TEST(Schedule, MaxPoolWindowsWithPaddingRepeatInBoundsElements) {
  NonLinearStep n;
  n.kind = NonLinearKind::kMaxPoolRelu;
  n.pool_k = 3;
  n.pool_stride = 2;
  n.pool_pad = 1;
  const auto w = n.windows({1, 4, 4}, {1, 2, 2});
  ASSERT_EQ(w.size(), 4u);
  // Window (0,0) covers rows/cols -1..1: in-bounds 0..1, each tap clamped into it.
  EXPECT_EQ(w[0], (std::vector<uint32_t>{0, 0, 1, 0, 0, 1, 4, 4, 5}));
  for (const auto& win : w) EXPECT_EQ(win.size(), 9u);
}

}  // namespace
}  // namespace pg::protocol
