// The fixed-point engine against values worked out by hand, including wrap-around mod 2^ℓ, the
// arithmetic (flooring) shift on negative values, and max-pool windows with end padding.
#include "nn/fixed_point.h"

#include <gtest/gtest.h>

namespace pg::nn {
namespace {

using kernels::dense_geometry;

HeTerm dense_term(size_t in, int n_in, int n_out, std::vector<int64_t> w, int bits) {
  HeTerm t;
  t.in = in;
  t.dense = true;
  t.geometry = dense_geometry(n_in, n_out);
  t.weights = std::move(w);
  t.weight_bits = bits;
  return t;
}

NonLinearStep nl(size_t in, size_t out, NonLinearKind kind) {
  NonLinearStep n;
  n.in = in;
  n.out = out;
  n.kind = kind;
  return n;
}

TEST(FixedPoint, DenseReluTruncateByHand) {
  Plan p;
  p.ell = 8;
  p.f = 2;
  p.f_w = 1;
  p.tensors = {{2, 1, 1}, {2, 1, 1}, {2, 1, 1}, {2, 1, 1}, {2, 1, 1}, {2, 1, 1}};
  p.steps.push_back(AffineStep{1, {dense_term(0, 2, 2, {3, -1, 2, 2}, 2)}, {}, {1, -3}});
  p.steps.push_back(nl(1, 2, NonLinearKind::kRelu));
  p.steps.push_back(AffineStep{3, {dense_term(2, 2, 2, {-1, 0, 0, 1}, 1)}, {}, {-1, 0}});
  p.steps.push_back(nl(3, 4, NonLinearKind::kTruncate));
  p.steps.push_back(AffineStep{5, {}, {PublicTerm{4, 2, 1, 0, 0}}, {0, 0}});
  p.output = 5;
  ASSERT_NO_THROW(p.validate());
  // x = (1.25, −0.5) → (5, −2) at 2^2; y1 = (3·5 + 2 + 1, 10 − 4 − 3) = (18, 3) → ReLU of
  // (9, 1); y3 = (−9 − 1, 1) = (−10, 1) → truncate: (−5, 0); output 2·(−5, 0) = (−10, 0).
  const auto enc = encode_input(p, std::vector<double>{1.25, -0.5});
  EXPECT_EQ(enc, (std::vector<uint64_t>{5, 254}));
  const auto all = run_plan_all(p, enc);
  EXPECT_EQ(all[1], (std::vector<uint64_t>{18, 3}));
  EXPECT_EQ(all[2], (std::vector<uint64_t>{9, 1}));
  EXPECT_EQ(all[3], (std::vector<uint64_t>{246, 1}));  // −10 mod 256
  EXPECT_EQ(all[4], (std::vector<uint64_t>{251, 0}));  // −10 >>ₐ 1 = −5
  EXPECT_EQ(all[5], (std::vector<uint64_t>{246, 0}));
  EXPECT_EQ(decode_output(p, all[5]), (std::vector<double>{-10.0 / 8, 0}));
  // −1 >>ₐ 1 is −1 (floor), not 0.
  std::vector<uint64_t> z(2);
  apply_nonlinear(p, std::get<NonLinearStep>(p.steps[3]), std::vector<uint64_t>{255, 1}, z);
  EXPECT_EQ(z, (std::vector<uint64_t>{255, 0}));
}

TEST(FixedPoint, WrapsAroundModTwoToTheEll) {
  Plan p;
  p.ell = 8;
  p.f = 1;
  p.f_w = 1;
  p.tensors = {{1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}};
  p.steps.push_back(AffineStep{1, {dense_term(0, 1, 1, {3}, 2)}, {}, {0}});
  p.steps.push_back(nl(1, 2, NonLinearKind::kRelu));
  p.steps.push_back(AffineStep{3, {}, {PublicTerm{2, 2, 1, 0, 0}}, {0}});
  p.output = 3;
  // 3·127 = 381 ≡ 125: ReLU(125 >>ₐ 1) = 62. 3·(−128) = −384 ≡ 128 = −128: ReLU(−64) = 0.
  EXPECT_EQ(run_plan_all(p, std::vector<uint64_t>{127})[2], (std::vector<uint64_t>{62}));
  EXPECT_EQ(run_plan_all(p, std::vector<uint64_t>{128})[2], (std::vector<uint64_t>{0}));
  // Inputs are reduced mod 2^ℓ first: 256 + 127 behaves as 127.
  EXPECT_EQ(run_plan(p, std::vector<uint64_t>{383}), (std::vector<uint64_t>{124}));
}

TEST(FixedPoint, MaxPoolReluWindowsWithEndPadding) {
  Plan p;
  p.ell = 16;
  p.f = 0;
  p.f_w = 0;
  p.tensors = {{1, 3, 3}, {1, 3, 3}, {1, 2, 2}, {1, 2, 2}};
  HeTerm id;
  id.geometry = kernels::square_conv(1, 3, 3, 1, 1);
  id.weights = {1};
  p.steps.push_back(AffineStep{1, {id}, {}, std::vector<int64_t>(9, 0)});
  NonLinearStep pool = nl(1, 2, NonLinearKind::kMaxPoolRelu);
  pool.pool = PoolWindow{2, 2, 2, 2, 0, 0, 1, 1};
  p.steps.push_back(pool);
  p.steps.push_back(AffineStep{3, {}, {PublicTerm{2, 1, 1, 0, 0}}, std::vector<int64_t>(4, 0)});
  p.output = 3;
  auto enc = [](std::vector<int64_t> v) {
    std::vector<uint64_t> out;
    for (int64_t x : v) out.push_back(uint64_t(x) & 0xffff);
    return out;
  };
  // [[1,−2,3],[−4,5,−6],[7,−8,−9]]: windows {1,−2,−4,5}, {3,−6}, {7,−8}, {−9} → 5, 3, 7, ReLU(−9).
  EXPECT_EQ(run_plan(p, enc({1, -2, 3, -4, 5, -6, 7, -8, -9})),
            (std::vector<uint64_t>{5, 3, 7, 0}));
}

}  // namespace
}  // namespace pg::nn
