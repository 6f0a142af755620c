// One-term plans for the HE linear benchmarks (he_linear_bench, he_layers): ℓ = 37 (Cheetah's
// ring) and uniform weights with |w| < 2^13 (f_w = 12 and |w| < 2, which covers
// batch-norm-folded weights).
#pragma once

#include <cstdint>
#include <vector>

#include "core/prg.h"
#include "nn/kernels/conv_geometry.h"
#include "nn/plan.h"

namespace pg::bench {

inline constexpr int kBenchEll = 37, kBenchWeightBits = 13;

inline nn::Plan one_term_plan(const nn::ConvGeometry& g, bool dense) {
  core::Prg prg = core::Prg::from_os();
  nn::Plan p;
  p.ell = kBenchEll;
  p.f = p.f_w = 12;
  p.tensors = {{g.in_c, g.in_h, g.in_w}, {g.out_c, g.out_h(), g.out_w()}};
  nn::HeTerm t;
  t.geometry = g;
  t.dense = dense;
  t.weight_bits = kBenchWeightBits;
  t.weights.resize(g.weight_count());
  const uint64_t span = (uint64_t{1} << (kBenchWeightBits + 1)) - 1;
  for (auto& w : t.weights) {
    w = int64_t(prg.uniform_below(span)) - ((int64_t{1} << kBenchWeightBits) - 1);
  }
  nn::AffineStep a;
  a.out = 1;
  a.he_terms.push_back(std::move(t));
  a.bias.assign(p.tensors[1].size(), 0);
  p.steps.push_back(std::move(a));
  p.output = 1;
  return p;
}

}  // namespace pg::bench
