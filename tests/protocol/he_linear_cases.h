// Random term shapes for the exactness tests (he_linear_test.cpp, he_linear_slow_test.cpp) and
// the exactness check itself: c + t ≡ A_int·r (mod 2^ℓ) in every element, through the public API.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "he_linear_util.h"
#include "nn/kernels/conv_geometry.h"

namespace pg::protocol::testing {

struct Case {
  std::string name;
  nn::ConvGeometry g;
  bool dense = false;
  int ell = 37;
  int weight_bits = 12;
  bool extreme = false;  // all weights ±(2^wb − 1) and masks at 2^ℓ − 1 / 2^{ℓ−1}
};

struct Limits {
  int max_channels = 16, max_image = 16, max_dense_in = 600, max_dense_out = 200;
};

inline int pick(core::Prg& prg, int lo, int hi) {
  return lo + static_cast<int>(prg.uniform_below(uint64_t(hi - lo + 1)));
}

// `count` shapes: kernels 1/3/5/7, strides 1/2, padding 0/1/2, a fifth depthwise, a fifth dense.
inline std::vector<Case> random_cases(uint8_t seed, int count, const Limits& lim,
                                      std::vector<int> ells = {16, 24, 37, 44, 52, 63}) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(seed));
  std::vector<Case> out;
  for (int i = 0; i < count; ++i) {
    Case c;
    c.ell = ells[prg.uniform_below(ells.size())];
    c.weight_bits = std::min(c.ell - 1, std::vector<int>{1, 4, 8, 12, 16}[prg.uniform_below(5)]);
    std::ostringstream name;
    if (i % 5 == 4) {
      c.dense = true;
      c.g = nn::kernels::dense_geometry(pick(prg, 10, lim.max_dense_in),
                                        pick(prg, 10, lim.max_dense_out));
      name << "dense" << c.g.in_c << "x" << c.g.out_c;
    } else {
      const int k = std::vector<int>{1, 3, 5, 7}[prg.uniform_below(4)];
      const int s = pick(prg, 1, 2), p = std::min(pick(prg, 0, 2), k - 1);
      const int lo = std::max(1, k - 2 * p);
      const int h = pick(prg, lo, std::max(lo, lim.max_image));
      const int w = pick(prg, lo, std::max(lo, lim.max_image));
      const bool dw = i % 5 == 3;
      const int ch = pick(prg, dw ? 2 : 1, lim.max_channels);
      const int m = dw ? ch : pick(prg, 1, lim.max_channels);
      c.g = nn::kernels::square_conv(ch, h, w, m, k, s, p, dw ? ch : 1);
      name << (dw ? "dw" : "conv") << k << "s" << s << "p" << p << "_" << ch << "x" << h << "x" << w
           << "_m" << m;
    }
    name << "_l" << c.ell << "_w" << c.weight_bits;
    c.name = name.str();
    c.extreme = i % 7 == 6;
    if (c.extreme) c.name += "_extreme";
    out.push_back(c);
  }
  return out;
}

inline std::vector<uint64_t> masks_for(const Case& c, core::Prg& prg, bool first) {
  const uint64_t mask = ring_mask(c.ell);
  std::vector<uint64_t> r(c.g.in_size());
  for (size_t i = 0; i < r.size(); ++i) {
    if (c.extreme) {
      r[i] = first ? mask : uint64_t{1} << (c.ell - 1);
      continue;
    }
    switch (i % 7) {  // the edge values of Z_{2^ℓ} between uniform ones
      case 0:
        r[i] = 0;
        break;
      case 1:
        r[i] = uint64_t{1} << (c.ell - 1);
        break;
      case 2:
        r[i] = mask;
        break;
      default:
        r[i] = prg.next_u64() & mask;
    }
  }
  return r;
}

inline std::vector<int64_t> weights_for(const Case& c, core::Prg& prg) {
  if (!c.extreme) return random_weights(prg, c.g.weight_count(), c.weight_bits);
  return std::vector<int64_t>(c.g.weight_count(), (int64_t{1} << c.weight_bits) - 1);
}

// Two exchanges (fresh masks each) through HeLinearClient/HeLinearServer; every element exact.
inline void check_exact(const Case& c, HeScheme scheme, HePacking packing, uint8_t seed,
                        core::ThreadPool* pool = nullptr, size_t cache_bytes = size_t{1} << 30) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(seed));
  const auto w = weights_for(c, prg);
  const nn::Plan plan = one_term_plan(c.g, c.dense, c.ell, c.weight_bits, w);
  const HeOptions opt{scheme, packing, pool, cache_bytes};
  const HeLinearClient client(plan.architecture(), opt);
  const HeLinearServer server(plan, opt);
  auto keys = HeClientKeys::parse(plan.architecture(), opt, client.public_material());
  ASSERT_TRUE(keys.ok()) << keys.error().to_string();
  const uint64_t mask = ring_mask(c.ell);
  for (int trial = 0; trial < 2; ++trial) {
    const auto r = masks_for(c, prg, trial == 0);
    const auto rt = round_trip(client, server, keys.value(), r, c.g.out_size(), prg);
    const auto want = oracle(c.g, w, r, c.ell);
    size_t bad = 0, t_high = 0;
    for (size_t i = 0; i < want.size(); ++i) {
      bad += ((rt.c[i] + rt.t[i]) & mask) != want[i];
      t_high += (rt.t[i] & ~mask) != 0;
    }
    EXPECT_EQ(bad, 0u) << c.name << ": " << bad << " of " << want.size()
                       << " wrong at N = " << client.stats(0).ring_degree;
    EXPECT_EQ(t_high, 0u) << "t must lie in Z_{2^l}";
    EXPECT_EQ(rt.request_bytes, client.stats(0).request_bytes);
    EXPECT_EQ(rt.reply_bytes, client.stats(0).reply_bytes);
  }
}

}  // namespace pg::protocol::testing
