// A wide random sweep of the exact online kernels (label: slow): hundreds of shapes up to 128
// channels on 32x32 images, depthwise and grouped layers, every ring size from 1 to 64 bits,
// and public weight bounds looser than the weights. Every method against the oracle.
#include <gtest/gtest.h>

#include "core/testing.h"
#include "kernel_test_util.h"
#include "nn/kernels/ring_conv.h"

namespace pg::nn::kernels {
namespace {

using testing::describe;
using testing::mask_of;

ConvGeometry random_geometry(core::Prg& prg) {
  ConvGeometry g;
  const int ks[] = {1, 3, 5, 7};
  g.kh = ks[prg.uniform_below(4)];
  g.kw = prg.uniform_below(4) == 0 ? ks[prg.uniform_below(4)] : g.kh;
  g.stride_h = 1 + int(prg.uniform_below(2));
  g.stride_w = prg.uniform_below(4) == 0 ? 1 + int(prg.uniform_below(2)) : g.stride_h;
  g.pad_top = int(prg.uniform_below(3));
  g.pad_bottom = prg.uniform_below(4) == 0 ? int(prg.uniform_below(3)) : g.pad_top;
  g.pad_left = int(prg.uniform_below(3));
  g.pad_right = prg.uniform_below(4) == 0 ? int(prg.uniform_below(3)) : g.pad_left;
  g.in_h = std::max(1, g.kh - g.pad_top - g.pad_bottom) + int(prg.uniform_below(32));
  g.in_w = std::max(1, g.kw - g.pad_left - g.pad_right) + int(prg.uniform_below(32));
  const int mode = int(prg.uniform_below(5));
  if (mode == 4) {  // depthwise
    g.in_c = g.out_c = g.groups = 1 + int(prg.uniform_below(128));
  } else {
    g.groups = mode == 3 ? 1 + int(prg.uniform_below(4)) : 1;
    g.in_c = g.groups * (1 + int(prg.uniform_below(128 / g.groups)));
    g.out_c = g.groups * (1 + int(prg.uniform_below(128 / g.groups)));
  }
  return g;
}

TEST(RingConvSlow, WideRandomSweepIsBitExact) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(61));
  core::ThreadPool pool(2);
  int layers = 0, runs = 0;
  while (layers < 1500) {
    const ConvGeometry g = random_geometry(prg);
    if (g.out_size() * g.taps() > 20'000'000) continue;
    ++layers;
    const int bits = 1 + int(prg.uniform_below(24));
    const auto w = testing::random_weights(prg, g.weight_count(), bits);
    const auto x = testing::random_shares(prg, g.in_size(), 64);
    WeightBound bound = WeightBound::of(w, g.out_c, g.taps());
    if (prg.next_bit()) {  // a public bound looser than the weights
      bound.max_abs_bits = std::min(40, bound.max_abs_bits + int(prg.uniform_below(4)));
      bound.row_l1_bits =
          std::min(48, std::max(bound.row_l1_bits, bound.max_abs_bits) + int(prg.uniform_below(4)));
    }
    RingConv conv(g, w, bound);
    const auto ref = testing::reference_conv(g, w, x, 64);
    std::vector<uint64_t> y(g.out_size());
    for (int ell : {1 + int(prg.uniform_below(64)), 16, 32, 37, 41, 64}) {
      for (RingMethod m : kExactMethods) {
        if (m == RingMethod::kDirect || !conv.supports(m, ell)) continue;
        ++runs;
        conv.apply(x, ell, y, m, &pool);
        for (size_t i = 0; i < y.size(); ++i) {
          ASSERT_EQ(y[i], ref[i] & mask_of(ell))
              << method_name(m) << " ell=" << ell << " i=" << i << " " << describe(g)
              << " bound=" << bound.max_abs_bits << "/" << bound.row_l1_bits;
        }
      }
    }
  }
  EXPECT_GT(runs, 5000);
}

}  // namespace
}  // namespace pg::nn::kernels
