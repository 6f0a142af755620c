// Small schedules shared by the protocol tests.
#pragma once

#include <cstdint>
#include <vector>

#include "core/prg.h"
#include "nn/kernels/conv_geometry.h"
#include "protocol/schedule.h"

namespace pg::protocol {

inline constexpr int kNetEll = 37, kNetF = 10, kNetFw = 9;

inline std::vector<int64_t> random_weights(core::Prg& prg, size_t n) {
  std::vector<int64_t> w(n);
  for (auto& v : w) v = int64_t(prg.uniform_below(1 << 11)) - (1 << 10);
  return w;
}

// conv 3x3 (1→4, pad 1) → maxpool 2 + ReLU → conv 3x3 (4→4, pad 1) → ReLU
//   → residual: conv 3x3 (4→4) + 2^{f_w}·skip → ReLU → dense (64 → 10).
inline Schedule residual_net(core::Prg& prg) {
  Schedule s;
  s.ell = kNetEll;
  s.f = kNetF;
  s.f_w = kNetFw;
  s.tensors = {{1, 8, 8}, {4, 8, 8}, {4, 4, 4}, {4, 4, 4},
               {4, 4, 4}, {4, 4, 4}, {4, 4, 4}, {10, 1, 1}};
  auto conv = [&](size_t in, int c, int hw, int m) {
    HeTerm t;
    t.in = in;
    t.geometry = nn::kernels::square_conv(c, hw, hw, m, 3, 1, 1);
    t.weights = random_weights(prg, t.geometry.weight_count());
    return t;
  };
  auto bias = [&](size_t n) {
    std::vector<int64_t> b(n);
    for (auto& v : b) v = int64_t(prg.uniform_below(1 << 20)) - (1 << 19);
    return b;
  };
  s.steps.push_back(AffineStep{1, {conv(0, 1, 8, 4)}, {}, bias(256)});
  NonLinearStep pool;
  pool.in = 1;
  pool.out = 2;
  pool.kind = NonLinearKind::kMaxPoolRelu;
  pool.pool_k = 2;
  pool.pool_stride = 2;
  s.steps.push_back(pool);
  s.steps.push_back(AffineStep{3, {conv(2, 4, 4, 4)}, {}, bias(64)});
  s.steps.push_back(NonLinearStep{3, 4, NonLinearKind::kRelu, 1, 1, 0});
  s.steps.push_back(
      AffineStep{5, {conv(4, 4, 4, 4)}, {ScaleTerm{2, int64_t{1} << kNetFw}}, bias(64)});
  s.steps.push_back(NonLinearStep{5, 6, NonLinearKind::kRelu, 1, 1, 0});
  HeTerm fc;
  fc.in = 6;
  fc.geometry = nn::kernels::dense_geometry(64, 10);
  fc.dense = true;
  fc.weights = random_weights(prg, 640);
  s.steps.push_back(AffineStep{7, {fc}, {}, bias(10)});
  s.input = 0;
  s.output = 7;
  return s;
}

}  // namespace pg::protocol
