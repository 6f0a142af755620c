// The Delphi-style modular baseline against a direct F_p oracle, and its Barrett reduction
// against the compiler's 128-bit remainder.
#include "nn/kernels/modular_conv.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "kernel_test_util.h"

namespace pg::nn::kernels {
namespace {

using U128 = Uint128;

uint64_t pow_mod(uint64_t a, uint64_t e, uint64_t p) {
  uint64_t r = 1;
  for (; e; e >>= 1, a = uint64_t(U128(a) * a % p)) {
    if (e & 1) r = uint64_t(U128(r) * a % p);
  }
  return r;
}

// Deterministic Miller–Rabin for 64-bit n (these bases suffice below 3.3 · 10^24).
bool is_prime(uint64_t n) {
  uint64_t d = n - 1;
  int s = 0;
  while (d % 2 == 0) d /= 2, ++s;
  for (uint64_t a : {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37}) {
    uint64_t x = pow_mod(a, d, n);
    if (x == 1 || x == n - 1) continue;
    bool composite = true;
    for (int i = 1; i < s && composite; ++i) {
      x = uint64_t(U128(x) * x % n);
      composite = x != n - 1;
    }
    if (composite) return false;
  }
  return true;
}

TEST(ModularConv, DefaultModulusIsThe41BitPrime) {
  EXPECT_TRUE(is_prime(kPrime41));
  EXPECT_EQ(kPrime41, 15 * (uint64_t{1} << 37) + 1);
}

TEST(ModularConv, BarrettReductionMatchesRemainder) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(41));
  for (uint64_t p : {kPrime41, (uint64_t{1} << 61) - 1, uint64_t{3}, uint64_t{65537}}) {
    ModularConv conv(dense_geometry(1, 1), std::vector<int64_t>{1}, p);
    for (int i = 0; i < 20000; ++i) {
      U128 a = (U128(prg.next_u64()) << 64) | prg.next_u64();
      if (i % 4 == 1) a >>= prg.uniform_below(128);
      if (i == 0) a = ~U128(0);
      if (i == 2) a = 0;
      ASSERT_EQ(conv.reduce(a), uint64_t(a % p)) << "p=" << p;
    }
  }
}

TEST(ModularConv, MatchesADirectFieldConvolution) {
  core::Prg prg = core::Prg::from_seed(core::testing::seed_of(42));
  core::ThreadPool pool(2);
  for (const ConvGeometry& g :
       {square_conv(3, 9, 9, 5, 3, 1, 1), square_conv(4, 8, 7, 6, 5, 2, 2, 2),
        square_conv(8, 5, 5, 8, 3, 1, 0, 8), dense_geometry(257, 33)}) {
    for (uint64_t p : {kPrime41, (uint64_t{1} << 61) - 1}) {
      const auto w = testing::random_weights(prg, g.weight_count(), 16);
      std::vector<uint64_t> x(g.in_size());
      for (size_t i = 0; i < x.size(); ++i) x[i] = i % 5 == 0 ? p - 1 : prg.uniform_below(p);
      ModularConv conv(g, w, p);
      std::vector<uint64_t> y(g.out_size());
      conv.apply(x, y, pool);
      // Oracle: the ring oracle's 128-bit sums are not reduced mod p, so recompute with
      // signed weights lifted to [0, p) and a 128-bit remainder per term.
      const int cin = g.in_c / g.groups, cout = g.out_c / g.groups;
      for (int m = 0; m < g.out_c; ++m) {
        for (int oy = 0; oy < g.out_h(); ++oy) {
          for (int ox = 0; ox < g.out_w(); ++ox) {
            uint64_t acc = 0;
            for (int c = 0; c < cin; ++c) {
              for (int dy = 0; dy < g.kh; ++dy) {
                for (int dx = 0; dx < g.kw; ++dx) {
                  const int iy = oy * g.stride_h - g.pad_top + dy;
                  const int ix = ox * g.stride_w - g.pad_left + dx;
                  if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;
                  const int64_t wv = w[((size_t(m) * cin + c) * g.kh + dy) * g.kw + dx];
                  const uint64_t wp = wv < 0 ? p - uint64_t(-wv) % p : uint64_t(wv) % p;
                  const uint64_t xv = x[(size_t((m / cout) * cin + c) * g.in_h + iy) * g.in_w + ix];
                  acc = uint64_t((U128(acc) + U128(wp % p) * xv) % p);
                }
              }
            }
            ASSERT_EQ(y[(size_t(m) * g.out_h() + oy) * g.out_w() + ox], acc);
          }
        }
      }
    }
  }
}

TEST(ModularConv, RejectsBadModulusAndUnreducedInput) {
  const ConvGeometry g = dense_geometry(2, 1);
  EXPECT_THROW(ModularConv(g, std::vector<int64_t>{1, 1}, 4), std::invalid_argument);
  EXPECT_THROW(ModularConv(g, std::vector<int64_t>{1, 1}, uint64_t{1} << 62 | 1),
               std::invalid_argument);
  EXPECT_THROW(ModularConv(g, std::vector<int64_t>{1}), std::invalid_argument);
  ModularConv conv(g, std::vector<int64_t>{1, -1});
  core::ThreadPool pool(1);
  std::vector<uint64_t> x = {kPrime41, 0}, y(1);
  EXPECT_THROW(conv.apply(x, y, pool), std::invalid_argument);
  x = {5, 7};
  conv.apply(x, y, pool);
  EXPECT_EQ(y[0], kPrime41 - 2);
}

}  // namespace
}  // namespace pg::nn::kernels
