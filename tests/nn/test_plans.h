// Small plans with random weights, shared by the nn and protocol tests.
#pragma once

#include <cstdint>
#include <vector>

#include "core/prg.h"
#include "nn/kernels/conv_geometry.h"
#include "nn/plan.h"

namespace pg::nn::testing {

inline constexpr int kNetEll = 37, kNetF = 10, kNetFw = 9;

// Uniform in [−2^(bits−1), 2^(bits−1)).
inline std::vector<int64_t> random_ints(core::Prg& prg, size_t n, int bits) {
  std::vector<int64_t> w(n);
  for (auto& v : w)
    v = int64_t(prg.uniform_below(uint64_t{1} << bits)) - (int64_t{1} << (bits - 1));
  return w;
}

inline HeTerm random_term(core::Prg& prg, size_t in, const ConvGeometry& g, bool dense = false) {
  HeTerm t;
  t.in = in;
  t.geometry = g;
  t.dense = dense;
  t.weight_bits = 11;  // weights in [−2^10, 2^10)
  t.weights = random_ints(prg, g.weight_count(), 11);
  return t;
}

// Every kind of step and term the plan has:
//   t0 1x8x8 → conv 3x3 (1→4, pad 1) → t1 → maxpool 3/2 with end padding (ceil mode) + ReLU → t2
//   → conv 3x3 (4→4, pad 1) → t3 → ReLU → t4
//   → residual: conv 3x3 (4→4, pad 1) on t4 + 2^{f_w}·t2 → t5 → ReLU → t6
//   → conv 3x3 stride 2 (4→8, pad 1) on t6 + shortcut "A" of t6 (stride 2, 2+2 zero channels)
//     → t7 → truncate → t8 → conv 1x1 (8→8) → t9 → ReLU → t10
//   → dense (32 → 10) on t10 + dense (32 → 10) on t8 → t11 (the logits).
inline Plan residual_net(core::Prg& prg) {
  using kernels::dense_geometry;
  using kernels::square_conv;
  Plan s;
  s.ell = kNetEll;
  s.f = kNetF;
  s.f_w = kNetFw;
  s.tensors = {{1, 8, 8}, {4, 8, 8}, {4, 4, 4}, {4, 4, 4}, {4, 4, 4}, {4, 4, 4},
               {4, 4, 4}, {8, 2, 2}, {8, 2, 2}, {8, 2, 2}, {8, 2, 2}, {10, 1, 1}};
  auto bias = [&](size_t n) { return random_ints(prg, n, 20); };
  auto nl = [](size_t in, size_t out, NonLinearKind kind) {
    NonLinearStep n;
    n.in = in;
    n.out = out;
    n.kind = kind;
    return n;
  };
  s.steps.push_back(
      AffineStep{1, {random_term(prg, 0, square_conv(1, 8, 8, 4, 3, 1, 1))}, {}, bias(256)});
  NonLinearStep pool = nl(1, 2, NonLinearKind::kMaxPoolRelu);
  pool.pool = PoolWindow{3, 3, 2, 2, 0, 0, 1, 1};
  s.steps.push_back(pool);
  s.steps.push_back(
      AffineStep{3, {random_term(prg, 2, square_conv(4, 4, 4, 4, 3, 1, 1))}, {}, bias(64)});
  s.steps.push_back(nl(3, 4, NonLinearKind::kRelu));
  s.steps.push_back(AffineStep{5,
                               {random_term(prg, 4, square_conv(4, 4, 4, 4, 3, 1, 1))},
                               {PublicTerm{2, int64_t{1} << kNetFw, 1, 0, 0}},
                               bias(64)});
  s.steps.push_back(nl(5, 6, NonLinearKind::kRelu));
  s.steps.push_back(AffineStep{7,
                               {random_term(prg, 6, square_conv(4, 4, 4, 8, 3, 2, 1))},
                               {PublicTerm{6, int64_t{1} << kNetFw, 2, 2, 2}},
                               bias(32)});
  s.steps.push_back(nl(7, 8, NonLinearKind::kTruncate));
  s.steps.push_back(AffineStep{9, {random_term(prg, 8, square_conv(8, 2, 2, 8, 1))}, {}, bias(32)});
  s.steps.push_back(nl(9, 10, NonLinearKind::kRelu));
  s.steps.push_back(AffineStep{11,
                               {random_term(prg, 10, dense_geometry(32, 10), true),
                                random_term(prg, 8, dense_geometry(32, 10), true)},
                               {},
                               bias(10)});
  s.input = 0;
  s.output = 11;
  return s;
}

}  // namespace pg::nn::testing
